"""Efficiency claims, read from the running gateway's /metrics: one policy decision per request (the engine
evaluates at most once, not at all in steady state), and withheld fields are never fetched from subgraphs."""

from __future__ import annotations

from tests.e2e import ids
from tests.e2e.checks import assert_decided, assert_withheld
from tests.e2e.support import LEGAL_BASIS, E2EStack

EVALUATIONS = "lienthong_policy_evaluations_total"
WIDE = """query W($id: ID!) { person(personalId: $id) { fullName sentences { id status }
  civilStatusEvents { id kind } father { fullName } } }"""


def _policy(e2e: E2EStack) -> tuple[float, float]:
    """(decisions, engine evaluations) so far."""
    samples = e2e.metrics()
    hit, miss = samples.get(f'{EVALUATIONS}{{cache="hit"}}'), samples.get(f'{EVALUATIONS}{{cache="miss"}}')
    assert hit is not None and miss is not None, f"{EVALUATIONS} is not exposed on /metrics"
    return hit + miss, miss


def _fetches(e2e: E2EStack, subgraph: str) -> float:
    return sum(v for k, v in e2e.metrics().items()
               if k.startswith("lienthong_gateway_subgraph_fetches_total{") and f'subgraph="{subgraph}"' in k)


def test_one_policy_decision_per_request(e2e: E2EStack) -> None:
    """A query over the three subgraphs: one decision per request, evaluated by the engine the first time
    only (at most once), then answered by the decision cache (steady state), also for another person."""
    token = e2e.token("vksnd-ha-noi", sub="officer-efficiency")
    for round_, person in enumerate([ids.adult_offender(e2e), ids.adult_offender(e2e), ids.visible_adult(e2e)]):
        decisions, evaluations = _policy(e2e)
        reply = e2e.post(WIDE, {"id": person}, token=token, purpose="enforcement_supervision",
                         legal_basis=LEGAL_BASIS)
        assert_decided(reply, "enforcement_supervision")
        after_decisions, after_evaluations = _policy(e2e)
        assert after_decisions - decisions == 1, "more than one policy decision for one request"
        assert after_evaluations - evaluations <= 1
        if round_ > 0:
            assert after_evaluations == evaluations, "steady state: the decision cache answers"


def test_withheld_fields_are_not_fetched(e2e: E2EStack) -> None:
    """A statistics caller asking Person.sentences causes no call to the sentences subgraph; a court does."""
    person = ids.adult_offender(e2e)
    query = "query($id: ID!) { person(personalId: $id) { dateOfBirth sentences { id status } } }"
    before_sentences, before_population = _fetches(e2e, "sentences"), _fetches(e2e, "population")
    reply = e2e.post(query, {"id": person}, token=e2e.token("cuc-thong-ke"), purpose="statistics")
    assert_decided(reply, "statistics")
    assert_withheld(reply, ("person", "sentences"), "Person.sentences")
    assert _fetches(e2e, "population") > before_population
    assert _fetches(e2e, "sentences") == before_sentences, "a withheld field was fetched from its subgraph"
    court = e2e.post(query, {"id": person}, token=e2e.token("tandtc"), purpose="criminal_proceedings",
                     legal_basis=LEGAL_BASIS)
    assert court.data["person"]["sentences"]
    assert _fetches(e2e, "sentences") > before_sentences  # the control: the metric does count these fetches


def test_subject_facts_are_fetched_only_for_the_rows_a_rule_reads_them_on(e2e: E2EStack) -> None:
    """An enforcement body's minors' rule reads the offender's birth date on sentence rows, never on civil status
    events: population answers the person, with its facts, in 1 call, not also the facts of every party of every
    event (gateway/policy/row_scope.py), nor again the facts of the sentences' offender, the person already
    fetched (gateway/planning/reuse.py)."""
    person = ids.adult_offender(e2e)
    query = """query($id: ID!) { person(personalId: $id) { fullName
      civilStatusEvents { kind registrationNumber } sentences { id status } } }"""
    before = _fetches(e2e, "population")
    reply = e2e.post(query, {"id": person}, token=e2e.token("c10-bca"), purpose="sentence_enforcement",
                     legal_basis=LEGAL_BASIS)
    assert_decided(reply, "sentence_enforcement")
    assert reply.data["person"]["civilStatusEvents"] and reply.data["person"]["sentences"]
    assert _fetches(e2e, "population") - before == 1
