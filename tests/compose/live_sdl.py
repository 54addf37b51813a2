"""The real subgraphs' SDL, obtained in process from each strawberry schema's ``{ _service { sdl } }``."""

from __future__ import annotations

import importlib
from pathlib import Path

SUBGRAPH_NAMES = ("population", "civil_status", "sentences", "gateway")


def live_sdl(name: str) -> str:
    """``_service.sdl`` of ``subgraphs.<name>.schema.schema`` (no server, no database); ``gateway`` is the
    gateway-local subgraph."""
    if name == "gateway":
        from gateway.local_subgraph import federation_sdl

        return federation_sdl()
    schema = importlib.import_module(f"subgraphs.{name}.schema").schema
    result = schema.execute_sync("{ _service { sdl } }")
    assert result.errors is None, result.errors
    return str(result.data["_service"]["sdl"])


def write_live_sdl(directory: Path) -> Path:
    """Write ``<name>.graphql`` for every subgraph into ``directory`` (for ``compose --from-files``)."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in SUBGRAPH_NAMES:
        (directory / f"{name}.graphql").write_text(live_sdl(name), encoding="utf-8")
    return directory
