"""collect / prepare / apply on a small schema executed by graphql-core (the subgraphs' stand-in)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from graphql import Visitor, execute, parse, print_ast, validate, visit

from gateway.policy import BadUserInput, Caller, DeclaredPurpose, EmbeddedEngine, PolicyService
from tests.policy_fixtures import MODEL, has_reserved_keys, schema, world

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
    from gateway.grants.model import make_grant
    from gateway.grants.resolver import GrantResolver, StaticGrants

    service = PolicyService(engine, pseudonym_key=b"test-key", clock=lambda: dt.date(2026, 6, 1),
                            policy_arguments={"Query.searchPersons": ["name"]})
    # the court's legal basis names a grant of the registry covering the persons read below (policies/grants.rego)
    service.grants = GrantResolver(StaticGrants([make_grant("tand-ha-noi", "criminal_proceedings",
                                                            ("079090000003", "001060000001", "001210000002"))]))
    return service


async def run(
    service: PolicyService, caller: Caller, purpose: DeclaredPurpose, query: str, variables: dict | None = None
) -> tuple[Any, Any]:
    """The pipeline's policy stages around graphql-core execution of the prepared document."""
    s = schema()
    document = parse(query)
    collected = service.collect(s, MODEL, document, None, variables)
    decision = await service.decide(caller, purpose, "query", collected)
    prepared = service.prepare(document, decision, s, MODEL)
    assert validate(s, prepared.document) == [], print_ast(prepared.document)
    result = execute(s, prepared.document, root_value=world(), variable_values=variables)
    assert not result.errors, result.errors
    applied = service.apply({"data": result.data, "errors": []}, prepared, None, variables, decision, s, MODEL)
    assert not has_reserved_keys(applied.data)
    return applied, prepared.document


def flat(document: Any) -> str:
    """The printed document on one line."""
    return " ".join(print_ast(document).split())


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
    on = service.collect(s, MODEL, parse(QUERY), None, {"withFather": True})
    assert on.coordinates["Person.religion"] == "RELIGION" and on.coordinates["Person.father"] == "FAMILY"
    assert on.kinds["Person.fullName"] == "name" and on.kinds["Person.religion"] == "text"
    off = service.collect(s, MODEL, parse(QUERY), None, {"withFather": False})
    assert "Person.father" not in off.coordinates and "Person.religion" in off.coordinates
    union = service.collect(s, MODEL, parse("{ searchPersons { __typename ... on Sentence { charges } } }"), None, {})
    assert dict(union.coordinates) == {"Query.searchPersons": "BASIC", "Sentence.charges": "CRIMINAL"}
    iface = service.collect(s, MODEL, parse("{ events { registrationNumber } }"), None, {})
    assert set(iface.coordinates) == {"Query.events", "Birth.registrationNumber", "Marriage.registrationNumber"}
    secret = service.collect(s, MODEL, parse('{ person(personalId: "1") { secret } }'), None, {})
    assert secret.coordinates["Person.secret"] == "UNCLASSIFIED" and secret.kinds["Person.secret"] == "unknown"


def test_collect_sends_the_declared_arguments_of_root_calls(service: PolicyService) -> None:
    collected = service.collect(schema(), MODEL, parse('query($n: String) { a: searchPersons(name: $n) { __typename } '
                                                       'b: searchPersons(name: "x") { __typename } person(personalId: "1") '
                                                       '{ fullName } }'), None, {"n": "Lan"})
    assert [(c.key, c.coordinate, dict(c.arguments)) for c in collected.calls] == [
        ("a", "Query.searchPersons", {"name": "Lan"}), ("b", "Query.searchPersons", {"name": "x"})]


def test_reserved_alias_is_bad_user_input(service: PolicyService) -> None:
    with pytest.raises(BadUserInput):
        service.collect(schema(), MODEL, parse('{ person(personalId: "1") { _lt_x: fullName } }'), None, {})


async def test_withheld_field_reached_by_every_path(service: PolicyService) -> None:
    purpose = DeclaredPurpose("criminal_proceedings", "GR-0000000001 VKS-123/2026")
    applied, prepared = await run(service, COURT, purpose, QUERY, {"withFather": True})
    printed = flat(prepared)
    assert "religion" not in field_names(prepared)  # never fetched from a subgraph
    assert "_lt_sk_personalId: personalId" in printed  # every Person row says whose it is
    # criminal proceedings under a grant: the grant's coverage rule reads whose each row is (policies/grants.rego),
    # the subject's key, and no rule of this decision reads a subject's facts: none are fetched (row_scope.py)
    assert "_lt_sf_Person" not in printed
    p = applied.data["p"]
    assert p["fullName"] == "Trần Thị Lớn" and p["belief"] is None and p["r2"] is None
    assert p["father"] == {"fullName": "Nguyễn Văn Bố", "religion": None}
    assert p["sentences"] == [{"charges": "Art. 171"}]
    assert forbidden_paths(applied) == {("p", "belief"), ("p", "r2"), ("p", "father", "religion")}
    policy = applied.extensions["policy"]
    assert policy["purpose"] == "criminal_proceedings" and policy["policyVersion"].startswith("sha256:")
    assert {m["coordinate"] for m in policy["masked"]} == {"Person.religion"}
    assert applied.subjects == {"079090000003", "001060000001"}  # the person, her father and her sentence's offender


