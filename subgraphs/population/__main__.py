"""``python -m subgraphs.population``: serve the population subgraph (default 127.0.0.1:4001).

``POPULATION_WORKERS`` (else ``SUBGRAPH_WORKERS``, default 1) processes serve the port
(``subgraphs.common.serve``).
"""

from __future__ import annotations

import sys

from subgraphs.common.serve import serve

from .app import NAME, create_app


def main() -> int:
    return serve(NAME, "subgraphs.population.app:create_app", create_app)


if __name__ == "__main__":
    sys.exit(main())
