"""The categories of personal data: one for every kind 004 Art. 2.3 and 2.4 names, the same in the schemas'
enum (subgraphs/common/classification.py) and in the policy's catalogue (policies/data/rules.json), each with
its article; a sensitive one no purpose names is withheld until a purpose does."""

from __future__ import annotations

import copy
import dataclasses
import re
import subprocess
import sys

import pytest

from gateway.policy.bundle import load_bundle
from gateway.policy.categories import category_table, render_category_table
from gateway.policy.engines import RegoEvaluator
from subgraphs.common.classification import DataCategory
from tests.citations import ROOT, citations, load_index

BUNDLE = load_bundle()
RULES = BUNDLE.catalogue("rules")


def _points(article: str) -> set[tuple[str, str | None]]:
    return {(c, p) for _, d, a, c, p in citations(article) if d == "004" and a == "2"}


def test_the_schemas_and_the_policy_know_the_same_categories() -> None:
    assert RULES["categories"] == [c.name for c in DataCategory]
    assert set(RULES["category_articles"]) == set(RULES["categories"])


def test_every_category_cites_the_point_of_004_art_2_its_description_cites() -> None:
    for value in DataCategory.__strawberry_definition__.values:  # type: ignore[attr-defined]
        cited = _points(value.description)
        if value.name == "PUBLIC":
            assert cited == {("1", None)}
            continue
        assert cited and cited <= _points(RULES["category_articles"][value.name]) | {("3", None)}, value.name


def test_every_sensitive_kind_of_004_art_2_4_has_a_category() -> None:
    points = set(load_index()["004"]["2"]["4"])
    covered = {p for c in RULES["sensitive_categories"] for clause, p in _points(RULES["category_articles"][c])
               if clause == "4"}
    assert covered == points
    sensitive = {c for c, article in RULES["category_articles"].items() if ("4", None) in
                 {(cl, None) for cl, _ in _points(article)}}
    assert sensitive == set(RULES["sensitive_categories"])


def _effects(bundle, category: str, purpose: str, kind: str = "court", agency: str = "tand-ha-noi") -> dict:
    decision = RegoEvaluator(bundle).evaluate({
        "subject": {"agency": agency, "kind": kind, "province": "001", "role": "x"},
        "purpose": purpose, "legal_basis_present": True, "operation": "query",
        "fields": [{"coordinate": "Person.x", "category": category, "kind": "text"}],
    })
    return decision["fields"]["Person.x"]


@pytest.mark.parametrize("category", ["POLITICAL_OPINION", "GENETIC", "BIOMETRIC", "SEX_LIFE", "FINANCIAL",
                                      "LOCATION", "OTHER_SENSITIVE", "IMAGE", "DIGITAL_ACTIVITY"])
def test_a_category_no_purpose_names_is_withheld_until_one_does(category: str) -> None:
    effect = _effects(BUNDLE, category, "criminal_proceedings")
    assert effect["effect"] == "withhold" and re.search(r"004 Art\. 2\.4, 3\.4|004 Art\. 3\.3, 3\.4", effect["reason"])
    data = copy.deepcopy(BUNDLE.data)
    purpose = next(p for p in data["purposes"] if p["id"] == "criminal_proceedings")
    purpose["sensitive_needs" if category in RULES["sensitive_categories"] else "categories"].append(category)
    needed = dataclasses.replace(BUNDLE, data=data, version=BUNDLE.version + "+" + category)
    assert _effects(needed, category, "criminal_proceedings")["effect"] == "allow"


def test_the_table_for_policy_authors() -> None:
    rows = category_table(RULES, BUNDLE.data["purposes"])
    by = {r.name: r for r in rows}
    assert by["BIOMETRIC"].sensitive and by["BIOMETRIC"].article == "004 Art. 2.4.đ" and by["BIOMETRIC"].purposes == ()
    assert "criminal_proceedings" in by["HEALTH"].purposes and by["HEALTH"].explicit_need
    text = render_category_table(rows)
    assert text.count("\n") == len(RULES["categories"]) + 1
    out = subprocess.run([sys.executable, "-m", "gateway", "policy", "categories"], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    assert out.strip() == text


def test_the_gateways_local_schemas_list_the_same_categories() -> None:
    """The access log's standalone prelude (gateway/audit/access_log.py) must compose with the subgraphs' enum."""
    from gateway.audit.access_log import ACCESS_LOG_SDL_PRELUDE

    declared = re.search(r"enum DataCategory \{([^}]*)\}", ACCESS_LOG_SDL_PRELUDE)
    assert declared is not None and declared.group(1).split() == [c.name for c in DataCategory]
