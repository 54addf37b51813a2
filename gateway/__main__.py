"""``python -m gateway``: the gateway's command line.

Core commands live here (``serve``, ``plan``, ``dev``, ``keys``). Other packages contribute commands through a
module ``gateway/<package>/cli.py`` exposing ``register(subparsers)``; it adds its parser(s) and sets
``handler`` (``args -> int | None``, the exit status) with ``parser.set_defaults(handler=...)`` (``func=``
is accepted too). A package
whose ``cli`` module does not exist yet is skipped.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

CONTRIBUTED = ("gateway.compose.cli", "gateway.auth.cli", "gateway.policy.cli", "gateway.audit.cli",
               "gateway.trusted.cli", "gateway.grants.cli", "gateway.subjects.cli")


def _serve(args: argparse.Namespace) -> int:
    from .server.run import serve

    return serve(host=args.host, port=args.port)


def _plan(args: argparse.Namespace) -> int:
    from .server.run import print_plan

    return print_plan(args.file, args.operation, args.variables, args.supergraph, args.json)


def _dev(args: argparse.Namespace) -> int:
    from .dev import main as dev_main

    return dev_main(people=args.people, skip_seed=args.skip_seed)


def _keys(_: argparse.Namespace) -> int:
    from .keys import key_paths, load_or_create_internal_key

    private, public = key_paths()
    key = load_or_create_internal_key(private, public)
    print(f"internal signing key {key.kid}: {private}\npublic JWKS for the subgraphs: {public}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m gateway", description="Liên thông federated GraphQL gateway")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("serve", help="serve the gateway (GATEWAY_HOST:GATEWAY_PORT, default 127.0.0.1:4000)")
    p.add_argument("--host", help="override GATEWAY_HOST")
    p.add_argument("--port", type=int, help="override GATEWAY_PORT")
    p.set_defaults(handler=_serve)

    p = sub.add_parser("plan", help="print the query plan of an operation")
    p.add_argument("file", help="a .graphql file with the operation(s)")
    p.add_argument("--operation", help="operation name when the file has several")
    p.add_argument("--variables", help="JSON object of variables (they decide @skip/@include)")
    p.add_argument("--supergraph", help="supergraph SDL (default GATEWAY_SUPERGRAPH or ./schema.graphql)")
    p.add_argument("--json", action="store_true", help="print the plan as JSON instead of text")
    p.set_defaults(handler=_plan)

    p = sub.add_parser("dev", help="keys, demo data, the three subgraphs and the gateway (what `make run` runs)")
    p.add_argument("--people", type=int, default=2000, help="people to seed when there is no demo data")
    p.add_argument("--skip-seed", action="store_true", help="do not seed demo data")
    p.set_defaults(handler=_dev)

    p = sub.add_parser("keys", help="create the internal signing key and the subgraphs' JWKS if absent")
    p.set_defaults(handler=_keys)

    for module_name in CONTRIBUTED:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:  # not written yet; any other missing module is a real error
                continue
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler = getattr(args, "handler", None) or getattr(args, "func", None)  # both conventions are in use
    result = handler(args)
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
