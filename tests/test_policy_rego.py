"""The Rego policy's own tests, run through ``python -m gateway policy test``, and ``policy explain``."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from gateway.policy.testing import run_rego_tests

ROOT = Path(__file__).resolve().parents[1]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gateway", "policy", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_every_rego_module_has_a_test_file() -> None:
    modules = [p for p in (ROOT / "policies").glob("*.rego") if not p.name.endswith("_test.rego")]
    assert modules
    for module in modules:
        assert module.with_name(module.stem + "_test.rego").exists(), module


def test_policy_test_command_passes() -> None:
    proc = _cli("test")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "FAIL" not in proc.stdout
    assert "PASS purposes_test.rego::test_personal_data_without_purpose_is_refused" in proc.stdout


def test_policy_test_command_fails_on_a_failing_test(tmp_path: Path) -> None:
    copy = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", copy)
    (copy / "broken_test.rego").write_text(
        'package lienthong.broken_test\n\nimport rego.v1\n\ntest_wrong if { 1 == 2 }\n\ntest_right if { 1 == 1 }\n'
    )
    results = {r.name: r.passed for r in run_rego_tests(copy)}
    assert results["test_wrong"] is False and results["test_right"] is True
    proc = _cli("test", "--dir", str(copy))
    assert proc.returncode == 1
    assert "FAIL broken_test.rego::test_wrong" in proc.stdout


def test_explain_fields_prints_reasons() -> None:
    proc = _cli(
        "explain", "--agency", "stp-ha-noi", "--purpose", "administrative_procedure", "--json",
        "--fields", "Person.fullName=BASIC,Person.sentences=CRIMINAL,Person.religion=RELIGION,Person.x",
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    fields = report["fields"]
    assert fields["Person.fullName"]["effect"] == "allow"
    assert fields["Person.sentences"]["effect"] == "withhold"
    assert "004 Art. 2.4.g" in fields["Person.sentences"]["reason"]
    assert fields["Person.religion"]["effect"] == "withhold"
    assert fields["Person.x"]["category"] == "UNCLASSIFIED" and fields["Person.x"]["effect"] == "withhold"
    assert {r["id"] for r in report["rowRules"]} >= {"province_scope", "deceased_or_missing"}


def test_explain_refusal_and_query(tmp_path: Path) -> None:
    proc = _cli("explain", "--agency", "ubnd-phuong-hoan-kiem", "--purpose", "criminal_proceedings",
                "--fields", "Person.fullName=BASIC")
    assert proc.returncode == 0 and "REFUSED PURPOSE_NOT_PERMITTED" in proc.stdout
    schema = tmp_path / "schema.graphql"
    schema.write_text(
        'directive @personalData(category: String, kind: String) on FIELD_DEFINITION\n'
        'type Query { person(personalId: ID!): Person @personalData(category: "IDENTIFIER", kind: "REFERENCE") }\n'
        'type Person { personalId: ID! @personalData(category: "IDENTIFIER", kind: "IDENTIFIER")\n'
        '  fullName: String @personalData(category: "BASIC", kind: "NAME") }\n'
    )
    query = tmp_path / "q.graphql"
    query.write_text('query { person(personalId: "001") { n: fullName personalId } }')
    proc = _cli("explain", "--agency", "cuc-thong-ke", "--purpose", "statistics", "--query", str(query),
                "--schema", str(schema))
    assert proc.returncode == 0, proc.stderr
    assert "mask:pseudonym" in proc.stdout and "Person.fullName" in proc.stdout
