"""The civil-status subgraph's SDL: the names other engineers rely on, and a category on every field."""

from __future__ import annotations

from functools import cache

from graphql import (
    DocumentNode,
    EnumTypeDefinitionNode,
    FieldDefinitionNode,
    InterfaceTypeDefinitionNode,
    ObjectTypeDefinitionNode,
    parse,
    print_ast,
)

from subgraphs.civil_status.enums import CivilStatusEventKind
from subgraphs.civil_status.schema import schema

FEDERATION_FIELDS = {("Query", "_entities"), ("Query", "_service"), ("_Service", "sdl")}


@cache
def sdl() -> DocumentNode:
    """The SDL the gateway composes, as served by ``_service { sdl }``."""
    result = schema.execute_sync("{ _service { sdl } }")
    assert result.errors is None, result.errors
    return parse(result.data["_service"]["sdl"])


def types() -> dict[str, ObjectTypeDefinitionNode | InterfaceTypeDefinitionNode]:
    kinds = (ObjectTypeDefinitionNode, InterfaceTypeDefinitionNode)
    return {d.name.value: d for d in sdl().definitions if isinstance(d, kinds)}


def fields(type_name: str) -> dict[str, FieldDefinitionNode]:
    return {f.name.value: f for f in types()[type_name].fields or ()}


def _personal_data(type_name: str, field_name: str, argument_name: str) -> str | None:
    for directive in fields(type_name)[field_name].directives or ():
        if directive.name.value == "personalData":
            for argument in directive.arguments:
                if argument.name.value == argument_name:
                    return getattr(argument.value, "value", None)
    return None


def category(type_name: str, field_name: str) -> str | None:
    return _personal_data(type_name, field_name, "category")


def kind(type_name: str, field_name: str) -> str | None:
    return _personal_data(type_name, field_name, "kind")


def signature(type_name: str, field_name: str) -> str:
    f = fields(type_name)[field_name]
    args = ", ".join(f"{a.name.value}: {print_ast(a.type)}" for a in f.arguments or ())
    return f"{field_name}({args}): {print_ast(f.type)}" if args else f"{field_name}: {print_ast(f.type)}"


def test_every_output_field_is_classified() -> None:
    missing = [
        f"{name}.{f}"
        for name, node in types().items()
        for f in fields(name)
        if (name, f) not in FEDERATION_FIELDS and category(name, f) is None
    ]
    assert not missing, missing
    assert len(types()) > 15


def test_every_output_field_declares_its_value_kind() -> None:
    from subgraphs.common.classification import ValueKind

    known = {k.value for k in ValueKind}
    missing = [f"{name}.{f}" for name in types() for f in fields(name)
               if (name, f) not in FEDERATION_FIELDS and kind(name, f) not in known]
    assert not missing, missing
    # values that can hold a name are NAME or FREE_TEXT, never TEXT (the statistics office must not see them)
    assert kind("CivilStatusChange", "newValue") == "FREE_TEXT" and kind("CivilStatusChange", "oldValue") == "FREE_TEXT"
    assert kind("BirthRegistration", "signerName") == "NAME" and kind("BirthRegistration", "declarantName") == "NAME"


def _subjects(type_name: str) -> list[tuple[str, str]]:
    out = []
    for directive in types()[type_name].directives or ():
        if directive.name.value == "dataSubject":
            args = {a.name.value: getattr(a.value, "value", None) for a in directive.arguments}
            if args.get("field"):
                out.append((str(args["field"]), str(args.get("role") or "SUBJECT")))
    return out


