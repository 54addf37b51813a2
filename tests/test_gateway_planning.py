"""Query planning over the fixture supergraph (no subgraph needed)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gateway.__main__ import main as cli
from gateway.planning import FetchNode, FlattenNode, ParallelNode, PlanCache, Planner, QueryPlan, SequenceNode
from gateway.supergraph import load_supergraph
from gateway.supergraph.documents import DocumentCache

FIXTURE = Path(__file__).parent / "fixtures" / "supergraph.graphql"


@pytest.fixture(scope="module")
def sg():
    return load_supergraph(FIXTURE)


@pytest.fixture
def plan(sg):
    docs = DocumentCache(sg.api_schema)
    planner = Planner(sg)

    def make(query: str, variables: dict | None = None, name: str | None = None) -> QueryPlan:
        return planner.plan(docs.get(query, name), variables or {})

    return make


def fetches(node) -> list[tuple[tuple[str, ...] | None, FetchNode]]:
    out = []
    if isinstance(node, FetchNode):
        out.append((None, node))
    elif isinstance(node, FlattenNode):
        out.append((node.path, node.node))
    elif isinstance(node, SequenceNode | ParallelNode):
        for n in node.nodes:
            out.extend(fetches(n))
    return out


def test_single_subgraph_is_one_fetch(plan):
    p = plan('{ person(id: "1") { name birthYear } }')
    assert isinstance(p.node, FetchNode)
    assert p.node.service == "people"
    assert p.node.operation == 'query { person(id: "1") { name birthYear } }'


def test_root_fields_grouped_per_subgraph_in_parallel(plan):
    p = plan('{ a: person(id: "1") { name } slowPing b: person(id: "2") { id } record(id: "r1-1") { kind } }')
    assert isinstance(p.node, ParallelNode)
    services = sorted(f.service for _, f in fetches(p.node))
    assert services == ["people", "records", "slow"]
    people = next(f for _, f in fetches(p.node) if f.service == "people")
    assert 'a: person(id: "1")' in people.operation and 'b: person(id: "2")' in people.operation


def test_entity_hops_across_lists_and_levels(plan):
    p = plan('{ firstPeople(count: 5) { name records { kind subject { name mood } } } }')
    got = {(path, f.service) for path, f in fetches(p.node)}
    assert got == {
        (None, "people"),
        (("firstPeople", "@"), "records"),
        (("firstPeople", "@", "records", "@", "subject"), "people"),
        (("firstPeople", "@", "records", "@", "subject"), "slow"),
    }
    root = fetches(p.node)[0][1]
    assert "id __typename" in root.operation  # key fields added for the hop


def test_requires_fetched_first_and_sent(plan):
    p = plan('{ person(id: "1") { ageGroup } }')
    (_, root), (path, hop) = fetches(p.node)
    assert "birthYear" in root.operation
    assert [r.name for r in hop.entities["Person"].requires] == ["__typename", "id", "birthYear"]
    assert "ageGroup" in hop.operation and "birthYear" not in hop.operation


def test_provides_avoids_a_hop(plan):
    p = plan('{ record(id: "r1-1") { witness { name } } }')
    assert isinstance(p.node, FetchNode) and p.node.service == "records"
    p = plan('{ record(id: "r1-1") { subject { name } } }')  # no @provides there: hop to people
    assert [f.service for _, f in fetches(p.node)] == ["records", "people"]


def test_shareable_prefers_current_subgraph(plan):
    p = plan('{ record(id: "r1-1") { subject { nickname } } }')
    assert isinstance(p.node, FetchNode) and p.node.service == "records"


def test_union_members_share_one_entity_fetch(plan):
    p = plan('{ search(term: "x") { ... on Person { records { id } } ... on Org { recordCount } } }')
    hops = [f for path, f in fetches(p.node) if path]
    assert len(hops) == 1 and set(hops[0].entities) == {"Person", "Org"}


def test_variables_forwarded_only_where_used(plan):
    p = plan('query Q($id: ID!, $r: ID!, $n: Int = 2) { person(id: $id) { name } record(id: $r) { kind } '
             'firstPeople(count: $n) { id } }', name="Q")
    by_service = {f.service: f for _, f in fetches(p.node)}
    assert by_service["people"].variable_usages == ("id", "n")
    assert "$n: Int = 2" in by_service["people"].operation
    assert by_service["records"].variable_usages == ("r",)
    assert by_service["records"].operation.startswith("query Q__records__")


def test_skip_include_evaluated_into_plan(plan, sg):
    q = 'query($x: Boolean!) { person(id: "1") { name mood @include(if: $x) } }'
    assert [f.service for _, f in fetches(plan(q, {"x": True}).node)] == ["people", "slow"]
    assert [f.service for _, f in fetches(plan(q, {"x": False}).node)] == ["people"]
    cache = PlanCache(Planner(sg))
    op = DocumentCache(sg.api_schema).get(q, None)
    assert cache.get(op, {"x": True}) is cache.get(op, {"x": True})
    assert cache.get(op, {"x": False}) is not cache.get(op, {"x": True})
    assert (cache.stats.hits, cache.stats.misses) == (2, 2)


def test_mutations_are_sequential(plan):
    p = plan('mutation { a: rename(id: "1", name: "x") { name } b: rename(id: "2", name: "y") { records { id } } }')
    assert isinstance(p.node, SequenceNode)
    assert p.node.nodes[0].operation.startswith("mutation")  # both root fields in one ordered fetch
    assert p.to_dict()["kind"] == "QueryPlan"


def test_plan_cli(tmp_path, capsys):
    f = tmp_path / "op.graphql"
    f.write_text('query A { person(id: "1") { name ageGroup } } query B { slowPing }')
    assert cli(["plan", str(f), "--operation", "A", "--supergraph", str(FIXTURE)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("QueryPlan {") and 'Flatten(path: "person")' in out and "ageGroup" in out
    assert cli(["plan", str(f), "--supergraph", str(FIXTURE)]) == 1  # two operations, no name


def test_interface_leaves_selected_once_when_every_implementation_shares_them(plan):
    p = plan("{ named { name ... on Person { birthYear } ... on Org { recordCount } } }")
    people = next(f for _, f in fetches(p.node) if f.service == "people")
    # `name` once at interface level, not repeated in a fragment per implementation
    assert "named { __typename name ... on Org {" in people.operation
    assert re.findall(r"\bname\b", people.operation) == ["name"]
    assert "... on Person { birthYear }" in people.operation
    # a field only some selections ask for stays in its fragment, and hops still work below it
    assert any(f.service == "records" for _, f in fetches(p.node))


def test_interface_object_fields_of_local_leaves_selected_once():
    """An event's `subject { personalId }` (every implementation has it, the key is local): one selection at
    interface level, not one per event type; a sub-selection that needs a hop stays per type."""
    real = load_supergraph(Path(__file__).parents[1] / "schema.graphql")
    docs, planner = DocumentCache(real.api_schema), Planner(real)
    local = planner.plan(docs.get('{ civilStatusEvent(id: "1") { kind subject { personalId } } }', None), {})
    (fetch,) = [f for _, f in fetches(local.node)]
    assert fetch.operation.count("subject {") == 1 and "... on" not in fetch.operation, fetch.operation
    hop = planner.plan(docs.get('{ civilStatusEvent(id: "1") { kind subject { fullName } } }', None), {})
    civil = next(f for _, f in fetches(hop.node) if f.service == "civil_status")
    assert civil.operation.count("subject {") > 1 and any(f.service == "population" for _, f in fetches(hop.node))
