"""``python -m gateway documents register|list|remove``: manage the trusted documents.

    python -m gateway documents register card.graphql --agency tand-ha-noi --agency vksnd-ha-noi
    python -m gateway documents register manifest.json --all-agencies   # Apollo persisted-query manifest
    python -m gateway documents list [--agency tand-ha-noi]
    python -m gateway documents remove <sha256> [--agency tand-ha-noi]

A ``.graphql`` file is one document, hashed exactly as written (send that exact text, or only its hash); a
``.json`` file is an Apollo persisted-query manifest (``{"operations": [{"id", "name", "body"}]}``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from graphql import GraphQLError, parse

from ..config import ConfigError, GatewaySettings
from .store import ALL_AGENCIES, TrustedDocumentStore, document_sha256


def register(subparsers: Any) -> None:
    """Add the ``documents`` command (the ``gateway.__main__`` contribution protocol)."""
    parser = subparsers.add_parser("documents", help="trusted documents: register, list, remove (safelisting)")
    parser.add_argument("--file", help="the store (default GATEWAY_TRUSTED_DOCUMENTS_FILE)")
    commands = parser.add_subparsers(dest="documents_command", required=True, metavar="ACTION")
    p = commands.add_parser("register", help="trust documents (.graphql, or an Apollo manifest .json) for agencies")
    p.add_argument("paths", nargs="+", help=".graphql files or persisted-query manifests")
    p.add_argument("--agency", action="append", default=[], help="agency id (repeatable)")
    p.add_argument("--all-agencies", action="store_true", help="trust for every caller (e.g. data subjects)")
    p.add_argument("--name", help="a name to list the document under (single .graphql file)")
    p = commands.add_parser("list", help="list the trusted documents")
    p.add_argument("--agency", help="only those trusted for this agency")
    p.add_argument("--json", action="store_true", help="print JSON")
    p = commands.add_parser("remove", help="withdraw a document (from some agencies, or altogether)")
    p.add_argument("sha256")
    p.add_argument("--agency", action="append", default=[], help="withdraw only for this agency (repeatable)")
    parser.set_defaults(handler=run)


def _documents(path: Path, name: str | None) -> list[tuple[str, str | None]]:
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".json":
        return [(text, name or path.stem)]
    manifest = json.loads(text)
    operations = manifest.get("operations") if isinstance(manifest, dict) else None
    if not isinstance(operations, list):
        raise ValueError(f"{path}: not a persisted-query manifest (no 'operations' list)")
    out = []
    for op in operations:
        body = op.get("body")
        if not isinstance(body, str):
            raise ValueError(f"{path}: an operation has no 'body'")
        if op.get("id") and op["id"] != document_sha256(body):
            raise ValueError(f"{path}: operation {op.get('name')!r}: id is not the sha256 of its body")
        out.append((body, op.get("name")))
    return out


def run(args: argparse.Namespace) -> int:
    try:
        settings = GatewaySettings.from_env()
    except ConfigError as exc:
        print(f"documents: {exc}", file=sys.stderr)
        return 2
    store = TrustedDocumentStore(Path(args.file) if args.file else settings.trusted_documents_file)
    if args.documents_command == "register":
        return _register(args, store, settings)
    if args.documents_command == "list":
        docs = [d for d in store.documents() if args.agency is None or d.trusted_for(args.agency)]
        if args.json:
            print(json.dumps([{"sha256": d.sha256, **d.to_json()} for d in docs], ensure_ascii=False, indent=1))
        for d in docs if not args.json else ():
            print(f"{d.sha256}  {d.name or '-'}  {','.join(sorted(d.agencies))}")
        return 0
    if not store.remove(args.sha256.lower(), args.agency):
        print(f"documents: no trusted document {args.sha256}", file=sys.stderr)
        return 1
    print(f"removed {args.sha256}" + (f" for {', '.join(args.agency)}" if args.agency else ""))
    return 0


def _register(args: argparse.Namespace, store: TrustedDocumentStore, settings: GatewaySettings) -> int:
    from ..auth import AgencyCatalogue

    agencies = list(args.agency) + ([ALL_AGENCIES] if args.all_agencies else [])
    if not agencies:
        print("documents: name the agencies (--agency ID, repeatable) or --all-agencies", file=sys.stderr)
        return 2
    catalogue = AgencyCatalogue.load(settings.auth.agencies_file)
    unknown = [a for a in args.agency if a not in catalogue]
    if unknown:
        print(f"documents: unknown agency {', '.join(unknown)} (see {settings.auth.agencies_file})", file=sys.stderr)
        return 2
    try:
        found = [d for path in args.paths for d in _documents(Path(path), args.name if len(args.paths) == 1 else None)]
        for body, _ in found:
            parse(body)  # a document that does not parse could never run
    except (OSError, ValueError, GraphQLError) as exc:
        print(f"documents: {exc}", file=sys.stderr)
        return 1
    for body, name in found:
        entry = store.register(body, agencies, name)
        print(f"{entry.sha256}  {entry.name or '-'}  {','.join(sorted(entry.agencies))}")
    return 0
