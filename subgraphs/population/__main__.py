"""``python -m subgraphs.population``: serve the population subgraph (default 127.0.0.1:4001)."""

from __future__ import annotations

import uvicorn

from subgraphs.common.migrations import upgrade
from subgraphs.common.settings import SubgraphSettings

from .app import NAME, create_app


def main() -> None:
    settings = SubgraphSettings.from_env(NAME)
    upgrade(NAME, settings.database_url)  # bring the schema up to date before serving
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")


if __name__ == "__main__":
    main()
