"""``python -m gateway policy test [--coverage]|explain|impact`` (``register(subparsers)`` is called by
gateway/__main__.py); the work is in testing.py, coverage.py, explain.py and impact.py."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from .bundle import load_bundle
from .engines import EmbeddedEngine
from .service import DEV_PSEUDONYM_KEY, PolicyService
from .testing import run_rego_tests
from .types import Caller, Collected, DeclaredPurpose, PolicyError, PolicyRefusal


def register(subparsers: Any) -> None:
    """Add the ``policy`` command group to the gateway CLI."""
    policy = subparsers.add_parser("policy", help="test the Rego policy (and its coverage), explain a decision, "
                                   "report the impact of a change")
    commands = policy.add_subparsers(dest="policy_command", required=True)
    test = commands.add_parser("test", help="run every test_* rule in policies/*_test.rego (--coverage)")
    test.add_argument("--dir", default=None, help="policy directory (default: policies/)")
    test.add_argument("--coverage", action="store_true",
                      help="which rule clauses and catalogue entries the tests exercise (method in the output)")
    test.add_argument("--threshold", type=float, default=None, metavar="PCT",
                      help="with --coverage: exit 1 when rule or catalogue coverage is below PCT percent")
    test.add_argument("--no-catalogue", action="store_true",
                      help="with --coverage: rules only (the catalogue mutation test takes about a minute)")
    test.add_argument("--show-all", action="store_true", help="with --coverage: covered entries too")
    test.set_defaults(func=cmd_test)
    explain = commands.add_parser("explain", help="per path of a document (or per field): verdict, mask, reason "
                                  "and the Rego rule (file:line) that decided it")
    explain.add_argument("--agency", required=True, help="agency id from policies/data/agencies.json")
    explain.add_argument("--purpose", default=None)
    explain.add_argument("--legal-basis", default=None)
    source = explain.add_mutually_exclusive_group(required=True)
    source.add_argument("--query", type=Path, help="file with a GraphQL operation (needs --schema)")
    source.add_argument("--fields", help="Type.field[=CATEGORY],... (category from --schema if omitted)")
    explain.add_argument("--schema", type=Path, default=Path("schema.graphql"), help="supergraph or API SDL")
    explain.add_argument("--operation-name", default=None)
    explain.add_argument("--variables", default=None, help="JSON object: @skip/@include, root call arguments")
    explain.add_argument("--dir", default=None, help="policy directory (default: policies/)")
    explain.add_argument("--json", action="store_true", help="machine-readable output")
    explain.set_defaults(func=cmd_explain)
    categories = commands.add_parser("categories", help="the personal-data categories the policy knows: article "
                                     "(004 Art. 2), sensitive or not, the purposes released each (Markdown table)")
    categories.add_argument("--dir", default=None, help="policy directory (default: policies/)")
    categories.set_defaults(func=cmd_categories)
    impact = commands.add_parser("impact", help="what a policy change changes: verdicts before and after, per "
                                 "agency kind x purpose x coordinate")
    base = impact.add_mutually_exclusive_group()
    base.add_argument("--base", default="HEAD", help="git ref of the base policy (default: HEAD, the committed one)")
    base.add_argument("--base-dir", type=Path, default=None, help="a policy directory as the base instead of git")
    impact.add_argument("--dir", type=Path, default=None, help="the changed policy directory (default: policies/)")
    impact.add_argument("--schema", type=Path, default=Path("schema.graphql"), help="the supergraph SDL")
    impact.add_argument("--by", choices=("coordinate", "category"), default="coordinate",
                        help="one row per field coordinate (default) or per declared category/kind")
    impact.add_argument("--only", default=None, help="TYPE[,TYPE...]: only these types' coordinates")
    impact.add_argument("--format", choices=("table", "markdown", "json"), default="table")
    impact.add_argument("--output", type=Path, default=None, help="write the report here (default: stdout)")
    impact.add_argument("--all", action="store_true", help="every row, not only the changed ones")
    impact.add_argument("--no-cache", action="store_true", help="do not reuse evaluations of an unchanged version")
    impact.set_defaults(func=cmd_impact)


def cmd_test(args: argparse.Namespace) -> int:
    """Print pass/fail per Rego test; exit 1 on any failure (and, with ``--coverage --threshold``, on coverage
    below the threshold)."""
    results = run_rego_tests(args.dir)
    for r in results:
        print(f"{'PASS' if r.passed else 'FAIL'} {r.file}::{r.name}" + (f"\n    {r.detail}" if r.detail else ""))
    failed = sum(not r.passed for r in results)
    print(f"{len(results) - failed} passed, {failed} failed")
    status = 1 if failed or not results else 0
    if args.coverage:
        from .coverage import measure, render

        report = measure(load_bundle(args.dir), catalogue=not args.no_catalogue)
        print(render(report, show_all=args.show_all))
        if args.threshold is not None:
            low = [f"{name} {value:.1f}%" for name, value in (("rules", report.rule_percent),
                                                               ("catalogue", report.catalogue_percent))
                   if value is not None and value < args.threshold]
            if low:
                print(f"coverage below the threshold of {args.threshold:g}%: {', '.join(low)}")
                status = 1
            else:
                print(f"coverage meets the threshold of {args.threshold:g}%")
    return status


def cmd_categories(args: argparse.Namespace) -> int:
    """Print the categories table for a policy author classifying a new subgraph."""
    from .categories import category_table, render_category_table

    bundle = load_bundle(args.dir)
    rules = bundle.catalogue("rules") or {}
    print(render_category_table(category_table(rules, bundle.data.get("purposes") or [])))
    return 0


def cmd_impact(args: argparse.Namespace) -> int:
    """Print (or write) the impact report; exit 0 whatever it finds (it informs, it does not gate)."""
    from .impact import RENDERERS, cache_dir, impact
    from .model import ProtectionModel

    if not args.schema.exists():
        print(f"{args.schema} not found (python -m gateway compose)", file=sys.stderr)
        return 2
    fields = ProtectionModel.from_sdl(args.schema.read_text(encoding="utf-8")).fields
    if args.only:
        types = {t.strip() for t in args.only.split(",") if t.strip()}
        fields = {c: f for c, f in fields.items() if c.split(".", 1)[0] in types}
    after = args.dir or load_bundle(None).directory
    try:
        report = impact(after, fields, base_ref=args.base, base_dir=args.base_dir, by=args.by,
                        cache=None if args.no_cache else cache_dir())
    except (OSError, ValueError, PolicyError) as exc:
        print(f"policy impact: {exc}", file=sys.stderr)
        return 2
    except subprocess.CalledProcessError as exc:
        stderr = exc.stderr.decode(errors="replace") if isinstance(exc.stderr, bytes) else exc.stderr or ""
        print(f"policy impact: git: {stderr.strip() or exc}", file=sys.stderr)
        return 2
    text = RENDERERS[args.format](report, report.rows if args.all else report.changed_rows())
    if args.output:
        args.output.write_text(text + "\n", encoding="utf-8")
        print(report.summary_line())
    else:
        print(text)
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    """Evaluate one decision; print per path (``--query``) or coordinate (``--fields``) the verdict, mask,
    reason and the rule (file:line) that decided it, then root calls and row rules."""
    from .explain import explain_report, render_text
    from .service import build_input

    bundle = load_bundle(args.dir)
    agency = next((a for a in bundle.data.get("agencies", []) if a["id"] == args.agency), None)
    if agency is None:
        print(f"unknown agency {args.agency!r}", file=sys.stderr)
        return 2
    coordinates, paths = _coordinates(args, bundle)
    operation_type = _operation_type(args)  # a mutation: its root calls are writes (writes.rego)
    caller = Caller("explain", agency["id"], agency["kind"], agency.get("province"))
    declared = DeclaredPurpose(args.purpose, args.legal_basis)
    service = PolicyService(EmbeddedEngine(args.dir, reload_interval=None), pseudonym_key=DEV_PSEUDONYM_KEY)
    # the grant --legal-basis names, as the gateway store holds it (gateway.grants; policies/grants.rego)
    from ..grants.resolver import offline_resolver

    service.grants = offline_resolver(args.legal_basis, dict(os.environ))
    grant = asyncio.run(service.grants.resolve(args.legal_basis, args.purpose))
    decided: Any
    try:
        decided = asyncio.run(service.decide(caller, declared, operation_type, coordinates))
    except PolicyRefusal as exc:
        decided = exc
    except PolicyError as exc:
        print(f"policy unavailable: {exc}", file=sys.stderr)
        return 2
    policy_input = build_input(caller, declared, operation_type, coordinates)
    policy_input["grant"] = grant.policy_input()
    report = explain_report(bundle, policy_input, decided, paths)
    print(json.dumps(report, ensure_ascii=False, indent=2) if args.json else render_text(report))
    return 0


def _operation_type(args: argparse.Namespace) -> str:
    """``query`` or ``mutation``: the type of ``--query``'s operation (``--fields``: a query)."""
    if not args.query:
        return "query"
    from graphql import parse

    from .walk import operation_of

    return operation_of(parse(args.query.read_text(encoding="utf-8")), args.operation_name).operation.value


