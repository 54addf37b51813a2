"""``python -m subgraphs.civil_status``: serve the civil-status subgraph (default 127.0.0.1:4002).

The schema must exist: ``make run`` migrates and seeds it; by hand, ``alembic`` through
``subgraphs.common.migrations.upgrade("civil_status", url)``.

``CIVIL_STATUS_WORKERS`` (else ``SUBGRAPH_WORKERS``, default 1) processes serve the port
(``subgraphs.common.serve``).
"""

from __future__ import annotations

import sys

from subgraphs.common.serve import serve

from .app import NAME, create_app


def main() -> int:
    return serve(NAME, "subgraphs.civil_status.app:create_app", create_app, migrate=False)


if __name__ == "__main__":
    sys.exit(main())
