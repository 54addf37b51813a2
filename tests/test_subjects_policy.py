"""The data subject rules through the policy stages (collect, decide, prepare, apply) on the policy test schema:
a data subject sees rows about themself only, on every path of the schema (a property over its root fields);
a purpose that needs consent releases only the person a valid consent names; X-Consent-Reference parsing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from graphql import (
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    execute,
    get_named_type,
    is_leaf_type,
    parse,
)

from gateway.auth import PurposeHeaderError, Role, read_purpose
from gateway.policy import Caller, DeclaredPurpose, EmbeddedEngine, PolicyService
from tests.policy_fixtures import MODEL, has_reserved_keys, schema, world

ROOT = Path(__file__).resolve().parents[1]
ME = "079090000003"  # the adult of the fixture world: father 001060000001, sentence S2, marriage M-2 and M-3
OTHERS = {"001060000001", "001210000002", "001080000004", "001070000005"}
SELF = Caller(ME, None, None, None, Role.DATA_SUBJECT)
JUSTICE = Caller("clerk-2", "stp-ha-noi", "justice_department", "001", "clerk")
ARGUMENTS = {"personalId": [ME, "001060000001", "001080000004"], "personalIds": [[ME, "001060000001", "001210000002"]],
             "name": ["x"]}


@pytest.fixture(scope="module")
def engine() -> EmbeddedEngine:
    return EmbeddedEngine(reload_interval=None)


class Consents:
    """A consent lookup over a dict (the gateway store's ConsentRegistry in production)."""

    def __init__(self, facts: dict[str, dict[str, Any]]) -> None:
        self.facts = facts

    async def consent_facts(self, reference: str) -> dict[str, Any]:
        return self.facts.get(reference, {"reference": reference, "found": False})


def service(engine: EmbeddedEngine, consents: Consents | None = None) -> PolicyService:
    return PolicyService(engine, pseudonym_key=b"k", clock=lambda: dt.date(2026, 6, 1), consents=consents)


async def run(svc: PolicyService, caller: Caller, declared: DeclaredPurpose, query: str) -> Any:
    s = schema()
    document = parse(query)
    collected = svc.collect(s, MODEL, document, None, None)
    decision = await svc.decide(caller, declared, "query", collected)
    prepared = svc.prepare(document, decision, s, MODEL)
    result = execute(s, prepared.document, root_value=world())
    assert not result.errors, result.errors
    applied = svc.apply({"data": result.data, "errors": []}, prepared, None, None, decision, s, MODEL)
    assert not has_reserved_keys(applied.data)
    return applied


def _selection(s: GraphQLSchema, type_: Any, depth: int) -> str:
    """Every field of ``type_`` down to ``depth`` levels (leaves always, objects while depth lasts)."""
    named = get_named_type(type_)
    if is_leaf_type(named):
        return ""
    if not isinstance(named, GraphQLObjectType):  # interfaces and unions: every possible type
        parts = [f"... on {t.name} {_selection(s, t, depth)}" for t in s.get_possible_types(named)]
        return "{ __typename " + " ".join(parts) + " }"
    fields = []
    for name, definition in named.fields.items():
        if definition.args:
            continue
        if is_leaf_type(get_named_type(definition.type)):
            fields.append(name)
        elif depth > 0:
            fields.append(f"{name} {_selection(s, definition.type, depth - 1)}")
    return "{ __typename " + " ".join(fields) + " }"


def every_root_query(s: GraphQLSchema, depth: int = 3) -> Iterator[str]:
    """One query per root field and argument value, selecting everything below it."""
    for name, definition in s.query_type.fields.items():  # type: ignore[union-attr]
        values: list[dict[str, Any]] = [{}]
        for arg in definition.args:
            values = [{**v, arg: x} for v in values for x in ARGUMENTS.get(arg, [])] or values
        for args in values:
            text = ", ".join(f"{k}: {_literal(v)}" for k, v in args.items())
            yield f"{{ {name}{f'({text})' if text else ''} {_selection(s, definition.type, depth)} }}"


def _literal(value: Any) -> str:
    return "[" + ", ".join(f'"{v}"' for v in value) + "]" if isinstance(value, list) else f'"{value}"'


def persons_in(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        if value.get("__typename") == "Person":
            yield value
        for item in value.values():
            yield from persons_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from persons_in(item)


def test_the_property_reaches_every_root_field() -> None:
    queries = list(every_root_query(schema()))
    assert {q.split()[1].split("(")[0] for q in queries} == set(schema().query_type.fields)  # type: ignore[union-attr]


async def test_a_data_subject_sees_only_themself_on_every_path(engine: EmbeddedEngine) -> None:
    """Property over the schema: whatever root field and nesting reaches a Person row, the only Person whose data
    reaches the data subject is themself; rows about others only (another's event, sentence) are filtered."""
    svc = service(engine)
    seen_me = 0
    for query in every_root_query(schema()):
        applied = await run(svc, SELF, DeclaredPurpose(None), query)
        for person in persons_in(applied.data):
            assert person.get("personalId") == ME, (query, person)
            seen_me += 1
        text = str(applied.data)
        for other in OTHERS:
            assert other not in text, (query, other)
        assert "M-4" not in text and "B-1" not in text and "S1" not in text, query  # others' rows
    assert seen_me > 0  # the subject's own rows are reached (the property is not vacuous)


async def test_a_data_subject_gets_what_an_extract_releases(engine: EmbeddedEngine) -> None:
    applied = await run(service(engine), SELF, DeclaredPurpose(None),
                        f'{{ person(personalId: "{ME}") {{ personalId fullName religion sentences {{ id }} '
                        f'father {{ fullName }} }} }}')
    person = applied.data["person"]
    assert person["personalId"] == ME and person["fullName"] == "Trần Thị Lớn"
    assert person["religion"] is None and person["sentences"] is None  # not released by an extract either
    assert person["father"] is None  # the father's row is his data
    reasons = {e["coordinate"]: e["reason"] for e in applied.masked}
    assert "004 Art. 9.3" in reasons["Person.religion"]
    # silently (004 Art. 10.2): as a father the records do not know, no error, no policy entry
    assert "Person" not in reasons and not [e for e in applied.errors if e["path"][-1:] == ["father"]]


async def test_a_marriage_with_the_subject_as_party_stays_theirs(engine: EmbeddedEngine) -> None:
    applied = await run(service(engine), SELF, DeclaredPurpose(None),
                        "{ events { registrationNumber persons { personalId } } }")
    numbers = [e and e["registrationNumber"] for e in applied.data["events"]]
    # B-1 (another child) and M-4 (another couple) filtered silently: null items, as in a lookup that found none
    assert numbers == [None, "M-2", "M-3", None]
    assert applied.data["events"][2]["persons"] == [{"personalId": ME}]  # the restricted spouse's row is theirs


async def test_a_data_subject_declares_no_purpose(engine: EmbeddedEngine) -> None:
    from gateway.policy import PolicyRefusal

    with pytest.raises(PolicyRefusal) as refused:
        await run(service(engine), SELF, DeclaredPurpose("civil_status_extract"), "{ person(personalId: \"x\") { fullName } }")
    assert refused.value.code == "PURPOSE_NOT_PERMITTED"


# --- consent ----------------------------------------------------------------------------------------------

CONSENT = {"reference": "CS-1", "found": True, "personal_id": ME, "agency": "stp-ha-noi",
           "purpose": "consented_provision", "scope": [], "withdrawn": False, "expired": False}
QUERY = '{ persons(personalIds: ["079090000003", "001210000002"]) { personalId fullName } }'


async def _names(engine: EmbeddedEngine, facts: dict[str, Any] | None, reference: str | None) -> tuple[list, Any]:
    consents = Consents({"CS-1": facts} if facts else {})
    applied = await run(service(engine, consents), JUSTICE,
                        DeclaredPurpose("consented_provision", None, reference), QUERY)
    return [p and p["fullName"] for p in applied.data["persons"]], applied


async def test_a_valid_consent_releases_its_person_only(engine: EmbeddedEngine) -> None:
    names, _ = await _names(engine, CONSENT, "CS-1")
    assert names == ["Trần Thị Lớn", None]
    svc = service(engine, Consents({"CS-1": CONSENT}))
    collected = svc.collect(schema(), MODEL, parse(QUERY), None, None)
    decision = await svc.decide(JUSTICE, DeclaredPurpose("consented_provision", None, "CS-1"), "query", collected)
    rule = next(r for r in decision.result.row_rules if r.id == "consent_required")
    assert rule.when == {"attr": "subject", "op": "not_in", "value": [ME], "if_unknown": True}
    assert "covers person 079090000003 only" in rule.reason


@pytest.mark.parametrize(("change", "reference", "named"), [
    ({}, None, "X-Consent-Reference"),  # no reference declared
    (None, "CS-1", "not recorded"),  # someone made it up
    ({"personal_id": "001080000004"}, "CS-1", "covers person 001080000004"),  # a consent of someone else's
    ({"withdrawn": True}, "CS-1", "withdrawn"),
    ({"expired": True}, "CS-1", "expired"),
    ({"agency": "stp-ho-chi-minh"}, "CS-1", "agency stp-ho-chi-minh"),
    ({"purpose": "statistics"}, "CS-1", "purpose statistics"),
])
async def test_consent_attacks_withhold_with_a_reason(engine: EmbeddedEngine, change: dict | None,
                                                      reference: str | None, named: str) -> None:
    facts = None if change is None else {**CONSENT, **change}
    names, applied = await _names(engine, facts, reference)
    assert names == [None, None]
    assert any(named in e["reason"] for e in applied.masked), applied.masked


async def test_a_lookup_failure_withholds(engine: EmbeddedEngine) -> None:
    class Broken:
        async def consent_facts(self, reference: str) -> dict[str, Any]:
            raise ConnectionError("store down")

    svc = service(engine)
    svc.consents = Broken()  # type: ignore[assignment]
    applied = await run(svc, JUSTICE, DeclaredPurpose("consented_provision", None, "CS-1"), QUERY)
    assert applied.data["persons"] == [None, None]


async def test_exempt_purposes_ignore_consent(engine: EmbeddedEngine) -> None:
    registry = Caller("clerk-1", "ubnd-phuong-hoan-kiem", "civil_registry", "001", "clerk")
    applied = await run(service(engine), registry, DeclaredPurpose("civil_status_registration"), QUERY)
    assert applied.data["persons"][0]["fullName"] == "Trần Thị Lớn"


# --- X-Consent-Reference ----------------------------------------------------------------------------------

def test_the_consent_header_is_read_once_and_checked() -> None:
    declared = read_purpose([(b"x-purpose", b"consented_provision"), (b"X-Consent-Reference", b"CS-4f9c")])
    assert declared.consent_reference == "CS-4f9c"
    assert read_purpose([(b"x-purpose", b"statistics")]).consent_reference is None
    for bad in ([(b"x-consent-reference", b"a"), (b"x-consent-reference", b"b")],
                [(b"x-consent-reference", b"CS 1; drop")], [(b"x-consent-reference", b"x" * 65)]):
        with pytest.raises(PurposeHeaderError) as error:
            read_purpose(bad)
        assert error.value.header == "X-Consent-Reference"


def test_nonnull_wrappers_are_walked() -> None:  # the selection builder sees through wrappers
    assert get_named_type(GraphQLNonNull(GraphQLList(GraphQLNonNull(schema().get_type("Person"))))).name == "Person"


async def test_the_self_rule_applies_to_every_personal_row_type_of_the_supergraph(engine: EmbeddedEngine) -> None:
    """Path invariance on the real schema: for a data subject, every API type holding personal data (but the
    rights service's and the access log's own answers) is either fully withheld by the field rules or under
    the data_subject_self row rule, whatever field reaches it."""
    import json

    from gateway.policy.model import ProtectionModel
    from gateway.policy.row_scope import concerns
    from gateway.policy.types import Collected
    from gateway.supergraph import load_supergraph

    root = ROOT
    supergraph = load_supergraph(root / "schema.graphql")
    model = ProtectionModel.from_sdl(supergraph.sdl)
    api = supergraph.api_schema
    coordinates = {c: model.category(c) for c in model.fields if api.get_type(c.split(".")[0]) is not None}
    decision = await service(engine).decide(SELF, DeclaredPurpose(None), "query",
                                            Collected(coordinates, {c: model.kind(c) for c in coordinates}))
    rule = next(r for r in decision.result.row_rules if r.id == "data_subject_self")
    assert rule.subjects == "all" and rule.effect == "filter"
    rules = json.loads((root / "policies/data/rules.json").read_text())["rules"]["transparency"]["types"]
    unchecked = []
    for type_name in sorted(model.personal_types):
        if type_name in rules or type_name in ("Query", "Mutation") or api.get_type(type_name) is None:
            continue
        released = [c for c, category in coordinates.items() if c.startswith(type_name + ".")
                    and category != "PUBLIC" and decision.effect(c).effect != "withhold"]
        if released and not concerns(rule, type_name, model.of(type_name), True):
            unchecked.append(type_name)
    assert not unchecked, f"personal rows a data subject could read about anyone: {unchecked}"
    assert "Person" in model.personal_types and "MarriageRegistration" in model.personal_types
