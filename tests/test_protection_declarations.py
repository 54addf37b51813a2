"""The declarations of the protection model hold over the whole composed supergraph (docs/PROTECTION.md):
every field has a category and a value kind, every type holding personal data says whose it is, subjects point
at entities that serve their protection facts, and rows that inherit their subjects cannot be reached without
a parent that has them."""

from __future__ import annotations

import json
from functools import cache

from graphql import GraphQLObjectType, get_named_type, is_object_type

from gateway.policy.model import SUBJECT_FACTS, UNCLASSIFIED, UNKNOWN_KIND, ProtectionModel
from gateway.supergraph.loader import load_supergraph
from tests.conformance.stack import ROOT


@cache
def _loaded() -> tuple[object, ProtectionModel]:
    supergraph = load_supergraph(ROOT / "schema.graphql")
    return supergraph, ProtectionModel.from_sdl(supergraph.sdl)


def _api_objects() -> list[GraphQLObjectType]:
    supergraph, _ = _loaded()
    schema = supergraph.api_schema  # type: ignore[attr-defined]
    return [t for name, t in schema.type_map.items() if is_object_type(t) and not name.startswith("__")]


def _transparency_types() -> set[str]:
    """Types of the role-gated gateway-local services (access log and data-subject rights: rules.json
    transparency; the grants registry: grants.json administration), whose rows the policy releases by role."""
    data = ROOT / "policies" / "data"
    rules = json.loads((data / "rules.json").read_text(encoding="utf-8"))["rules"]
    grants = json.loads((data / "grants.json").read_text(encoding="utf-8"))["grants"]
    return set(rules["transparency"]["types"]) | set(grants["administration"]["types"])


def test_every_field_has_a_category_and_a_kind() -> None:
    _, model = _loaded()
    missing = [f"{t.name}.{name}" for t in _api_objects() for name in t.fields
               if model.category(f"{t.name}.{name}") == UNCLASSIFIED or model.kind(f"{t.name}.{name}") == UNKNOWN_KIND]
    assert not missing, f"fields without @personalData(category:, kind:): {missing}"


def test_every_type_holding_personal_data_declares_its_subjects() -> None:
    supergraph, model = _loaded()
    schema = supergraph.api_schema  # type: ignore[attr-defined]
    # the operation roots hold no row: the types their fields return declare the subjects
    roots = {t.name for t in (schema.query_type, schema.mutation_type) if t is not None}
    undeclared = [t.name for t in _api_objects()
                  if t.name not in roots and model.holds_personal(t.name)
                  and ((p := model.of(t.name)) is None or not p.has_subjects)]
    assert not undeclared, f"types with non-PUBLIC fields and no @dataSubject: {undeclared}"


def test_subjects_are_entities_serving_the_facts_contract() -> None:
    supergraph, model = _loaded()
    schema = supergraph.api_schema  # type: ignore[attr-defined]
    entities = {p.name for p in model.types.values() if p.self_key}
    assert {"Person", "ForeignOffender"} <= entities
    for name in entities:
        protection = model.of(name)
        assert protection is not None and protection.self_facts is not None
        facts_type = get_named_type(schema.get_type(name).fields[protection.self_facts].type)
        assert set(facts_type.fields) == set(SUBJECT_FACTS), f"{facts_type.name} is not the facts contract"
        keys = {k.fields for ks in supergraph.type_meta(name).keys.values() for k in ks}  # type: ignore[attr-defined]
        assert protection.self_key in keys, f"{name}: the subject field {protection.self_key} is not its key"


def test_rows_inheriting_subjects_are_reached_only_through_rows_with_subjects() -> None:
    supergraph, model = _loaded()
    allowed_roots = _transparency_types()
    inheritors = {n for n, p in model.types.items() if p.inherit and not p.declares_own_subjects}
    offending = []
    for parent in _api_objects():
        protection = model.of(parent.name)
        for name, definition in parent.fields.items():
            target = get_named_type(definition.type)
            if target.name not in inheritors or target.name in allowed_roots:
                continue
            if protection is None or not protection.has_subjects:
                offending.append(f"{parent.name}.{name} -> {target.name}")
    assert not offending, f"rows that inherit subjects reachable from a row without any: {offending}"


def test_the_row_facts_the_shipped_rules_read_are_declared() -> None:
    _, model = _loaded()
    declared = {fact for p in model.types.values() for fact in p.row_facts}
    assert {"registrationProvince", "cellCount"} <= declared
    events = [t for t in _api_objects() if "CivilStatusEvent" in {i.name for i in t.interfaces}]
    assert events and all("registrationProvince" in (model.of(t.name).row_facts if model.of(t.name) else {})
                          for t in events)
