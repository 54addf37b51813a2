"""``python -m subgraphs.sentences``: serve the sentences subgraph (default 127.0.0.1:4003).

Environment: ``SENTENCES_HOST``, ``SENTENCES_PORT``, ``SENTENCES_DATABASE_URL`` (else ``DATABASE_URL``),
``LT_DATA_DIR``, ``INTERNAL_JWKS_FILE`` (see subgraphs.common.settings). The schema is brought up to date with
Alembic before serving.

``SENTENCES_WORKERS`` (else ``SUBGRAPH_WORKERS``, default 1) processes serve the port
(``subgraphs.common.serve``).
"""

from __future__ import annotations

import sys

from subgraphs.common.serve import serve

from .app import NAME, create_app


def main() -> int:
    return serve(NAME, "subgraphs.sentences.app:create_app", create_app)


if __name__ == "__main__":
    sys.exit(main())
