"""``python -m subgraphs.common.exchange <subgraph>``: run that subgraph's relay and consumer (see runner)."""

from __future__ import annotations

import sys

from subgraphs.common.settings import DEFAULT_PORTS, ConfigError, ExchangeSettings


def main(argv: list[str]) -> int:
    """Serve the exchange process of ``argv[0]`` until interrupted."""
    import uvicorn

    from .runner import create_app

    if len(argv) != 1 or argv[0] not in DEFAULT_PORTS:
        print(f"usage: python -m subgraphs.common.exchange {{{','.join(DEFAULT_PORTS)}}}", file=sys.stderr)
        return 2
    name = argv[0]
    try:
        settings = ExchangeSettings.from_env(name)
    except ConfigError as exc:
        print(f"exchange {name}: {exc}", file=sys.stderr)
        return 2
    uvicorn.run(create_app(name, settings=settings), host=settings.host, port=settings.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
