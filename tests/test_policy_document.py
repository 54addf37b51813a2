"""collect / prepare / apply on a small schema executed by graphql-core (the subgraphs' stand-in)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from graphql import Visitor, execute, parse, print_ast, validate, visit

from gateway.policy import BadUserInput, Caller, DeclaredPurpose, EmbeddedEngine, PolicyService
from tests.policy_fixtures import CATEGORIES, has_reserved_keys, schema, world

COURT = Caller("judge-1", "tand-ha-noi", "court", "001", "judge")
ENFORCEMENT = Caller("officer-1", "c10-bca", "criminal_enforcement", None, "officer")
REGISTRY = Caller("clerk-1", "ubnd-phuong-hoan-kiem", "civil_registry", "001", "clerk")
JUSTICE = Caller("clerk-2", "stp-ha-noi", "justice_department", "001", "clerk")
STATS = Caller("analyst-1", "cuc-thong-ke", "statistics", None, "analyst")


@pytest.fixture(scope="module")
def engine() -> EmbeddedEngine:
    return EmbeddedEngine(reload_interval=None)


@pytest.fixture
def service(engine: EmbeddedEngine) -> PolicyService:
    return PolicyService(engine, pseudonym_key=b"test-key", clock=lambda: dt.date(2026, 6, 1))


async def run(
    service: PolicyService, caller: Caller, purpose: DeclaredPurpose, query: str, variables: dict | None = None
) -> tuple[Any, Any]:
    """The pipeline's policy stages around graphql-core execution of the prepared document."""
    s = schema()
    document = parse(query)
    coordinates = service.collect(s, CATEGORIES, document, None, variables)
    decision = await service.decide(caller, purpose, "query", coordinates)
    prepared = service.prepare(document, decision, s)
    assert validate(s, prepared) == [], print_ast(prepared)
    result = execute(s, prepared, root_value=world(), variable_values=variables)
    assert not result.errors, result.errors
    applied = service.apply({"data": result.data, "errors": []}, prepared, None, variables, decision, s)
    assert not has_reserved_keys(applied.data)
    return applied, prepared


def field_names(document: Any) -> set[str]:
    names: set[str] = set()

    class Names(Visitor):
        def enter_field(self, node: Any, *_: Any) -> None:
            names.add(node.name.value)

    visit(document, Names())
    return names


def forbidden_paths(applied: Any) -> set[tuple]:
    return {tuple(e["path"]) for e in applied.errors if e["extensions"]["code"] == "FORBIDDEN_FIELD"}


QUERY = """
query Q($withFather: Boolean!) {
  p: person(personalId: "079090000003") {
    ...Names
    belief: religion
    father @include(if: $withFather) { fullName religion }
    sentences { charges }
  }
}
fragment Names on Person { fullName ... on Person { r2: religion } }
"""


def test_collect_reaches_fields_through_aliases_fragments_and_include(service: PolicyService) -> None:
    s = schema()
    on = service.collect(s, CATEGORIES, parse(QUERY), None, {"withFather": True})
    assert on["Person.religion"] == "RELIGION" and on["Person.father"] == "FAMILY"
    off = service.collect(s, CATEGORIES, parse(QUERY), None, {"withFather": False})
    assert "Person.father" not in off and "Person.religion" in off
    union = service.collect(s, CATEGORIES, parse("{ search { __typename ... on Sentence { charges } } }"), None, {})
    assert union == {"Query.search": "BASIC", "Sentence.charges": "CRIMINAL"}
    iface = service.collect(s, CATEGORIES, parse("{ events { registrationNumber } }"), None, {})
    assert set(iface) == {"Query.events", "Birth.registrationNumber", "Marriage.registrationNumber"}
    secret = service.collect(s, CATEGORIES, parse('{ person(personalId: "1") { secret } }'), None, {})
    assert secret["Person.secret"] == "UNCLASSIFIED"


def test_reserved_alias_is_bad_user_input(service: PolicyService) -> None:
    with pytest.raises(BadUserInput):
        service.collect(schema(), CATEGORIES, parse('{ person(personalId: "1") { _lt_x: fullName } }'), None, {})


async def test_withheld_field_reached_by_every_path(service: PolicyService) -> None:
    purpose = DeclaredPurpose("criminal_proceedings", "VKS-123/2026")
    applied, prepared = await run(service, COURT, purpose, QUERY, {"withFather": True})
    printed = print_ast(prepared)
    assert "religion" not in field_names(prepared)  # never fetched from a subgraph
    assert "_lt_personalId: personalId" in printed and "_lt_dateOfBirth: dateOfBirth" in printed
    p = applied.data["p"]
    assert p["fullName"] == "Trần Thị Lớn" and p["belief"] is None and p["r2"] is None
    assert p["father"] == {"fullName": "Nguyễn Văn Bố", "religion": None}
    assert p["sentences"] == [{"charges": "Art. 171"}]
    assert forbidden_paths(applied) == {("p", "belief"), ("p", "r2"), ("p", "father", "religion")}
    policy = applied.extensions["policy"]
    assert policy["purpose"] == "criminal_proceedings" and policy["policyVersion"].startswith("sha256:")
    assert {m["coordinate"] for m in policy["masked"]} == {"Person.religion"}
    assert applied.subjects == {"079090000003", "001060000001"}