def _write_calls(schema: Any, sdl: str, document: Any, operation_name: str | None,
                 variables: dict[str, Any]) -> tuple[Any, ...]:
    from ..writes.calls import write_calls
    from ..writes.model import WriteModel

    return write_calls(schema, WriteModel.from_sdl(sdl), document, operation_name, variables)


def vars_of(effect: Any) -> dict[str, Any]:
    return {"effect": effect.effect, "mask": effect.mask, "reason": effect.reason}


def _coordinates(args: argparse.Namespace, bundle: Any) -> tuple[Collected, list[tuple[str, str]] | None]:
    """Categories and kinds from the declarations in ``--schema``; coordinates from ``--query`` (with the
    document's paths and its root calls' policy arguments, as the gateway collects them) or ``--fields``
    (``Type.field`` or ``Type.field=CATEGORY``)."""
    from .model import ProtectionModel

    model = ProtectionModel({}, {})
    schema = None
    if args.schema.exists():
        from graphql import build_ast_schema, parse

        from .categories import api_sdl

        sdl = args.schema.read_text(encoding="utf-8")
        model = ProtectionModel.from_sdl(sdl)
        if args.query:
            schema = build_ast_schema(parse(api_sdl(sdl)), assume_valid=True)
    if args.query:
        if schema is None:
            raise SystemExit(f"--query needs a schema: {args.schema} not found (python -m gateway compose)")
        from graphql import parse

        from .collect import collect
        from .explain import document_paths

        variables = json.loads(args.variables) if args.variables else {}
        from graphql import validate

        document = parse(args.query.read_text(encoding="utf-8"))
        errors = validate(schema, document)
        if errors:  # explain what the gateway would run, not a document it would refuse
            raise SystemExit("GRAPHQL_VALIDATION_FAILED: " + "; ".join(e.message for e in errors[:5]))
        arguments = (bundle.catalogue("rules") or {}).get("policy_arguments") or {}
        collected = collect(schema, model, document, args.operation_name, variables, arguments)
        writes = _write_calls(schema, sdl, document, args.operation_name, variables)
        if writes:  # as the gateway's policy hook: every mutation root field is a write call
            import dataclasses

            kept = tuple(c for c in collected.calls if all(c.key != w.key for w in writes))
            collected = dataclasses.replace(collected, calls=(*kept, *writes))
        return collected, document_paths(schema, document, args.operation_name, variables)
    out: dict[str, str] = {}
    for item in filter(None, (s.strip() for s in args.fields.split(","))):
        coordinate, _, category = item.partition("=")
        out[coordinate] = category or model.category(coordinate)
    return Collected(out, {c: model.kind(c) for c in out}), None
