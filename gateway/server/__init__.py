"""The gateway's HTTP server (Starlette) and application context."""

from .app import create_app
from .gateway import Gateway

__all__ = ["Gateway", "create_app"]
