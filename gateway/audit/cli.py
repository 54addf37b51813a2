"""``python -m gateway audit verify|export|prune|keygen``."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime, timedelta
from typing import TextIO

from .maintenance import PruneRefused, export, prune, verify
from .record import AuditUnavailable
from .settings import AuditSettings
from .signing import generate_key
from .store import AuditStore


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``audit`` command group to the gateway CLI."""
    audit = subparsers.add_parser("audit", help="verify, export or prune the audit trail",
                                  description="Audit trail maintenance (GATEWAY_AUDIT_DATABASE_URL).")
    audit.add_argument("--database-url", help="override GATEWAY_AUDIT_DATABASE_URL")
    sub = audit.add_subparsers(dest="audit_command", required=True)

    v = sub.add_parser("verify", help="check the hash chain, the signed checkpoints and the witness; exit 1 "
                                      "naming what failed")
    v.add_argument("--checkpoint", action="append", default=[], metavar="SEQ:HASH",
                   help="a (seq, hash) recorded earlier outside the database; detects a rewritten chain")
    v.set_defaults(handler=run)

    e = sub.add_parser("export", help="write records as JSON lines or CSV")
    e.add_argument("--since", help="ISO date/time, inclusive (UTC when no offset)")
    e.add_argument("--until", help="ISO date/time, exclusive")
    e.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
    e.add_argument("--output", "-o", help="file (default: stdout)")
    e.set_defaults(handler=run)

    p = sub.add_parser("prune", help="delete records older than a date, keeping the chain verifiable")
    p.add_argument("--before", help="ISO date; default: now minus GATEWAY_AUDIT_RETENTION_DAYS")
    p.set_defaults(handler=run)

    k = sub.add_parser("keygen", help="create the audit signing key (GATEWAY_AUDIT_SIGNING_KEY_FILE) and add its "
                                      "public half to GATEWAY_AUDIT_VERIFY_KEYS_FILE; never overwrites a key")
    k.add_argument("--if-absent", action="store_true", help="succeed without doing anything if the key exists "
                   "(for a one-shot provisioning job)")
    k.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Execute an ``audit`` sub-command; returns the exit status."""
    settings = AuditSettings.from_env()
    if args.audit_command == "keygen":
        return _keygen(settings, args.if_absent)
    store = AuditStore(settings, database_url=args.database_url)
    try:
        if args.audit_command == "export" and args.output:
            with open(args.output, "w", encoding="utf-8", newline="") as out:
                return asyncio.run(_run(args, store, settings, out))
        return asyncio.run(_run(args, store, settings, sys.stdout))
    except AuditUnavailable as exc:
        print(f"audit: {exc}", file=sys.stderr)
        return 3


async def _run(args: argparse.Namespace, store: AuditStore, settings: AuditSettings, out: TextIO) -> int:
    await store.start(writer=False)
    try:
        if args.audit_command == "verify":
            return await _verify(store, args.checkpoint)
        if args.audit_command == "export":
            count = await export(store, out, args.format, args.since, args.until)
            print(f"exported {count} record(s)", file=sys.stderr)
            return 0
        before = args.before or (datetime.now(UTC) - timedelta(days=settings.retention_days)).isoformat()
        try:
            result = await prune(store, before, settings.retention_days)
        except PruneRefused as exc:
            print(f"audit prune refused: {exc}", file=sys.stderr)
            return 1
        print(f"pruned {result.deleted} record(s); first kept seq {result.first_kept}, anchor seq "
              f"{result.anchor_seq}")
        return 0
    finally:
        await store.close()


async def _verify(store: AuditStore, checkpoints: list[str]) -> int:
    parsed: dict[int, str] = {}
    for item in checkpoints:
        seq, _, digest = item.partition(":")
        if not seq.isdigit() or len(digest) != 64:
            print(f"audit verify: bad checkpoint {item!r} (expected SEQ:HASH)", file=sys.stderr)
            return 2
        parsed[int(seq)] = digest
    verdict = await verify(store, parsed)
    if verdict.problem is not None:
        first = verdict.problem
        print(f"audit chain BROKEN at record seq {first.seq}: {first.reason}")
        for problem in verdict.problems[1:]:
            print(f"  also at seq {problem.seq}: {problem.reason}")
        print(f"({verdict.records} record(s) verified before the first problem; "
              f"{verdict.checkpoints} signed checkpoint(s) in the witness)")
        return 1
    print(f"audit chain OK: {verdict.records} record(s), seq {verdict.first_seq}..{verdict.head_seq}, "
          f"head hash {verdict.head_hash}")
    if store.signed:
        print(f"signed checkpoints OK: {verdict.checkpoints} in witness {store.settings.witness}, newest at seq "
              f"{verdict.witnessed_seq}; signatures checked with {store.settings.verify_keys_file}")
    else:
        print("(unsigned trail: no signing key or witness configured, checkpoints not checked)")
    for note in verdict.notes:
        print(f"note: {note}")
    return 0


def _keygen(settings: AuditSettings, if_absent: bool) -> int:
    if settings.signing_key_file is None or settings.verify_keys_file is None:
        print("audit keygen: no key file configured", file=sys.stderr)
        return 2
    if if_absent and settings.signing_key_file.exists():
        print(f"audit signing key {settings.signing_key_file} exists; kept")
        return 0
    try:
        key = generate_key(settings.signing_key_file, settings.verify_keys_file)
    except FileExistsError as exc:
        print(f"audit keygen: {exc}", file=sys.stderr)
        return 1
    print(f"audit signing key {key.kid} written to {settings.signing_key_file} (mode 0600); public key added to "
          f"{settings.verify_keys_file}")
    return 0
