"""``policy impact``: a real policy edit (the statistics office may see RELIGION) on a copy of policies/, and the
report names exactly the coordinates it changes; both versions are decided by the gateway's own engine."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gateway.policy.impact import impact
from gateway.policy.model import ProtectionModel

ROOT = Path(__file__).resolve().parents[1]
MODEL = ProtectionModel.from_sdl((ROOT / "schema.graphql").read_text(encoding="utf-8"))
# Person's fields and a few others: enough to see the change and the rows it must not touch, fast enough.
FIELDS = {c: f for c, f in MODEL.fields.items()
          if c.startswith("Person.") or c in ("Query.person", "Sentence.healthCondition", "SentenceStatistic.count")}
STATISTICS_PURPOSE_KINDS = ("statistics", "justice_ministry")  # purposes.json: who may declare `statistics`


def let_statistics_see_religion(directory: Path) -> None:
    """The policy edit: RELIGION becomes an explicit need of the statistics purpose."""
    path = directory / "data" / "purposes.json"
    catalogue = json.loads(path.read_text(encoding="utf-8"))
    entry = next(p for p in catalogue["purposes"] if p["id"] == "statistics")
    entry["sensitive_needs"] = [*entry["sensitive_needs"], "RELIGION"]
    path.write_text(json.dumps(catalogue, ensure_ascii=False, indent=2), encoding="utf-8")


@pytest.fixture()
def edited(tmp_path: Path) -> Path:
    copy = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", copy)
    let_statistics_see_religion(copy)
    return copy


def test_the_report_names_exactly_the_changed_coordinates(edited: Path) -> None:
    report = impact(edited, FIELDS, base_dir=ROOT / "policies")
    assert report.base_version != report.after_version
    changed = report.changed_rows()
    fields = {(r.agency_kind, r.purpose, r.legal_basis, r.coordinate) for r in changed if not r.is_row_rule}
    religion = [c for c, f in FIELDS.items() if f.category == "RELIGION"]
    assert religion == ["Person.religion"]
    assert fields == {(k, "statistics", lb, "Person.religion") for k in STATISTICS_PURPOSE_KINDS for lb in (False, True)}
    for r in changed:
        if not r.is_row_rule:
            assert (r.before.effect, r.after.effect) == ("withhold", "allow")
            assert "RELIGION" in r.before.reason
    # the row rules over every visible personal field now list Person.religion too, for the same callers only
    rules = {(r.agency_kind, r.purpose, r.coordinate) for r in changed if r.is_row_rule}
    assert rules == {(k, "statistics", f"row rule {rule}") for k in STATISTICS_PURPOSE_KINDS
                     for rule in ("child_consent", "deceased_or_missing", "processing_restricted")}
    assert all("Person.religion" in r.after.detail and "Person.religion" not in r.before.detail
               for r in changed if r.is_row_rule)
    summary = report.summary()
    assert summary["coordinatesChanged"] == 1
    assert summary["perAgencyKind"] == {"justice_ministry": 1, "statistics": 1}
    # every other combination was evaluated and is unchanged (refusals included)
    kinds = {r.agency_kind for r in report.rows}
    assert {"court", "civil_registry", "statistics"} <= kinds
    assert any(r.before.effect.startswith("refused:") for r in report.rows if r.before)


def test_no_change_no_rows(tmp_path: Path) -> None:
    copy = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", copy)
    report = impact(copy, {c: FIELDS[c] for c in ("Person.fullName", "Person.religion", "Person.sentences")},
                    base_dir=ROOT / "policies")
    assert report.base_version == report.after_version
    assert report.changed_rows() == []
    assert report.summary_line().startswith("0 coordinates changed")


def _run(*args: str, cwd: Path = ROOT, data_dir: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LT_DATA_DIR": str(data_dir)} if data_dir is not None else None
    return subprocess.run([sys.executable, "-m", "gateway", "policy", "impact", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300, env=env)


def test_cli_against_a_git_ref(tmp_path: Path) -> None:
    """The base is the committed policies/ of the repository the directory is in (git show REF:policies/...)."""
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "policies", repo / "policies")
    for command in (["init", "-q"], ["add", "policies"],
                    ["-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "policy"]):
        subprocess.run(["git", "-C", str(repo), *command], check=True, capture_output=True)
    let_statistics_see_religion(repo / "policies")
    out = tmp_path / "impact.json"
    done = _run("--base", "HEAD", "--dir", str(repo / "policies"), "--by", "category", "--format", "json",
                "--output", str(out), "--no-cache")
    assert done.returncode == 0, done.stderr
    assert "1 coordinates changed" in done.stdout
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["base"] == "git HEAD"
    fields = [r for r in report["rows"] if not r["coordinate"].startswith("row rule ")]
    assert {(r["agencyKind"], r["legalBasis"], r["coordinate"]) for r in fields} == {
        (k, lb, "RELIGION/text") for k in STATISTICS_PURPOSE_KINDS for lb in (False, True)}
    assert all(r["before"]["effect"] == "withhold" and r["after"]["effect"] == "allow" for r in fields)

    # the table evaluates both versions once more, into a cache of this test's own, which the Markdown reuses
    cache = tmp_path / "data"
    table = _run("--base", "HEAD", "--dir", str(repo / "policies"), "--by", "category", data_dir=cache)
    assert table.returncode == 0, table.stderr
    assert "RELIGION/text" in table.stdout and "withhold" in table.stdout
    assert len(list((cache / "cache" / "policy-impact").glob("*.json"))) == 2  # base and changed version
    markdown = _run("--base", "HEAD", "--dir", str(repo / "policies"), "--by", "category", "--format", "markdown",
                    data_dir=cache)
    assert "| agency kind | purpose |" in markdown.stdout
    unknown = _run("--base", "no-such-ref", "--dir", str(repo / "policies"), "--by", "category")
    assert unknown.returncode == 2 and "git" in unknown.stderr
