"""``python -m gateway token ...``: mint development caller tokens and internal subgraph tokens."""

from __future__ import annotations

import argparse
import sys

from .caller import Role


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``token`` command to the gateway CLI."""
    p = subparsers.add_parser(
        "token",
        help="mint a development token (prints only the token)",
        description="Mint a development caller token signed with the local dev key, or an internal subgraph "
        "token with --internal. Prints only the token on stdout.",
    )
    p.add_argument("--agency", help="agency id from policies/data/agencies.json")
    p.add_argument("--sub", help="the identified account (for --role data_subject: the personalId)")
    p.add_argument("--ttl", default="8h", help="lifetime, e.g. 90s, 30m, 8h (default), 2d")
    p.add_argument("--role", choices=[r.value for r in Role], default=Role.AGENCY.value)
    p.add_argument("--audience", help="override the audience (default GATEWAY_JWT_AUDIENCE)")
    p.add_argument("--internal", action="store_true", help="mint an internal gateway->subgraph token")
    p.add_argument("--subgraph", help="with --internal: population, civil_status or sentences")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Execute ``token``; returns the process exit status."""
    if args.internal:
        return _internal(args)
    if not args.sub:
        print("token: --sub is required", file=sys.stderr)
        return 2
    from .dev import mint_dev_token

    try:
        token = mint_dev_token(args.agency, args.sub, ttl=args.ttl, role=args.role, audience=args.audience)
    except (ValueError, RuntimeError) as exc:
        print(f"token: {exc}", file=sys.stderr)
        return 2
    print(token)
    return 0


def _internal(args: argparse.Namespace) -> int:
    if not args.subgraph:
        print("token: --internal needs --subgraph NAME", file=sys.stderr)
        return 2
    from gateway.keys import InternalTokenMinter, key_paths, load_or_create_internal_key

    key = load_or_create_internal_key(*key_paths())
    claims = {"sub": args.sub, "agency": args.agency}
    print(InternalTokenMinter(key).mint(args.subgraph, **claims))
    return 0
