"""``policy test --coverage``: rule clauses the tests make succeed (instrumented run), catalogue entries whose
deletion makes a test fail (mutation), the threshold's exit status; on temporary copies of policies/."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gateway.policy.bundle import load_bundle
from gateway.policy.coverage import catalogue_entries, measure
from gateway.policy.testing import run_rego_tests

ROOT = Path(__file__).resolve().parents[1]
UNTESTED = """package lienthong.authz

import rego.v1

# A rule no test reaches (and a branch of it).
untested_rule(x) := "big" if {
	x > 1000
} else := "small"
"""


@pytest.fixture()
def policies(tmp_path: Path) -> Path:
    copy = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", copy)
    (copy / "untested.rego").write_text(UNTESTED, encoding="utf-8")
    catalogue = json.loads((copy / "data" / "agencies.json").read_text(encoding="utf-8"))
    catalogue["agencies"].append({"id": "zz-untested", "name": "x", "kind": "court", "province": None})
    (copy / "data" / "agencies.json").write_text(json.dumps(catalogue, ensure_ascii=False), encoding="utf-8")
    return copy


WATCHED = ("agencies[zz-untested]", "agencies[tand-ha-noi]", "purposes[statistics]", "rules.minors.age",
           "rules.criminal.requires_legal_basis", "rules.policy_arguments[Query.searchPersons][provinceCode]",
           "purposes[statistics].name_vi")


def test_rules_and_entries(policies: Path) -> None:
    report = measure(load_bundle(policies), only=lambda e: e.name in WATCHED)
    assert report.failed_tests == [] and report.tests == len(run_rego_tests(policies))
    by_place = {(c.file, c.line): c for c in report.clauses}
    head, otherwise = by_place[("untested.rego", 6)], by_place[("untested.rego", 8)]
    assert (head.rule, head.index, otherwise.index) == ("untested_rule", 0, 1)
    assert not report.hits.get(head.id) and not report.hits.get(otherwise.id)
    criminal = next(c for c in report.clauses if c.file == "fields.rego" and "CRIMINAL data only to courts"
                    in (policies / "fields.rego").read_text().splitlines()[c.line - 1])
    assert report.hits.get(criminal.id, 0) > 0
    assert 50 < report.rule_percent < 100
    entries = {e.name: (ok, e.read_by_policy) for e, ok in report.entries}
    assert set(entries) == set(WATCHED)
    assert entries["agencies[zz-untested]"] == (False, True)  # read by the policy, no test depends on it
    assert entries["agencies[tand-ha-noi]"] == (True, True)
    assert entries["purposes[statistics]"] == (True, True)
    assert entries["rules.criminal.requires_legal_basis"] == (True, True)  # a flag: negated, not deleted
    assert entries["rules.policy_arguments[Query.searchPersons][provinceCode]"][1] is False  # gateway-only
    assert entries["purposes[statistics].name_vi"][1] is False


def test_every_catalogue_entry_is_listed() -> None:
    names = {e.name for e in catalogue_entries(load_bundle())}
    assert {"agencies[cuc-thong-ke]", "purposes[statistics].masks_by_kind.date",
            "rules.cell_suppression.threshold", "rules.transparency.roles[dpo]"} <= names


def test_threshold_sets_the_exit_status(policies: Path) -> None:
    def run(*extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "gateway", "policy", "test", "--dir", str(policies),
                               "--coverage", "--no-catalogue", *extra], cwd=ROOT, capture_output=True, text=True,
                              timeout=300)
    low = run("--threshold", "100")
    assert low.returncode == 1, low.stdout
    assert "NOT COVERED  untested.rego:6" in low.stdout and "below the threshold of 100%" in low.stdout
    assert "instrumented evaluation" in low.stdout  # says how it measured
    ok = run("--threshold", "50")
    assert ok.returncode == 0, ok.stdout
    assert "meets the threshold of 50%" in ok.stdout
