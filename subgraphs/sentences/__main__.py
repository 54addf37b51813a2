"""``python -m subgraphs.sentences``: serve the sentences subgraph (default 127.0.0.1:4003).

Environment: ``SENTENCES_HOST``, ``SENTENCES_PORT``, ``SENTENCES_DATABASE_URL`` (else ``DATABASE_URL``),
``LT_DATA_DIR``, ``INTERNAL_JWKS_FILE`` (see subgraphs.common.settings). The schema is brought up to date with
Alembic before serving.
"""

from __future__ import annotations

import uvicorn

from subgraphs.common.migrations import upgrade
from subgraphs.common.settings import SubgraphSettings

from .app import NAME, create_app


def main() -> None:
    settings = SubgraphSettings.from_env(NAME)
    upgrade(NAME, settings.database_url)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")


if __name__ == "__main__":
    main()
