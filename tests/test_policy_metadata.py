"""Every rule of the policy carries an OPA ``# METADATA`` annotation with the article it implements
(``custom.article``), and ``policy explain`` prints the article of the rule that decided each path."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gateway.policy.bundle import load_bundle
from gateway.policy.engines import EmbeddedEngine
from gateway.policy.explain import explain_report, render_text
from gateway.policy.rego_source import Annotation, read_annotations, read_clauses
from gateway.policy.service import DEV_PSEUDONYM_KEY, PolicyService, build_input
from gateway.policy.types import Caller, Collected, DeclaredPurpose, RootCall

ROOT = Path(__file__).resolve().parents[1]
POLICY_FILES = sorted(p for p in (ROOT / "policies").glob("*.rego") if not p.name.endswith("_test.rego"))
ARTICLE = re.compile(r"\b(000|003|004) Art\. \d+")


def unannotated(name: str, source: str) -> list[str]:
    """Every rule definition of ``source`` without a valid METADATA block naming an article (with the reason),
    and every ``custom.branches`` list whose length is not the rule's number of clauses."""
    annotations = read_annotations(source)
    clauses, _ = read_clauses([(name, source)])
    problems: list[str] = []
    heads = [c for c in clauses if c.index == 0]
    for head in heads:
        found = annotations.get(head.line)
        where = f"{name}:{head.line} {head.rule}"
        if found is None:
            problems.append(f"{where}: no METADATA")
        elif not isinstance(found, Annotation):
            problems.append(f"{where}: {found}")
        elif not (found.title and found.description and ARTICLE.search(found.article)):
            problems.append(f"{where}: METADATA needs a title, a description and custom.article citing an article")
        elif found.branches:
            count = sum(1 for c in clauses if c.rule == head.rule and c.line >= head.line
                        and (c.index > 0 or c is head) and _same_statement(clauses, head, c))
            if len(found.branches) != count or not all(ARTICLE.search(b) for b in found.branches):
                problems.append(f"{where}: custom.branches has {len(found.branches)} articles for {count} clauses")
    return problems


def _same_statement(clauses: list, head: object, clause: object) -> bool:
    """Whether ``clause`` belongs to the rule definition starting at ``head`` (no other head in between)."""
    between = [c for c in clauses if c.file == head.file and head.line < c.line <= clause.line and c.index == 0]
    return not between


@pytest.mark.parametrize("path", POLICY_FILES, ids=lambda p: p.name)
def test_every_rule_carries_metadata_with_its_article(path: Path) -> None:
    assert unannotated(path.name, path.read_text(encoding="utf-8")) == []


def test_the_check_fails_on_a_rule_without_metadata_or_a_wrong_one() -> None:
    source = "\n".join([
        "package x", "", "import rego.v1", "",
        "# METADATA", "# title: Good", "# description: a rule", "# custom:", '#   article: "004 Art. 3.4"',
        "good(x) := 1 if {", "\tx", "} else := 2", "",
        "# a plain comment is no annotation", "bare(x) if x", "",
        "# METADATA", "# title: No article", "# description: d", "no_article if true", "",
        "# METADATA", "# title: [unclosed", "broken if true", "",
        "# METADATA", "# title: Branches", "# description: d", "# custom:", '#   article: "003 Art. 8"',
        '#   branches: ["003 Art. 8.1"]', "branched(x) := 1 if {", "\tx", "} else := 2", "",
    ])
    problems = unannotated("x.rego", source)
    assert [p.split(":")[1].split()[1] for p in problems] == ["bare", "no_article", "broken", "branched"]
    assert "no METADATA" in problems[0] and "invalid YAML" in problems[2] and "1 articles for 2 clauses" in problems[3]


def test_annotations_give_the_article_of_each_branch() -> None:
    rows = (ROOT / "policies" / "rows.rego").read_text(encoding="utf-8")
    annotations = read_annotations(rows)
    clauses, _ = read_clauses([("rows.rego", rows)])
    province = [c for c in clauses if c.rule == "province_rules"]
    found = annotations[province[0].line]
    assert isinstance(found, Annotation)
    assert [found.article_of(c.index) for c in province] == ["003 Art. 8.4", "003 Art. 8.1", "003 Art. 8.4"]


async def test_explain_prints_the_article_of_the_deciding_rule() -> None:
    bundle = load_bundle()
    caller = Caller("clerk", "stp-ha-noi", "justice_department", "001")
    declared = DeclaredPurpose("civil_status_registration", None)
    collected = Collected({"Person.fullName": "BASIC", "Person.sentences": "CRIMINAL"},
                          {"Person.fullName": "name", "Person.sentences": "reference"},
                          (RootCall("hits", "Query.searchPersons", {"provinceCode": "079"}),))
    service = PolicyService(EmbeddedEngine(reload_interval=None), pseudonym_key=DEV_PSEUDONYM_KEY)
    decided = await service.decide(caller, declared, "query", collected)
    report = explain_report(bundle, build_input(caller, declared, "query", collected), decided, None)
    fields = report["fields"]
    assert fields["Person.sentences"]["rule"]["title"] == "Field rules"
    assert "2.4" in fields["Person.sentences"]["rule"]["article"].split(";")[0]
    assert report["rootFields"]["hits"]["rule"]["article"] == "003 Art. 8.1, 8.4"
    rules = {r["id"]: r for r in report["rowRules"]}
    assert rules["province_scope"]["rule"]["article"] == "003 Art. 8.4"
    text = render_text(report)
    assert "[003 Art. 8.1, 8.4]" in text and "[003 Art. 8.4]" in text