async def test_include_false_skips_the_path(service: PolicyService) -> None:
    applied, _ = await run(service, COURT, DeclaredPurpose("criminal_proceedings", "GR-0000000001"), QUERY,
                           {"withFather": False})
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
    applied, _ = await run(service, COURT, DeclaredPurpose("criminal_proceedings", "GR-0000000001"), query)
    assert applied.data["a"]["sentences"][0]["charges"] == "Art. 173"


async def test_minor_rule_on_sentence_rows_via_offender(service: PolicyService) -> None:
    query = "{ searchPersons { ... on Sentence { charges } ... on Person { fullName } } }"
    applied, prepared = await run(service, ENFORCEMENT, DeclaredPurpose("sentence_enforcement", "QĐ-1"), query)
    printed = flat(prepared)
    assert "_lt_type: __typename" in printed and "_lt_s_Person_offender: offender { personalId _lt_sf_Person: protectionFacts" in printed
    # the minor's sentence (found by search, not through the person) is withheld like through Person.sentences
    assert applied.data["searchPersons"] == [{"fullName": "Trần Thị Lớn"}, {"charges": "Art. 171"}, {"charges": None}]
    assert ("searchPersons", 2, "charges") in forbidden_paths(applied)
    assert "001210000002" in applied.subjects  # the offender of a row read is audited, whatever the path


async def test_rows_inheriting_subjects_follow_their_parent(service: PolicyService) -> None:
    query = "{ searchPersons { ... on Sentence { penalty { term } } } }"
    applied, _ = await run(service, ENFORCEMENT, DeclaredPurpose("sentence_enforcement", "QĐ-1"), query)
    assert applied.data["searchPersons"] == [{}, {"penalty": {"term": "3 years"}}, {"penalty": None}]


async def test_interface_rows_filtered_by_province(service: PolicyService) -> None:
    query = "{ events { registrationNumber ... on Birth { childName } persons { fullName } } }"
    applied, _ = await run(service, REGISTRY, DeclaredPurpose("civil_status_registration"), query)
    assert applied.data["events"][0] == {
        "registrationNumber": "B-1", "childName": "Nguyễn Văn Con", "persons": [{"fullName": "Nguyễn Văn Con"}]}
    assert [e["registrationNumber"] for e in applied.data["events"]] == ["B-1", "M-3", "M-4"]
    filtered = [m for m in applied.masked if m["effect"] == "filter"]
    assert filtered and "003 Art. 8.4" in filtered[0]["reason"] and filtered[0]["coordinate"] == "Marriage"
    assert [m["sourceIndex"] for m in filtered] == [1]  # which fetched row was dropped (paths count kept rows)
    applied, _ = await run(service, Caller("m", "bo-tu-phap", "justice_ministry"), DeclaredPurpose("civil_status_extract"), query)
    assert len(applied.data["events"]) == 4
    # an extract is issued whatever the place of registration (003 Art. 13.1)
    applied, _ = await run(service, REGISTRY, DeclaredPurpose("civil_status_extract"), query)
    assert [e["registrationNumber"] for e in applied.data["events"]] == ["B-1", "M-2", "M-3", "M-4"]


async def test_a_restricted_party_or_unknown_facts_withhold_the_event(service: PolicyService) -> None:
    query = "{ events { registrationNumber persons { personalId } } }"
    applied, prepared = await run(service, JUSTICE, DeclaredPurpose("administrative_procedure"), query)
    assert "_lt_s_Person_persons: persons { personalId _lt_sf_Person: protectionFacts" in flat(prepared)
    # B-1 is a child's (no consent, 004 Art. 20.2), M-3 has a restricted party, M-4 a person whose facts are
    # unknown: their personal fields are withheld, the non-null registration number nulls the row
    reasons = [e["extensions"].get("reason", "") for e in applied.errors]
    assert any("004 Art. 20.2" in r for r in reasons)
    assert any("004 Art. 9.6" in r for r in reasons)
    assert any("could not be established" in r for r in reasons)
    # M-2, registered in 079, is kept: its subject resides in the department's province (003 Art. 8.4)
    events = applied.data["events"]
    assert len(events) == 4 and events[0] is None and events[2] is None and events[3] is None


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
    # the suppressed cell is reported once, neither located nor counted
    suppressed = [m for m in applied.masked if m.get("rule") == "cell_suppression"]
    assert len(suppressed) == 1 and "path" not in suppressed[0] and "sourceIndex" not in suppressed[0]
    assert not any("stats" in (e.get("path") or []) for e in applied.errors)


