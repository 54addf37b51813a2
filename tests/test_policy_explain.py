"""``policy explain --query``: per path the verdict, the mask and the Rego clause (file:line) that decided it.

Expected lines are found in the policy source by the text of the clause, so the tests follow edits of the
policy that do not change what decides."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from graphql import build_ast_schema, parse

from gateway.grants.model import make_grant
from gateway.grants.resolver import GrantResolver, StaticGrants
from gateway.policy.bundle import load_bundle
from gateway.policy.categories import api_sdl
from gateway.policy.collect import collect
from gateway.policy.engines import EmbeddedEngine, RegoEvaluator
from gateway.policy.explain import document_paths, explain_report, trace
from gateway.policy.model import ProtectionModel
from gateway.policy.service import DEV_PSEUDONYM_KEY, PolicyService, build_input
from gateway.policy.types import Caller, DeclaredPurpose, PolicyRefusal

ROOT = Path(__file__).resolve().parents[1]
SDL = (ROOT / "schema.graphql").read_text(encoding="utf-8")
SCHEMA = build_ast_schema(parse(api_sdl(SDL)), assume_valid=True)
MODEL = ProtectionModel.from_sdl(SDL)
BUNDLE = load_bundle()
QUERY = """
query Q($id: ID!, $withFather: Boolean!) {
  person(personalId: $id) {
    fullName religion dateOfBirth sentences { id }
    father @include(if: $withFather) { fullName }
  }
  searchPersons(name: "Nguyen") { pageInfo { hasNextPage } }
  sentenceStatistics(fromYear: 2020, toYear: 2024) { offenders }
}
"""


def line_of(file: str, text: str) -> int:
    """The line of the clause whose first line contains ``text`` (exactly one)."""
    lines = (ROOT / "policies" / file).read_text(encoding="utf-8").splitlines()
    found = [n for n, line in enumerate(lines, 1) if text in line]
    assert len(found) == 1, (file, text, found)
    return found[0]


async def report(agency: str, kind: str, province: str | None, purpose: str | None, legal: str | None,
                 variables: dict[str, Any]) -> dict[str, Any]:
    document = parse(QUERY)
    arguments = BUNDLE.catalogue("rules")["policy_arguments"]
    collected = collect(SCHEMA, MODEL, document, None, variables, arguments)
    caller = Caller("t", agency, kind, province)
    declared = DeclaredPurpose(purpose, legal)
    service = PolicyService(EmbeddedEngine(reload_interval=None), pseudonym_key=DEV_PSEUDONYM_KEY)
    # the court's grant of the registry (policies/grants.rego), named by the legal basis "GR-0000000001 ..."
    service.grants = GrantResolver(StaticGrants([make_grant("tand-ha-noi", "criminal_proceedings", ("001090000001",))]))
    try:
        decided: Any = await service.decide(caller, declared, "query", collected)
    except PolicyRefusal as exc:
        decided = exc
    policy_input = build_input(caller, declared, "query", collected)
    policy_input["grant"] = (await service.grants.resolve(legal, purpose)).policy_input()
    return explain_report(BUNDLE, policy_input, decided, document_paths(SCHEMA, document, None, variables))


def at(entry: dict[str, Any]) -> str:
    return entry["rule"]["at"]


async def test_statistics_office_paths_name_their_rules() -> None:
    r = await report("cuc-thong-ke", "statistics", None, "statistics", None, {"id": "001090000001",
                                                                            "withFather": True})
    assert r["consistent"] is True
    paths = {p["path"]: p for p in r["paths"]}
    assert list(paths) == ["person", "person.fullName", "person.religion", "person.dateOfBirth", "person.sentences",
                           "person.sentences.id", "person.father", "person.father.fullName", "searchPersons",
                           "searchPersons.pageInfo", "searchPersons.pageInfo.hasNextPage", "sentenceStatistics", "sentenceStatistics.offenders"]
    masks_by_kind = f"masks.rego:{line_of('masks.rego', 'purpose_mask(ctx, f) := mask_effect(ctx, m, k) if {')}"
    assert (paths["person.fullName"]["effect"], at(paths["person.fullName"])) == ("withhold", masks_by_kind)
    assert paths["person.father.fullName"]["rule"] == paths["person.fullName"]["rule"]
    assert (paths["person.dateOfBirth"]["mask"], at(paths["person.dateOfBirth"])) == ("year_only", masks_by_kind)
    religion = line_of("fields.rego", "data withheld unless the purpose explicitly needs it")
    assert at(paths["person.religion"]) == f"fields.rego:{religion}"
    criminal = line_of("fields.rego", "CRIMINAL data only to courts")
    assert at(paths["person.sentences"]) == f"fields.rego:{criminal}"
    public = line_of("fields.rego", 'allow_effect("PUBLIC: no personal data") if {')
    assert at(paths["sentenceStatistics.offenders"]) == f"fields.rego:{public}"
    search = r["rootFields"]["searchPersons"]
    assert search["effect"] == "withhold"
    assert at(search) == f"calls.rego:{line_of('calls.rego', 'the statistics office may not search persons by name')}"
    rules = {x["id"]: x for x in r["rowRules"]}
    assert at(rules["cell_suppression"]) == f"rows.rego:{line_of('rows.rego', 'suppression_rules(inp) := [{')}"


async def test_court_legal_basis_decides_the_criminal_path_and_include_is_applied() -> None:
    without = await report("tand-ha-noi", "court", "001", "criminal_proceedings", None,
                           {"id": "001090000001", "withFather": False})
    paths = {p["path"]: p for p in without["paths"]}
    assert "person.father" not in paths  # @include(if: false)
    basis = line_of("fields.rego", "CRIMINAL data requires a declared legal basis")
    assert (paths["person.sentences"]["effect"], at(paths["person.sentences"])) == ("withhold", f"fields.rego:{basis}")
    granted = await report("tand-ha-noi", "court", "001", "criminal_proceedings", "GR-0000000001 case 1/2026",
                           {"id": "001090000001", "withFather": False})
    paths = {p["path"]: p for p in granted["paths"]}
    last = line_of("fields.rego", 'else := allow_effect(sprintf("%s: needed for purpose %s"')
    assert (paths["person.sentences"]["effect"], at(paths["person.sentences"])) == ("allow", f"fields.rego:{last}")
    assert granted["rootFields"] == {}


async def test_a_refusal_names_its_rule() -> None:
    r = await report("tand-ha-noi", "court", "001", "statistics", None, {"id": "1", "withFather": False})
    assert r["refused"] == "PURPOSE_NOT_PERMITTED" and r["consistent"] is True
    assert {at(x) for x in r["reasons"]} == {f"purposes.rego:{line_of('purposes.rego', 'not_permitted_reasons(inp) := {r |')}"}
    none = await report("tand-ha-noi", "court", "001", None, None, {"id": "1", "withFather": False})
    assert none["refused"] == "PURPOSE_REQUIRED"
    assert at(none["reasons"][0]) == f"purposes.rego:{line_of('purposes.rego', 'refusal(inp) :=')}"


@pytest.mark.parametrize("kind,agency,purpose,legal", [
    ("statistics", "cuc-thong-ke", "statistics", False), ("court", "tand-ha-noi", "criminal_proceedings", True),
    ("justice_department", "stp-ha-noi", "administrative_procedure", False),
])
def test_the_instrumented_policy_decides_as_the_policy(kind: str, agency: str, purpose: str, legal: bool) -> None:
    fields = [{"coordinate": c, "category": f.category, "kind": f.kind} for c, f in list(MODEL.fields.items())[::7]]
    policy_input = {"subject": {"agency": agency, "kind": kind, "province": "001", "role": None},
                    "purpose": purpose, "legal_basis_present": legal, "operation": "query", "fields": fields,
                    "calls": [{"key": "s", "coordinate": "Query.searchPersons", "arguments": {"provinceCode": "079"}}]}
    assert trace(BUNDLE, policy_input).decision == RegoEvaluator(BUNDLE).evaluate(policy_input)


def test_cli(tmp_path: Path) -> None:
    query = tmp_path / "q.graphql"
    query.write_text(QUERY, encoding="utf-8")
    common = [sys.executable, "-m", "gateway", "policy", "explain", "--agency", "cuc-thong-ke", "--purpose",
              "statistics", "--query", str(query), "--variables", '{"id": "001090000001", "withFather": true}']
    done = subprocess.run([*common, "--json"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert {p["path"] for p in out["paths"]} >= {"person.fullName", "person.father.fullName"}
    assert all(p["rule"] and p["rule"]["file"].endswith(".rego") for p in out["paths"])
    text = subprocess.run(common, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert text.returncode == 0, text.stderr
    assert "person.fullName" in text.stdout and "masks.rego:" in text.stdout and "WARNING" not in text.stdout
