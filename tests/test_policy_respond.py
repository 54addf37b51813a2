"""The one-walk response (``gateway.policy.respond``: completion and policy in the same pass over the merged
subgraph answers) against the two-walk reference (``Executor.execute`` completes, then ``apply_policy`` walks the
completed response): the same data, errors, masked entries and audited subjects, for callers whose decisions
release, mask, withhold, filter rows by province and withhold minors' criminal data, on the real subgraphs
(seeded small), the embedded Rego policy and the shipped supergraph."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from gateway.auth import AuthSettings
from gateway.auth.dev import mint_dev_token
from gateway.config import GatewaySettings
from gateway.server import Gateway
from gateway.server.trivial import NullAudit
from gateway.server.wiring import build_hooks
from gateway.supergraph import load_supergraph
from tests.conformance.stack import ROOT, Stack, start_subgraphs

EVENT = """kind registrationNumber registrationDate registeringAuthority registrationProvinceCode
           subject { personalId fullName dateOfBirth }
           ... on MarriageRegistration { husband { personalId fullName } wife { personalId fullName } }"""
SENTENCE = "id status offenceDate offenceSummary judgment { courtName number issuedOn } charges { article }"
QUERIES = {
    "one": "query($id: ID!) { person(personalId: $id) { personalId fullName dateOfBirth sex ethnicity religion "
           "permanentAddress father { fullName } mother { fullName dateOfBirth } } }",
    "three": "query($id: ID!) { person(personalId: $id) { fullName maritalStatus civilStatusEvents { " + EVENT +
             " } sentences { " + SENTENCE + " } } }",
    "many": "query($ids: [ID!]!) { persons(personalIds: $ids) { personalId fullName dateOfBirth "
            "permanentAddress civilStatusEvents { " + EVENT + " } sentences { " + SENTENCE + " } } }",
    "aliases": "query($id: ID!) { a: person(personalId: $id) { n: fullName __typename b: birthRegistration { "
               "registrationNumber } } b: person(personalId: $id) { id: personalId s: sentences { id } } }",
    "statistics": "{ sentenceStatistics(fromYear: 2000, toYear: 2030) { year provinceCode count } }",
}
# (agency, purpose, legal basis): release, CRIMINAL without a grant, minors' criminal data, province scope,
# masks (statistics)
CALLERS = [
    ("tandtc", "criminal_proceedings", "Quyết định khởi tố 12/2025"),
    ("c10-bca", "sentence_enforcement", "Quyết định thi hành án 3/2025"),
    ("stp-ha-noi", "administrative_procedure", None),
    ("cuc-thong-ke", "statistics", None),
]


class TwoWalks:
    """The real policy hook without ``apply_fetched``: the pipeline then completes first and applies after."""

    def __init__(self, hook: Any) -> None:
        self.hook = hook

    def collect(self, *args: Any) -> Any:
        return self.hook.collect(*args)

    def decide(self, *args: Any) -> Any:
        return self.hook.decide(*args)

    def prepare(self, *args: Any) -> Any:
        return self.hook.prepare(*args)

    def apply(self, *args: Any) -> Any:
        return self.hook.apply(*args)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, list[str]]]:
    workdir = tmp_path_factory.mktemp("respond")
    with ExitStack() as services:
        stack = start_subgraphs(workdir, services, people=150, seed_value=21)
        with sqlite3.connect(workdir / "lt.db") as db:
            # persons with events and sentences first (minors among them), then the rest
            ids = [r[0] for r in db.execute(
                "SELECT p.personal_id FROM person p LEFT JOIN sentence s ON s.offender_personal_id = p.personal_id "
                "GROUP BY p.personal_id ORDER BY COUNT(s.id) DESC, p.date_of_birth DESC LIMIT 40").fetchall()]
        yield stack, ids


@pytest.fixture
async def gateways(stack: tuple[Stack, list[str]], tmp_path: Path) -> AsyncIterator[tuple[Gateway, Gateway]]:
    env = dict(stack[0].env)
    env.update({f"{g.upper()}_URL": u for g, u in stack[0].subgraph_urls.items()})
    env.update(GATEWAY_ENV="development", GATEWAY_POLICY_ENGINE="embedded",
               GATEWAY_SUPERGRAPH=str(ROOT / "schema.graphql"),
               GATEWAY_AUDIT_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'audit.db'}",
               GATEWAY_STORE_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}")
    settings = GatewaySettings.from_env(env)
    supergraph = load_supergraph(settings.supergraph_path, settings)
    hooks = build_hooks(settings, supergraph)
    one = Gateway(settings, supergraph, authenticator=hooks.authenticator, policy=hooks.policy, audit=NullAudit(),
                  transports=hooks.transports, resources=hooks.resources)
    two = Gateway(settings, supergraph, authenticator=hooks.authenticator, policy=TwoWalks(hooks.policy),
                  audit=NullAudit(), transports=hooks.transports, resources=hooks.resources)
    async with one, two:
        yield one, two


def _comparable(body: dict[str, Any]) -> dict[str, Any]:
    policy = dict((body.get("extensions") or {}).get("policy") or {})
    policy.pop("decisionId", None)
    return {**body, "extensions": {**(body.get("extensions") or {}), "policy": policy}}


async def _ask(gateway: Gateway, query: str, variables: dict[str, Any], agency: str, purpose: str,
               basis: str | None) -> tuple[int, dict[str, Any], list[str]]:
    token = mint_dev_token(agency, "officer-1", settings=AuthSettings.from_env(dict(gateway.settings.raw_env)))
    headers = {"authorization": f"Bearer {token}", "x-purpose": purpose}
    if basis:
        headers["x-legal-basis"] = basis
    response = await gateway.execute(query, variables, headers=headers)
    audit = gateway.hooks[2]
    return response.status, _comparable(response.body), list(audit.records[-1].subjects)


@pytest.mark.parametrize("caller", CALLERS, ids=[f"{a}-{p}" for a, p, _ in CALLERS])
async def test_one_walk_answers_as_two_walks(gateways: tuple[Gateway, Gateway], stack: tuple[Stack, list[str]],
                                             caller: tuple[str, str, str | None]) -> None:
    one, two = gateways
    ids = stack[1]
    checked = 0
    for name, query in QUERIES.items():
        for variables in ({"id": ids[0]}, {"id": ids[-1]}, {"ids": ids}):
            if ("$ids" in query) != ("ids" in variables):
                continue
            if "$" not in query:
                variables = {}
            new, old = await _ask(one, query, variables, *caller), await _ask(two, query, variables, *caller)
            assert new == old, f"{name} {variables} as {caller}"
            checked += new[0] == 200
    assert checked  # some answers went through the walk


async def test_one_walk_withholds_and_masks(gateways: tuple[Gateway, Gateway], stack: tuple[Stack, list[str]]
                                            ) -> None:
    """Not only equal: the statistics office gets masked values and withheld fields from the one walk."""
    one, _ = gateways
    status, body, subjects = await _ask(one, QUERIES["one"], {"id": stack[1][0]}, "cuc-thong-ke", "statistics", None)
    assert status == 200
    person = body["data"]["person"]
    assert person["personalId"].startswith("p_") and person["personalId"] != stack[1][0]  # pseudonymised
    assert person["fullName"] is None
    codes = {e["extensions"]["code"] for e in body["errors"]}
    assert codes == {"FORBIDDEN_FIELD"}
    masked = body["extensions"]["policy"]["masked"]
    assert {"path": ["person", "personalId"], "coordinate": "Person.personalId", "effect": "mask"}.items() <= \
        next(m for m in masked if m["coordinate"] == "Person.personalId").items()
    assert stack[1][0] in subjects  # with the parents, whose names the query reaches


async def test_one_walk_answers_as_two_walks_for_a_data_subject(gateways: tuple[Gateway, Gateway],
                                                                 stack: tuple[Stack, list[str]]) -> None:
    """The silent filter of rows about others (``data_subject_self``, ``"report": "silent"``): both walks drop
    them from lists, null them as items of nullable lists and as fields, and record nothing."""
    one, two = gateways
    ids = stack[1]
    me = ids[0]

    async def ask(gateway: Gateway, query: str, variables: dict[str, Any]) -> tuple[int, dict[str, Any], list[str]]:
        token = mint_dev_token(None, me, role="data_subject",
                               settings=AuthSettings.from_env(dict(gateway.settings.raw_env)))
        response = await gateway.execute(query, variables, headers={"authorization": f"Bearer {token}"})
        return response.status, _comparable(response.body), list(gateway.hooks[2].records[-1].subjects)

    many = await ask(one, "query($ids: [ID!]!) { persons(personalIds: $ids) { personalId fullName } }", {"ids": ids})
    assert many[0] == 200 and many[1]["data"]["persons"][0]["personalId"] == me, many
    assert many[1]["data"]["persons"][1:] == [None] * (len(ids) - 1)  # others: as ids that match nothing
    assert not [m for m in many[1]["extensions"]["policy"]["masked"] if m["effect"] == "filter"]
    checked = 0
    for name in ("one", "three", "many", "aliases"):
        for variables in ({"id": me}, {"id": ids[-1]}, {"ids": ids}):
            if ("$ids" in QUERIES[name]) != ("ids" in variables):
                continue
            new, old = await ask(one, QUERIES[name], variables), await ask(two, QUERIES[name], variables)
            assert new == old, f"{name} {variables}"
            checked += new[0] == 200
    assert checked == 7  # every query was answered (none refused whole: the walks compared real answers)
