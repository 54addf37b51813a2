"""``python -m subgraphs.seed --people N [--seed S] [--database-url URL] [--if-absent] [--reset]``

Seeds the three subgraphs with one deterministic synthetic population and prints a JSON summary. Without
``--database-url`` each subgraph uses its own URL (``<NAME>_DATABASE_URL``, ``DATABASE_URL``, else
``sqlite+aiosqlite:///$LT_DATA_DIR/<name>.db``); with it, all three share that database.
"""

from __future__ import annotations

import argparse
import json
import sys

from .runner import SUBGRAPHS, SeedError, seed


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m subgraphs.seed", description=__doc__.splitlines()[2])
    parser.add_argument("--people", type=int, default=10_000, help="number of persons (default 10000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed: same seed, same data (default 1)")
    parser.add_argument("--database-url", help="one database for all three subgraphs")
    parser.add_argument("--if-absent", action="store_true", help="skip subgraphs whose database holds data")
    parser.add_argument("--reset", action="store_true", help="delete existing rows of the seeded tables first")
    parser.add_argument("--chunk-size", type=int, default=10_000, help="persons per transaction (default 10000)")
    parser.add_argument(
        "--subgraphs", default=",".join(SUBGRAPHS), help=f"comma-separated subset of {','.join(SUBGRAPHS)}"
    )
    args = parser.parse_args(argv)
    if args.people < 1 or args.chunk_size < 1:
        parser.error("--people and --chunk-size must be positive")
    if args.if_absent and args.reset:
        parser.error("--if-absent and --reset contradict each other")
    args.subgraphs = [s.strip() for s in args.subgraphs.split(",") if s.strip()]
    unknown = set(args.subgraphs) - set(SUBGRAPHS)
    if unknown:
        parser.error(f"unknown subgraph(s): {', '.join(sorted(unknown))}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        summary = seed(
            args.people,
            seed=args.seed,
            database_url_override=args.database_url,
            subgraphs=args.subgraphs,
            if_absent=args.if_absent,
            reset=args.reset,
            chunk_size=args.chunk_size,
        )
    except SeedError as exc:
        print(f"seed: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