def test_every_event_declares_its_subject_and_every_party() -> None:
    events = [n for n, node in types().items() if any(i.name.value == "CivilStatusEvent" for i in
                                                      getattr(node, "interfaces", None) or ())
              and not isinstance(node, InterfaceTypeDefinitionNode)]
    assert len(events) == 14
    for name in events:
        declared = _subjects(name)
        assert ("subject", "SUBJECT") in declared, name
        person_fields = {f for f, node in fields(name).items() if print_ast(node.type).strip("[]!") == "Person"}
        assert person_fields == {f for f, _ in declared}, (name, person_fields, declared)
        assert all(role == "PARTY" for f, role in declared if f != "subject"), name
        facts = [d for d in fields(name)["registrationProvinceCode"].directives if d.name.value == "protectionFact"]
        assert len(facts) == 1 and print_ast(facts[0]) == '@protectionFact(name: "registrationProvince")', name
    assert not _subjects("Person")  # the entity's owner (population) declares it
    # a party held as a personal id string also has its Person reference, declared above
    assert ("declarant", "PARTY") in _subjects("BirthRegistration")
    assert signature("BirthRegistration", "declarant") == "declarant: Person"


def test_interfaces_declare_what_every_implementation_shares() -> None:
    """The gateway reads the concrete types; the interface says the same of its common part."""
    assert _subjects("CivilStatusEvent") == [("subject", "SUBJECT")]
    facts = [d for d in fields("CivilStatusEvent")["registrationProvinceCode"].directives
             if d.name.value == "protectionFact"]
    assert [print_ast(d) for d in facts] == ['@protectionFact(name: "registrationProvince")']
    # the amendment interface has no Person field to name: its rows' subjects are the events' own
    assert not _subjects("CivilStatusAmendment")
    assert {f: kind("CivilStatusAmendment", f) for f in fields("CivilStatusAmendment")} == {
        "item": "CODE", "oldValue": "FREE_TEXT", "newValue": "FREE_TEXT", "reason": "FREE_TEXT"}


def test_value_kinds_field_by_field() -> None:
    """Names are NAME, narratives FREE_TEXT, object fields REFERENCE: the choices the masks depend on."""
    events = [n for n, node in types().items() if isinstance(node, ObjectTypeDefinitionNode)
              and "CivilStatusEvent" in {i.name.value for i in node.interfaces or ()}]
    for name in events:
        for f, node in fields(name).items():
            named = print_ast(node.type).strip("[]!")
            if named in types():  # an object or interface
                assert kind(name, f) == "REFERENCE", (name, f)
            elif f.endswith("Name"):
                assert kind(name, f) == "NAME", (name, f)
            elif f.endswith(("Date", "Until")) or f.startswith("dateOf"):
                assert kind(name, f) == "DATE", (name, f)
    expected = {
        ("BirthRegistration", "fullName"): "NAME",
        ("BirthRegistration", "declarantPersonalId"): "IDENTIFIER",
        ("BirthRegistration", "placeOfBirth"): "ADDRESS",
        ("BirthRegistration", "hometown"): "ADDRESS",
        ("BirthRegistration", "nationality"): "TEXT",
        ("BirthRegistration", "sex"): "CODE",
        ("DeathRegistration", "placeOfDeath"): "ADDRESS",
        ("DeathRegistration", "causeOfDeath"): "FREE_TEXT",
        ("GuardianshipTermination", "reason"): "FREE_TEXT",
        ("EthnicityRedetermination", "reason"): "FREE_TEXT",
        ("MaritalStatusConfirmation", "intendedUse"): "FREE_TEXT",
        ("CivilStatusSupplement", "newValue"): "FREE_TEXT",
        ("CivilStatusCorrection", "oldValue"): "FREE_TEXT",
        ("CivilStatusEvent", "registrationNumber"): "IDENTIFIER",
        ("CivilStatusEvent", "registrationProvinceCode"): "CODE",
        ("CivilStatusEvent", "signerTitle"): "TEXT",
        ("CivilStatusEvent", "registeringAuthority"): "TEXT",
        ("Person", "personalId"): "IDENTIFIER",
        ("Person", "birthRegistration"): "REFERENCE",
        ("Person", "civilStatusEvents"): "REFERENCE",
        ("Query", "civilStatusRecords"): "REFERENCE",
        ("Query", "civilStatusEvent"): "REFERENCE",
        ("Query", "civilStatusRegistrations"): "REFERENCE",
    }
    assert {c: kind(*c) for c in expected} == expected


