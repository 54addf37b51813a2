"""Every entry of the policy's catalogues names the article it implements: each purpose its legal basis (and the
004 Art. 17 clause of an exemption), each agency kind the article that makes it an exploiter of the databases,
each tunable of data/rules.json its article, each write rule its legal basis."""

from __future__ import annotations

import re

import pytest

from gateway.policy.bundle import load_bundle

DATA = load_bundle().data
ARTICLE = re.compile(r"\b(000|003|004) Art\. \d+")


def test_every_purpose_names_its_legal_basis_and_its_exemption() -> None:
    for purpose in DATA["purposes"]:
        assert ARTICLE.search(purpose["legal_basis"]), purpose["id"]
        if purpose.get("exempt_004_art17"):
            assert re.match(r"004 Art\. 17\.[1-5]\b", purpose["exemption_article"] or ""), purpose["id"]
        else:
            assert purpose.get("exemption_article") is None, purpose["id"]


def test_every_agency_kind_names_its_article() -> None:
    kinds = DATA["agency_kinds"]
    assert {a["kind"] for a in DATA["agencies"]} <= set(kinds)
    for kind, entry in kinds.items():
        assert ARTICLE.search(entry.get("article", "")), kind


def test_every_rules_tunable_names_its_article() -> None:
    rules = DATA["rules"]
    articles = rules["articles"]
    missing = sorted(k for k in rules if k not in articles)
    assert missing == [], f"data/rules.json tunables without an entry in rules.articles: {missing}"
    assert all(ARTICLE.search(text) for text in articles.values())
    for key, value in rules.items():
        if isinstance(value, dict) and key not in ("articles", "category_articles", "policy_arguments",
                                                   "province_scoped_calls"):
            assert ARTICLE.search(value.get("article", "")), key


@pytest.mark.parametrize("catalogue", ["writes", "grants"])
def test_write_rules_and_grants_name_theirs(catalogue: str) -> None:
    doc = DATA.get(catalogue)
    if doc is None:
        pytest.skip(f"no data/{catalogue}.json in this policy")
    if catalogue == "writes":
        for coordinate, rule in doc["mutations"].items():
            assert ARTICLE.search(rule["legal_basis"]), coordinate
    else:
        assert ARTICLE.search(doc["article"])


def test_coverage_counts_citations_as_documentation() -> None:
    """``policy test --coverage`` does not mutation-test an entry's ``article``: deleting a citation changes no
    decision, so it is listed as not read rather than reported as not exercised."""
    from gateway.policy.coverage import catalogue_entries

    entries = {e.name: e for e in catalogue_entries(load_bundle())}
    assert not entries["rules.criminal.article"].read_by_policy
    assert not entries["rules.children.article"].read_by_policy
    assert entries["rules.children.age"].read_by_policy and entries["rules.criminal.requires_legal_basis"].read_by_policy
