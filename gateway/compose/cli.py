"""``python -m gateway compose``: write or check ``schema.graphql``.

Exit codes: 0 written / up to date; 1 composition failed (errors listed with subgraph and location) or
``--check`` found the file stale (unified diff printed); 2 SDL could not be obtained.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path
from typing import TextIO

from .compose import compose
from .errors import CompositionFailed
from .sources import SourceError, from_files, from_subgraphs, write_files

DEFAULT_OUTPUT = Path("schema.graphql")


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``compose`` subcommand to the ``python -m gateway`` parser."""
    parser = subparsers.add_parser(
        "compose",
        help="compose the subgraphs into the supergraph (schema.graphql)",
        description="Read each subgraph's SDL and write the supergraph in Apollo's join-spec form.",
    )
    parser.add_argument("--check", action="store_true", help="exit 1 with a diff if the output file is stale")
    parser.add_argument(
        "--from-files",
        metavar="DIR",
        type=Path,
        help="read population.graphql, civil_status.graphql, sentences.graphql from DIR instead of the subgraphs",
    )
    parser.add_argument("--output", "-o", type=Path, default=DEFAULT_OUTPUT, help="supergraph file (schema.graphql)")
    parser.add_argument("--dump-sdl", metavar="DIR", type=Path, help="also write each subgraph's SDL into DIR")
    parser.add_argument("--hints", action="store_true", help="print composition hints")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Run ``compose`` with parsed ``args``; returns the exit code."""
    try:
        sources = from_files(args.from_files) if args.from_files else from_subgraphs()
    except SourceError as exc:
        print(f"compose: cannot read subgraph SDL: {exc}", file=err)
        return 2
    if args.dump_sdl:
        write_files(sources, args.dump_sdl)
    try:
        result = compose(sources)
    except CompositionFailed as exc:
        print(exc.report(), file=err)
        return 1
    if args.hints:
        for hint in result.hints:
            print(hint, file=err)
    text = result.supergraph_sdl + "\n"
    output: Path = args.output
    if args.check:
        return check(output, text, out)
    output.write_text(text, encoding="utf-8")
    print(f"compose: wrote {output} ({len(sources)} subgraphs)", file=out)
    return 0


def check(path: Path, expected: str, out: TextIO) -> int:
    """0 if ``path`` holds ``expected``; else print a unified diff (current → expected) and return 1."""
    try:
        current = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        print(f"compose --check: {path} does not exist; run `python -m gateway compose`", file=out)
        return 1
    if current == expected:
        print(f"compose --check: {path} is up to date", file=out)
        return 0
    diff = difflib.unified_diff(
        current.splitlines(keepends=True),
        expected.splitlines(keepends=True),
        fromfile=f"{path} (committed)",
        tofile=f"{path} (composed now)",
    )
    out.write("".join(diff))
    print(f"\ncompose --check: {path} is stale; run `python -m gateway compose` and commit it", file=out)
    return 1


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry (``python -m gateway.compose``), same options as the subcommand."""
    parser = argparse.ArgumentParser(prog="python -m gateway")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.handler(args))