async def test_include_false_skips_the_path(service: PolicyService) -> None:
    applied, _ = await run(service, COURT, DeclaredPurpose("criminal_proceedings", "x"), QUERY, {"withFather": False})
    assert "father" not in applied.data["p"]
    assert forbidden_paths(applied) == {("p", "belief"), ("p", "r2")}


async def test_minor_criminal_data_withheld_for_enforcement(service: PolicyService) -> None:
    query = '{ a: person(personalId: "001210000002") { fullName sentences { charges offender { fullName } } } ' \
            'b: person(personalId: "079090000003") { sentences { charges } } }'
    applied, _ = await run(service, ENFORCEMENT, DeclaredPurpose("sentence_enforcement", "QĐ-1"), query)
    assert applied.data["a"] == {"fullName": "Nguyễn Văn Con", "sentences": None}
    assert applied.data["b"] == {"sentences": [{"charges": "Art. 171"}]}
    assert ("a", "sentences") in forbidden_paths(applied)
    # the same minor through the court's criminal proceedings: allowed (004 Art. 20 exception)
    applied, _ = await run(service, COURT, DeclaredPurpose("criminal_proceedings", "VA-1"), query)
    assert applied.data["a"]["sentences"][0]["charges"] == "Art. 173"


async def test_minor_rule_on_sentence_rows_via_offender(service: PolicyService) -> None:
    query = "{ search { ... on Sentence { charges } ... on Person { fullName } } }"
    applied, prepared = await run(service, ENFORCEMENT, DeclaredPurpose("sentence_enforcement", "QĐ-1"), query)
    assert "_lt_type: __typename" in print_ast(prepared)
    assert applied.data["search"] == [{"fullName": "Trần Thị Lớn"}, {"charges": "Art. 171"}]


async def test_interface_rows_filtered_by_province(service: PolicyService) -> None:
    query = "{ events { registrationNumber ... on Birth { childName } persons { fullName } } }"
    applied, _ = await run(service, REGISTRY, DeclaredPurpose("civil_status_extract"), query)
    assert applied.data["events"] == [
        {"registrationNumber": "B-1", "childName": "Nguyễn Văn Con", "persons": [{"fullName": "Nguyễn Văn Con"}]}
    ]
    filtered = [m for m in applied.masked if m["effect"] == "filter"]
    assert filtered and "003 Art. 8.4" in filtered[0]["reason"] and filtered[0]["coordinate"] == "Marriage"
    assert [m["sourceIndex"] for m in filtered] == [1]  # which fetched row was dropped (paths count kept rows)
    applied, _ = await run(service, Caller("m", "bo-tu-phap", "justice_ministry"), DeclaredPurpose("civil_status_extract"), query)
    assert len(applied.data["events"]) == 2


async def test_statistics_masks_and_cell_suppression(service: PolicyService) -> None:
    query = '{ person(personalId: "079090000003") { personalId fullName sex dateOfBirth permanentAddress issueDate } ' \
            "stats { province count } }"
    applied, _ = await run(service, STATS, DeclaredPurpose("statistics"), query)
    p = applied.data["person"]
    assert p["personalId"].startswith("p_") and p["fullName"] is None and p["sex"] == "MALE"
    assert p["dateOfBirth"] == "1990" and p["permanentAddress"] == "Thành phố Hà Nội"
    assert p["issueDate"] is None  # year_only cannot keep an Int valid: withheld
    assert applied.data["stats"] == [{"province": "001", "count": 12}]
    masks = {m["coordinate"]: m["mask"] for m in applied.masked if m["effect"] == "mask"}
    assert masks == {"Person.personalId": "pseudonym", "Person.dateOfBirth": "year_only",
                     "Person.permanentAddress": "province_only"}


async def test_deceased_and_restricted_rows(service: PolicyService) -> None:
    query = '{ persons(personalIds: ["001060000001", "001080000004", "079090000003"]) { fullName } }'
    applied, _ = await run(service, JUSTICE, DeclaredPurpose("administrative_procedure"), query)
    assert applied.data["persons"] == [{"fullName": None}, {"fullName": None}, {"fullName": "Trần Thị Lớn"}]
    reasons = {e["extensions"]["reason"][:12].rstrip(":") for e in applied.errors}
    assert reasons == {"004 Art. 19", "004 Art. 9.6"}
    applied, _ = await run(service, JUSTICE, DeclaredPurpose("civil_status_extract"), query)  # Art. 17 exempt
    assert [p["fullName"] for p in applied.data["persons"]][:2] == ["Nguyễn Văn Bố", "Lê Hạn Chế"]


async def test_non_null_withheld_field_bubbles(service: PolicyService) -> None:
    query = '{ person(personalId: "079090000003") { nickname secret } }'
    applied, _ = await run(service, STATS, DeclaredPurpose("statistics"), query)
    # nickname is allowed; the unclassified `secret` is withheld (nullable)
    assert applied.data["person"] == {"nickname": "Lớn", "secret": None}
    categories = dict(CATEGORIES)
    del categories["Person.nickname"]  # now unclassified and non-null: the person becomes null
    s = schema()
    document = parse(query)
    decision = await service.decide(STATS, DeclaredPurpose("statistics"), "query",
                                    service.collect(s, categories, document, None, {}))
    prepared = service.prepare(document, decision, s)
    result = execute(s, prepared, root_value=world())
    applied = service.apply({"data": result.data}, prepared, None, {}, decision, s)
    assert applied.data == {"person": None}
    assert ("person", "nickname") in forbidden_paths(applied)
