"""Operation-shape attacks (issue 4) must not reveal a withheld field: aliases, fragments, other entity paths,
variables and directives, GET, batching, introspection, federation internals, reserved aliases."""

from __future__ import annotations

import json

import pytest

from tests.e2e import ids
from tests.e2e.checks import assert_decided, assert_refused, assert_withheld, forbidden, text_of
from tests.e2e.support import LEGAL_BASIS, E2EStack

AGENCY, PURPOSE = "stp-ha-noi", "administrative_procedure"  # no CRIMINAL, no RELIGION


def _leaks(e2e: E2EStack, body: str, offender: str) -> list[str]:
    """Sentence ids, offence summaries and the religion of ``offender`` that appear in ``body``."""
    rows = e2e.rows("SELECT id, offence_summary FROM sentence WHERE offender_personal_id = ?", (offender,))
    religion = e2e.rows("SELECT religion FROM person WHERE personal_id = ?", (offender,))[0][0]
    secrets = [str(v) for row in rows for v in row] + ([religion] if religion else [])
    return [s for s in secrets if s in body]


def _ask(e2e: E2EStack, query: str, variables: dict | None = None) -> tuple:
    offender = ids.adult_offender(e2e)
    reply = e2e.post(query, {"id": offender, **(variables or {})}, token=e2e.token(AGENCY), purpose=PURPOSE)
    assert_decided(reply, PURPOSE)
    assert not _leaks(e2e, text_of(reply), offender), reply.body
    return reply, offender


def test_aliases_and_fragments_do_not_reach_withheld_fields(e2e: E2EStack) -> None:
    reply, _ = _ask(e2e, """query A($id: ID!) { person(personalId: $id) { fullName
        crimes: sentences { id offenceSummary } ...Named ... on Person { faith: religion again: sentences { id } } }
      } fragment Named on Person { sentences { id } religion }""")
    for key, coordinate in (("crimes", "Person.sentences"), ("again", "Person.sentences"),
                            ("sentences", "Person.sentences"), ("faith", "Person.religion"),
                            ("religion", "Person.religion")):
        assert_withheld(reply, ("person", key), coordinate)
    assert reply.data["person"]["fullName"]


def test_other_entity_paths_do_not_reach_withheld_fields(e2e: E2EStack) -> None:
    """Person → civilStatusEvents → subject → sentences / father → sentences: withheld wherever it is reached."""
    reply, _ = _ask(e2e, """query B($id: ID!) { person(personalId: $id) {
        civilStatusEvents { subject { personalId sentences { id } } }
        father { sentences { id } } } }""")
    paths = [p for p in forbidden(reply) if p[-1] == "sentences"]
    assert paths, reply.body
    for event in reply.data["person"]["civilStatusEvents"]:
        assert event["subject"]["sentences"] is None


def test_sentence_by_id_and_its_offender_are_withheld(e2e: E2EStack) -> None:
    """``sentence(id)`` is CRIMINAL at the root: withheld, so its offender cannot be reached through it."""
    offender = ids.adult_offender(e2e)
    sentence = ids.offender_sentence(e2e, offender)
    query = """query C($s: ID!) { sentence(id: $s) { id offenceSummary
        offender { ... on Person { personalId fullName } } person { fullName } } }"""
    reply = e2e.post(query, {"s": sentence}, token=e2e.token(AGENCY), purpose=PURPOSE)
    assert_decided(reply, PURPOSE)
    assert_withheld(reply, ("sentence",), "Query.sentence")
    assert offender not in text_of(reply) and not _leaks(e2e, text_of(reply), offender)


@pytest.mark.parametrize("include", [True, False])
def test_variables_and_directives_do_not_toggle_a_withheld_field_on(e2e: E2EStack, include: bool) -> None:
    reply, _ = _ask(e2e, """query D($id: ID!, $on: Boolean!) { person(personalId: $id) { fullName
        sentences @include(if: $on) { id } religion @skip(if: false) } }""", {"on": include})
    assert_withheld(reply, ("person", "religion"), "Person.religion")
    if include:
        assert_withheld(reply, ("person", "sentences"), "Person.sentences")
    else:
        assert "sentences" not in reply.data["person"]


def test_get_requests_are_policed_like_posts_and_cannot_mutate(e2e: E2EStack) -> None:
    offender = ids.adult_offender(e2e)
    headers = e2e.headers(e2e.token(AGENCY), PURPOSE, None)
    query = "query G($id: ID!) { person(personalId: $id) { fullName sentences { id } } }"
    reply = e2e.send("GET", None, headers, params={"query": query, "variables": json.dumps({"id": offender})})
    assert_decided(reply, PURPOSE)
    assert_withheld(reply, ("person", "sentences"), "Person.sentences")
    assert not _leaks(e2e, text_of(reply), offender)
    mutation = e2e.send("GET", None, headers, params={"query": "mutation { __typename }"})
    assert mutation.status >= 400 and mutation.data is None, mutation.body
    assert set(mutation.codes) & {"BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED"}, mutation.body


def test_batched_operations_are_refused(e2e: E2EStack) -> None:
    offender = ids.adult_offender(e2e)
    batch = [{"query": "{ __typename }"},
             {"query": "query($id: ID!) { person(personalId: $id) { sentences { id } } }", "variables": {"id": offender}}]
    reply = e2e.send("POST", batch, e2e.headers(e2e.token("tandtc"), "criminal_proceedings", LEGAL_BASIS))
    assert_refused(reply, 400, "BAD_USER_INPUT")
    assert not _leaks(e2e, text_of(reply), offender)


def test_introspection_hides_federation_internals(e2e: E2EStack) -> None:
    reply = e2e.post("""{ entity: __type(name: "_Entity") { name } any: __type(name: "_Any") { name }
        service: __type(name: "_Service") { name } __schema { queryType { fields { name } } } }""",
                     token=e2e.token(AGENCY))
    assert reply.status == 200, reply.body
    assert reply.data["entity"] is None and reply.data["any"] is None and reply.data["service"] is None
    names = {f["name"] for f in reply.data["__schema"]["queryType"]["fields"]}
    assert "person" in names and not names & {"_entities", "_service"}


@pytest.mark.parametrize("query", [
    '{ _entities(representations: [{__typename: "Person", personalId: "001065536385"}]) '
    '{ ... on Person { sentences { id } } } }',
    "{ _service { sdl } }",
])
def test_federation_root_fields_are_not_served(e2e: E2EStack, query: str) -> None:
    reply = e2e.post(query, token=e2e.token("tandtc"), purpose="criminal_proceedings", legal_basis=LEGAL_BASIS)
    assert_refused(reply, 400, "GRAPHQL_VALIDATION_FAILED")


def test_reserved_alias_prefix_is_refused(e2e: E2EStack) -> None:
    """``_lt_`` aliases are the gateway's own (injected row attributes): a client may not forge one."""
    reply = e2e.post("query($id: ID!) { person(personalId: $id) { _lt_dateOfBirth: fullName } }",
                     {"id": ids.adult_offender(e2e)}, token=e2e.token(AGENCY), purpose=PURPOSE)
    assert_refused(reply, 400, "BAD_USER_INPUT")
