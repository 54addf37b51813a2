"""``python -m subgraphs.civil_status``: serve the civil-status subgraph (default 127.0.0.1:4002).

The schema must exist: ``make run`` migrates and seeds it; by hand, ``alembic`` through
``subgraphs.common.migrations.upgrade("civil_status", url)``.
"""

from __future__ import annotations

import uvicorn

from subgraphs.common.settings import SubgraphSettings

from .app import NAME, create_app


def main() -> None:
    settings = SubgraphSettings.from_env(NAME)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")


if __name__ == "__main__":
    main()