def test_contract_names_and_signatures() -> None:
    assert signature("Query", "civilStatusRecords") == (
        "civilStatusRecords(registrationNumber: String!): [CivilStatusEvent!]"
    )
    assert signature("Person", "birthRegistration") == "birthRegistration: BirthRegistration"
    assert signature("Person", "civilStatusEvents") == (
        "civilStatusEvents(kinds: [CivilStatusEventKind!]): [CivilStatusEvent!]"
    )
    person = types()["Person"]
    (key,) = [d for d in person.directives or () if d.name.value == "key"]
    assert print_ast(key) == '@key(fields: "personalId")'
    assert signature("Person", "personalId") == "personalId: ID!"
    assert category("Person", "personalId") == "IDENTIFIER"
    assert isinstance(types()["CivilStatusEvent"], InterfaceTypeDefinitionNode)
    text = schema.as_str()
    assert '@composeDirective(name: "@personalData")' in text and "federation/v2" in text


def test_one_concrete_type_per_kind_with_the_common_fields() -> None:
    (kind_enum,) = [
        d
        for d in sdl().definitions
        if isinstance(d, EnumTypeDefinitionNode) and d.name.value == "CivilStatusEventKind"
    ]
    assert {v.name.value for v in kind_enum.values} == {k.value for k in CivilStatusEventKind}
    implementing = [
        name
        for name, node in types().items()
        if isinstance(node, ObjectTypeDefinitionNode)
        and "CivilStatusEvent" in {i.name.value for i in node.interfaces or ()}
    ]
    assert len(implementing) == len(CivilStatusEventKind) == 14
    common = {
        "id": "PUBLIC",
        "kind": "PUBLIC",
        "registrationNumber": "IDENTIFIER",
        "bookNumber": "PUBLIC",
        "registrationDate": "BASIC",
        "registeringAuthority": "PUBLIC",
        "registrationProvinceCode": "PUBLIC",
        "registrationProvince": "PUBLIC",
        "signerName": "PUBLIC",
        "signerTitle": "PUBLIC",
        "subject": "IDENTIFIER",
    }
    for name in implementing:
        for f, cat in common.items():
            assert category(name, f) == cat, (name, f)
        assert signature(name, "registrationProvinceCode") == "registrationProvinceCode: String!"
        # Withholdable fields are nullable so that withholding one never nulls the event (test_nullability).
        assert signature(name, "registrationDate") == "registrationDate: PartialDate"
        assert signature(name, "subject") == "subject: Person"


def test_sensitive_and_family_fields_carry_their_category() -> None:
    expected = {
        ("DeathRegistration", "causeOfDeath"): "HEALTH",
        ("BirthRegistration", "ethnicity"): "ETHNIC_ORIGIN",
        ("EthnicityRedetermination", "oldEthnicity"): "ETHNIC_ORIGIN",
        ("EthnicityRedetermination", "newEthnicity"): "ETHNIC_ORIGIN",
        ("EthnicityRedetermination", "reason"): "ETHNIC_ORIGIN",
        ("MarriageRegistration", "husband"): "FAMILY",
        ("MarriageRegistration", "wife"): "FAMILY",
        ("AdoptionRegistration", "adoptiveFather"): "FAMILY",
        ("ParentChildRecognition", "parent"): "FAMILY",
        ("BirthRegistration", "father"): "FAMILY",
        ("MaritalStatusConfirmation", "maritalStatus"): "FAMILY",
        ("CourtDecisionRecording", "court"): "PUBLIC",
        ("CourtDecisionRecording", "otherParty"): "FAMILY",
        ("BirthRegistration", "declarantPersonalId"): "IDENTIFIER",
    }
    for (type_name, field_name), cat in expected.items():
        assert category(type_name, field_name) == cat, (type_name, field_name)
    # Persons involved are entity references only: the gateway hops to population for their data.
    assert set(fields("Person")) == {"personalId", "birthRegistration", "civilStatusEvents"}


def test_shared_enums_are_the_common_definitions() -> None:
    from subgraphs.common.enums import MaritalStatus, Sex

    text = schema.as_str()
    for enum in (Sex, MaritalStatus):
        block = "\n".join(f"  {m.value}" for m in enum)
        assert f"enum {enum.__name__} {{\n{block}\n}}" in text