async def test_statistics_office_suppresses_cells_without_a_purpose(service: PolicyService) -> None:
    applied, _ = await run(service, STATS, DeclaredPurpose(None), "{ stats { province count } }")
    assert applied.data["stats"] == [{"province": "001", "count": 12}]
    applied, _ = await run(service, COURT, DeclaredPurpose(None), "{ stats { province count } }")
    assert len(applied.data["stats"]) == 1  # without an exempt purpose, for everyone
    applied, _ = await run(service, COURT, DeclaredPurpose("criminal_proceedings", "VA-1"), "{ stats { count } }")
    assert len(applied.data["stats"]) == 2


async def test_refused_root_call_is_withheld_by_response_key(service: PolicyService) -> None:
    applied, _ = await run(service, STATS, DeclaredPurpose("statistics"),
                           '{ hits: searchPersons(name: "Lan") { __typename } stats { count } }')
    assert applied.data["hits"] is None and applied.data["stats"] == [{"count": 12}]
    assert ("hits",) in forbidden_paths(applied)


async def test_deceased_and_restricted_rows(service: PolicyService) -> None:
    query = '{ persons(personalIds: ["001060000001", "001080000004", "079090000003"]) { fullName } }'
    applied, _ = await run(service, JUSTICE, DeclaredPurpose("administrative_procedure"), query)
    assert applied.data["persons"] == [{"fullName": None}, {"fullName": None}, {"fullName": "Trần Thị Lớn"}]
    assert "_lt_sf_Person: protectionFacts" in flat(_)
    reasons = {e["extensions"]["reason"][:12].rstrip(":") for e in applied.errors}
    assert reasons == {"004 Art. 19", "004 Art. 9.6"}
    applied, _ = await run(service, JUSTICE, DeclaredPurpose("civil_status_extract"), query)  # Art. 17 exempt
    assert [p["fullName"] for p in applied.data["persons"]][:2] == ["Nguyễn Văn Bố", "Lê Hạn Chế"]


async def test_non_null_withheld_field_bubbles(service: PolicyService) -> None:
    query = '{ person(personalId: "079090000003") { nickname secret } }'
    applied, _ = await run(service, STATS, DeclaredPurpose("statistics"), query)
    # nickname is allowed; the unclassified `secret` is withheld (nullable)
    assert applied.data["person"] == {"nickname": "Lớn", "secret": None}
    from gateway.policy.model import ProtectionModel
    from tests.policy_fixtures import SDL

    # now unclassified and non-null: the person becomes null
    model = ProtectionModel.from_sdl(SDL.replace("nickname: String! @personalData(category: BASIC, kind: TEXT)",
                                                 "nickname: String!"))
    s = schema()
    document = parse(query)
    decision = await service.decide(STATS, DeclaredPurpose("statistics"), "query",
                                    service.collect(s, model, document, None, {}))
    prepared = service.prepare(document, decision, s, model)
    result = execute(s, prepared.document, root_value=world())
    applied = service.apply({"data": result.data}, prepared, None, {}, decision, s, model)
    assert applied.data == {"person": None}
    assert ("person", "nickname") in forbidden_paths(applied)


def test_an_argument_whose_variable_is_not_given_is_absent(service: PolicyService) -> None:
    collected = service.collect(schema(), MODEL, parse('query($n: String) { searchPersons(name: $n) { __typename } }'),
                                None, {})
    assert [dict(c.arguments) for c in collected.calls] == [{}]


def test_hook_caches_coordinates_per_document_and_reads_root_calls_per_request(engine: EmbeddedEngine) -> None:
    from gateway.policy.hook import PolicyHook
    from gateway.supergraph.documents import DocumentCache
    from gateway.supergraph.loader import load_supergraph
    from tests.conformance.stack import ROOT

    supergraph = load_supergraph(ROOT / "schema.graphql")
    hook = PolicyHook(PolicyService(engine, pseudonym_key=b"k"), supergraph)
    operation = DocumentCache(supergraph.api_schema).get(
        'query($p: String) { searchPersons(name: "Lan", provinceCode: $p) { pageInfo { hasNextPage } } }', None)
    first = hook.collect(operation, {"p": "001"})
    second = hook.collect(operation, {"p": "079"})
    assert second.coordinates is first.coordinates  # walked once for the document
    assert [dict(c.arguments) for c in first.calls] == [{"provinceCode": "001"}]
    assert [dict(c.arguments) for c in second.calls] == [{"provinceCode": "079"}]
    assert [dict(c.arguments) for c in hook.collect(operation, {"p": "001"}).calls] == [{"provinceCode": "001"}]
