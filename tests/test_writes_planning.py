"""Mutations on the real supergraph are planned per the GraphQL spec: root fields in the client's order, each
with its entity follow-ups before the next root field runs; consecutive fields of one subgraph share a fetch; and
the write model reads the declarations the subgraphs composed (``@writeArea``, ``@writeSubject``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gateway.planning import Planner
from gateway.planning.plan import FetchNode, FlattenNode, SequenceNode
from gateway.supergraph import load_supergraph
from gateway.supergraph.documents import DocumentCache
from gateway.writes.calls import write_calls
from gateway.writes.model import WriteModel

ROOT = Path(__file__).resolve().parent.parent
SUPERGRAPH = load_supergraph(ROOT / "schema.graphql")

MUTATION = """mutation M($b: BirthRegistrationInput!, $e: EnforcementEventInput!, $d: DeathRegistrationInput!) {
  a: registerBirth(input: $b) { registrationNumber mother { fullName } }
  b: recordEnforcementEvent(input: $e) { status sentence { offender { ... on Person { fullName } } } }
  c: registerDeath(input: $d) { registrationNumber }
  d: registerDeath(input: $d) { registrationNumber }
}"""


def test_root_fields_in_order_each_with_its_follow_ups_first() -> None:
    operation = DocumentCache(SUPERGRAPH.api_schema).get(MUTATION, "M")
    plan = Planner(SUPERGRAPH).plan(operation, {})
    assert isinstance(plan.node, SequenceNode)
    first, second, third = plan.node.nodes
    # registerBirth, then the mother's name from population, before the enforcement event is recorded
    assert isinstance(first, SequenceNode) and [type(n) for n in first.nodes] == [FetchNode, FlattenNode]
    assert first.nodes[0].service == "civil_status" and first.nodes[0].operation.startswith("mutation")
    assert first.nodes[1].node.service == "population" and first.nodes[1].node.operation.startswith("query")
    assert isinstance(second, SequenceNode) and second.nodes[0].service == "sentences"
    # two consecutive civil status mutations: one ordered fetch (the subgraph runs them serially)
    assert isinstance(third, FetchNode) and third.service == "civil_status"
    assert third.operation.index("c: registerDeath") < third.operation.index("d: registerDeath")


def test_the_composed_declarations_are_read() -> None:
    model = WriteModel.from_sdl(SUPERGRAPH.sdl)
    birth = model.of("Mutation.registerBirth")
    assert birth.area == ("input", "registrationProvinceCode")
    assert ("input", "motherPersonalId") in birth.subjects
    assert model.of("Mutation.recordEnforcementEvent").area == ("input", "provinceCode")
    # the gateway's own mutations (grants registry, data subjects' requests) are decided by their own rules
    assert {"Mutation.createGrant", "Mutation.fileDataSubjectRequest"} <= model.local
    assert not model.local & set(model.mutations) and "Mutation.registerBirth" not in model.local


def test_write_calls_read_the_area_and_subjects_from_variables_and_literals() -> None:
    operation = DocumentCache(SUPERGRAPH.api_schema).get(MUTATION, "M")
    variables = {"b": {"registrationProvinceCode": "001", "motherPersonalId": "001190000001", "fullName": "x"},
                 "e": {"provinceCode": "79", "personalId": "not-an-id"}, "d": {}}
    calls = write_calls(SUPERGRAPH.api_schema, WriteModel.from_sdl(SUPERGRAPH.sdl), operation.document, "M",
                        variables)
    by_key = {c.key: c for c in calls}
    assert list(by_key) == ["a", "b", "c", "d"]
    assert (by_key["a"].area, by_key["a"].subjects) == ("001", ("001190000001",))
    assert (by_key["b"].area, by_key["b"].area_declared, by_key["b"].subjects) == (None, True, ())  # unknown
    assert by_key["c"].write_input() == {"area": None, "area_declared": True}


def test_policy_explain_says_why_a_write_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from gateway.__main__ import main

    query = tmp_path / "birth.graphql"
    query.write_text("mutation B($input: BirthRegistrationInput!) { registerBirth(input: $input) "
                     "{ registrationNumber } }", encoding="utf-8")
    common = ["policy", "explain", "--purpose", "civil_status_registration", "--schema", str(ROOT / "schema.graphql"),
              "--query", str(query), "--variables", '{"input": {"registrationProvinceCode": "001"}}', "--json"]
    assert main([*common, "--agency", "ubnd-phuong-ben-thanh"]) == 0
    root = json.loads(capsys.readouterr().out)["rootFields"]
    assert "civil_registry of province 079 may not write in province 001" in json.dumps(root, ensure_ascii=False)
