"""Data subjects end to end (004 Art. 9, 11, 12, 14-16): real subgraph processes, our gateway over a supergraph
composed from the live SDL (so it serves the rights service whatever schema.graphql holds), real JWTs.

- a data subject reads their own record and nothing about others;
- a restriction filed by the subject and accepted by the DPO: the next read of that person is withheld on every
  path for a purpose not exempt under 004 Art. 17, still served for an exempt one, with its time shown to both;
- a consent given, used by the agency it names, refused to anyone else, withdrawn: the next request is refused;
- every filing, resolution, consent and withdrawal is in the hash chain.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from tests.compose.live_sdl import write_live_sdl
from tests.e2e.support import E2E_GATEWAY_SETTINGS, E2EStack

ROOT = Path(__file__).resolve().parents[1]
JUSTICE = "stp-ha-noi"  # province 001: administrative_procedure and consented_provision are not Art. 17-exempt
REGISTRY = "ubnd-phuong-hoan-kiem"  # province 001: civil_status_registration is exempt (004 Art. 17.5)
DPO = "dpo-1"  # policies/data/agencies.json data_protection_officers


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[E2EStack]:
    from tests.conformance.stack import start_gateway, start_subgraphs

    workdir = tmp_path_factory.mktemp("subjects")
    sdl = write_live_sdl(workdir / "sdl")
    supergraph = workdir / "supergraph.graphql"
    composed = subprocess.run([sys.executable, "-m", "gateway", "compose", "--from-files", str(sdl), "-o",
                               str(supergraph)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert composed.returncode == 0, composed.stderr
    with ExitStack() as services:
        running_stack = start_subgraphs(workdir, services, people=600, seed_value=23)
        settings = dict(E2E_GATEWAY_SETTINGS,
                        GATEWAY_AUDIT_DATABASE_URL=f"sqlite+aiosqlite:///{workdir / 'audit.db'}",
                        GATEWAY_STORE_DATABASE_URL=f"sqlite+aiosqlite:///{workdir / 'gateway.db'}")
        url = start_gateway(running_stack, services, "gateway", settings, supergraph=supergraph)
        running = E2EStack(stack=running_stack, url=url, settings=settings, audit_db=workdir / "audit.db",
                           data_db=workdir / "lt.db")
        services.callback(running.close)
        yield running


def _person(e2e: E2EStack, offset: int = 0) -> tuple[str, str, str, str]:
    """A visible married person of province 001 with a civil status event registered there as its subject:
    (personalId, full name, spouse's personalId, registration number)."""
    rows = e2e.rows(
        "SELECT p.personal_id, p.full_name, p.spouse_id, e.registration_number FROM person p "
        "JOIN civil_status_event e ON e.subject_id = p.personal_id JOIN person s ON s.personal_id = p.spouse_id "
        "WHERE p.date_of_death IS NULL AND p.missing_since IS NULL AND p.processing_restricted = 0 "
        "AND p.date_of_birth < '1995' AND p.province_code = '001' AND e.registration_province_code = '001' "
        "AND s.processing_restricted = 0 AND s.date_of_death IS NULL AND s.missing_since IS NULL "
        "AND EXISTS (SELECT 1 FROM civil_status_event m JOIN civil_status_party a ON a.event_id = m.id "
        "AND a.personal_id = p.personal_id JOIN civil_status_party b ON b.event_id = m.id "
        "AND b.personal_id = p.spouse_id WHERE m.kind = 'MARRIAGE' AND m.registration_province_code = '001') "
        "AND e.registration_number IN (SELECT registration_number FROM civil_status_event "
        "GROUP BY registration_number HAVING count(*) = 1) "
        "ORDER BY p.personal_id LIMIT 1 OFFSET ?", (offset,))
    assert rows, "the seeded data has no married person of province 001 with an event registered there"
    return tuple(str(v) for v in rows[0])  # type: ignore[return-value]


def _couple(e2e: E2EStack) -> tuple[str, str, str]:
    """A visible adult of province 001 and their visible spouse (from the end of the list, apart from the
    persons the other tests use): (personalId, full name, spouse's personalId)."""
    rows = e2e.rows(
        "SELECT p.personal_id, p.full_name, p.spouse_id FROM person p JOIN person s ON s.personal_id = p.spouse_id "
        "WHERE p.date_of_death IS NULL AND p.missing_since IS NULL AND p.processing_restricted = 0 "
        "AND p.date_of_birth < '2000' AND s.processing_restricted = 0 AND s.date_of_death IS NULL "
        "AND s.missing_since IS NULL ORDER BY p.personal_id DESC LIMIT 1")
    assert rows, "the seeded data has no visible married adult"
    return tuple(str(v) for v in rows[0])  # type: ignore[return-value]


def _paths(pid: str, name: str, spouse: str, registration: str) -> dict[str, tuple[str, dict[str, Any]]]:
    """Every root path to the person's Person row a province-001 agency may call."""
    return {
        "person": ("query($id: ID!) { person(personalId: $id) { personalId fullName } }", {"id": pid}),
        "persons": ("query($id: ID!) { persons(personalIds: [$id]) { personalId fullName } }", {"id": pid}),
        "search": ("query($n: String!) { searchPersons(name: $n, provinceCode: \"001\", first: 100) "
                   "{ edges { node { personalId fullName } } } }", {"n": name}),
        "spouse": ("query($id: ID!) { person(personalId: $id) { spouse { personalId fullName } } }", {"id": spouse}),
        "record": ("query($r: String!) { civilStatusRecords(registrationNumber: $r) { registrationNumber "
                   "subject { personalId fullName } } }", {"r": registration}),
        "marriage": ("query($id: ID!) { person(personalId: $id) { civilStatusEvents(kinds: [MARRIAGE]) { "
                     "... on MarriageRegistration { husband { personalId fullName } wife { personalId fullName } } "
                     "} } }", {"id": spouse}),
    }


def _me(e2e: E2EStack, pid: str) -> str:
    return e2e.token(None, sub=pid, role="data_subject")


def _dpo(e2e: E2EStack) -> str:
    return e2e.token(None, sub=DPO, role="dpo")


FILE = """mutation($d: String!) { fileDataSubjectRequest(kind: RESTRICTION, details: $d) {
  id kind status restrictedSince clock { filedAt deadline resolvedAt overdue hoursLeft article } } }"""
RESOLVE = """mutation($id: ID!) { resolveDataSubjectRequest(id: $id, decision: ACCEPT, note: "004 Art. 9.6: granted") {
  id status restrictedSince resolvedBy clock { filedAt deadline resolvedAt overdue } } }"""


def test_a_data_subject_reads_their_record_and_nothing_about_others(stack: E2EStack) -> None:
    pid, name, spouse, registration = _person(stack, 1)
    own = stack.post("query($id: ID!) { person(personalId: $id) { personalId fullName religion spouse { fullName } "
                     "civilStatusEvents { registrationNumber } } }", {"id": pid}, token=_me(stack, pid))
    assert own.status == 200, own.body
    person = own.data["person"]
    assert person["personalId"] == pid and person["fullName"] == name
    assert registration in [e["registrationNumber"] for e in person["civilStatusEvents"]]
    assert person["religion"] is None  # an extract does not release it (004 Art. 2.4.a)
    # the spouse is in the subject's record: what an extract shows of them, nothing else (003 Art. 13)
    assert person["spouse"] is not None and person["spouse"]["fullName"]
    for path, (query, variables) in _paths(pid, name, spouse, registration).items():
        if path in ("person", "persons", "search", "record"):
            continue
        reply = stack.post(query, variables, token=_me(stack, pid))
        assert reply.status == 200, (path, reply.body)
        text = str(reply.data)
        assert spouse not in text, (path, reply.data)
    relative = stack.post("query($id: ID!) { person(personalId: $id) { personalId fullName religion "
                          "civilStatusEvents { registrationNumber } } }", {"id": spouse}, token=_me(stack, pid))
    assert relative.data["person"]["personalId"] == spouse and relative.data["person"]["civilStatusEvents"] is None
    stranger = _couple(stack)[0]
    assert stranger not in (pid, spouse)
    other = stack.post("query($id: ID!) { person(personalId: $id) { personalId fullName } }", {"id": stranger},
                       token=_me(stack, pid))
    assert other.data["person"] is None and other.errors == []  # as if it did not exist (test below)
    # a relative's own rows of another type (their marriage) answer as a key that matches nothing
    marriage = stack.post("query($id: ID!) { person(personalId: $id) { civilStatusEvents(kinds: [MARRIAGE]) { "
                          "registrationNumber } } }", {"id": spouse}, token=_me(stack, pid))
    assert spouse not in str(marriage.data)
    declared = stack.post("query($id: ID!) { person(personalId: $id) { fullName } }", {"id": pid},
                          token=_me(stack, pid), purpose="civil_status_extract")
    assert declared.status == 403 and declared.codes == ["PURPOSE_NOT_PERMITTED"]


def _unknown(stack: E2EStack, table: str, column: str, candidates: tuple[str, ...]) -> str:
    """A well-formed key no row of ``table`` has."""
    for key in candidates:
        if not stack.rows(f"SELECT 1 FROM {table} WHERE {column} = ?", (key,)):
            return key
    raise AssertionError(f"every candidate key exists in {table}")


def _lookups(stack: E2EStack, pid: str, spouse: str) -> list[tuple[str, str, str, str | None]]:
    """(query, another person's existing key, a key that matches nothing, the data subject's own key or None)
    for the root lookups by key a data subject may send."""
    rows = stack.rows(
        "SELECT e.id, e.registration_number FROM civil_status_event e WHERE e.registration_number IN "
        "(SELECT registration_number FROM civil_status_event GROUP BY registration_number HAVING count(*) = 1) "
        "AND NOT EXISTS (SELECT 1 FROM civil_status_party a WHERE a.event_id = e.id AND a.personal_id = ?) "
        "AND (e.subject_id IS NULL OR e.subject_id <> ?) ORDER BY e.id LIMIT 1", (pid, pid))
    assert rows, "the seeded data has no civil status event of someone else"
    event_id, number = (str(v) for v in rows[0])
    mine = stack.rows("SELECT id, registration_number FROM civil_status_event WHERE subject_id = ? ORDER BY id",
                      (pid,))[0]
    offender = stack.rows("SELECT id, offender_personal_id FROM sentence WHERE offender_personal_id IS NOT NULL "
                          "AND offender_personal_id <> ? ORDER BY id LIMIT 1", (pid,))
    assert offender, "the seeded data has no sentence"
    sentence, convict = (str(v) for v in offender[0])
    nobody = _unknown(stack, "person", "personal_id", ("001999999999", "079999999998", "001888888887"))
    return [
        ("query($k: ID!) { person(personalId: $k) { personalId fullName dateOfBirth } }", spouse, nobody, pid),
        ("query($k: ID!) { persons(personalIds: [$k]) { personalId fullName } }", spouse, nobody, pid),
        ("query($k: ID!) { person(personalId: $k) { personalId civilStatusEvents { registrationNumber } } }",
         spouse, nobody, pid),
        ("query($k: String!) { civilStatusRecords(registrationNumber: $k) { registrationNumber "
         "subject { personalId } } }", number,
         _unknown(stack, "civil_status_event", "registration_number", ("99999999/1901", "88888888/1902")), mine[1]),
        ("query($k: ID!) { civilStatusEvent(id: $k) { registrationNumber } }", event_id,
         _unknown(stack, "civil_status_event", "id", ("99999999", "88888888")), str(mine[0])),
        ("query($k: ID!) { sentencesOf(personalId: $k) { id } }", convict, nobody, pid),
        ("query($k: ID!) { sentence(id: $k) { id } }", sentence,
         _unknown(stack, "sentence", "id", ("S-99999999", "99999999")), None),
    ]


def test_another_persons_key_answers_as_a_key_that_matches_nothing(stack: E2EStack) -> None:
    """004 Art. 10.2: a data subject asking for another person's id, registration number or sentence gets
    exactly the answer a key that matches nothing gets (data, errors, policy entries): an error there would tell
    them that the key exists. Their own key still answers, so the queries are not refused as a whole."""
    pid, _, spouse, _ = _person(stack, 2)
    # someone who is not in the subject's record (a spouse or parent is: 003 Art. 13, test above)
    stranger = _couple(stack)[0]
    assert stranger not in (pid, spouse)
    token = _me(stack, pid)
    answered_own = 0
    for query, other, nobody, own in _lookups(stack, pid, stranger):
        about_other = stack.post(query, {"k": other}, token=token)
        about_nobody = stack.post(query, {"k": nobody}, token=token)
        assert about_other.status == about_nobody.status == 200, (query, about_other.body, about_nobody.body)
        assert about_other.data == about_nobody.data, (query, about_other.data, about_nobody.data)
        assert about_other.errors == about_nobody.errors, (query, about_other.errors, about_nobody.errors)
        assert about_other.policy["masked"] == about_nobody.policy["masked"], (query, about_other.policy)
        if len(other) > 6:  # a personal id, a registration number (an event id may be "1")
            assert other not in str(about_other.body), (query, about_other.body)
        if own is not None:
            answer = next(iter((stack.post(query, {"k": own}, token=token).data or {None: None}).values()))
            answered_own += answer not in (None, [], [None])
    assert answered_own >= 5  # person, persons, events, records, event answer the subject's own key


LIFT = """mutation($id: ID!, $n: String!) { liftRestriction(id: $id, note: $n) {
  id status restrictedSince restrictionLiftedAt restrictionLiftedBy restrictionLiftNote } }"""


def test_a_lifted_restriction_releases_the_person_on_every_path_again(stack: E2EStack) -> None:
    """004 Art. 9.6: the DPO lifts an accepted restriction; every path answers again exactly as before the
    restriction (the sentences paths too: CRIMINAL data stays withheld from a justice department, for its own
    reason, before, during and after), population keeps the restriction's set and lifted times, and only the
    DPO may lift."""
    # the person the restriction test below restricts for good: this test ends as it started (lifted), and runs
    # first (the seed has one such couple; a restricted person's spouse no longer qualifies either)
    pid, name, spouse, registration = _person(stack)
    event = stack.rows("SELECT id FROM civil_status_event WHERE registration_number = ?", (registration,))[0][0]
    paths = dict(_paths(pid, name, spouse, registration))
    paths["event"] = ("query($k: ID!) { civilStatusEvent(id: $k) { registrationNumber subject { personalId fullName } } }",
                      {"k": str(event)})
    paths["sentences"] = ("query($id: ID!) { person(personalId: $id) { fullName sentences { id } } }", {"id": pid})
    paths["sentencesOf"] = ("query($id: ID!) { sentencesOf(personalId: $id) { id person { fullName } } }",
                            {"id": pid})
    justice = stack.token(JUSTICE)

    def answers() -> dict[str, Any]:
        return {path: stack.post(q, v, token=justice, purpose="administrative_procedure") for path, (q, v) in paths.items()}

    before = answers()
    shown = {path for path, reply in before.items() if name in str(reply.data)}
    assert shown >= {"person", "persons", "search", "spouse", "record", "marriage", "event"}, shown
    filed = stack.post(FILE, {"d": "Stop processing my data while my complaint is examined."}, token=_me(stack, pid))
    request = filed.data["fileDataSubjectRequest"]["id"]
    assert stack.post(RESOLVE, {"id": request}, token=_dpo(stack)).data["resolveDataSubjectRequest"]["status"] == "ACCEPTED"
    during = answers()
    for path in shown:
        assert name not in str(during[path].data), (path, during[path].data)
        assert any("004 Art. 9.6" in e["reason"] for e in during[path].policy["masked"]), path

    # only the DPO lifts: not the data subject, not an agency (the rights service's resolvers check the role)
    for token in (_me(stack, pid), justice):
        refused = stack.post(LIFT, {"id": request, "n": "lifted"}, token=token)
        assert refused.data in (None, {"liftRestriction": None}), refused.body
        assert "FORBIDDEN_FIELD" in refused.codes or refused.status == 403, refused.body
    assert all(name not in str(stack.post(*paths[p], token=justice, purpose="administrative_procedure").data)
               for p in ("person", "record"))
    lifted = stack.post(LIFT, {"id": request, "n": "004 Art. 9.6: complaint examined, the subject asked to lift"},
                        token=_dpo(stack))
    assert lifted.status == 200 and not lifted.errors, lifted.body
    out = lifted.data["liftRestriction"]
    assert out["status"] == "ACCEPTED" and out["restrictionLiftedBy"] == DPO
    assert out["restrictionLiftedAt"] >= out["restrictedSince"]

    after = answers()
    for path in paths:
        assert after[path].data == before[path].data, (path, before[path].data, after[path].data)
        assert after[path].policy["masked"] == before[path].policy["masked"], path
        assert not any("004 Art. 9.6" in e["reason"] for e in after[path].policy["masked"]), path
    # the history stays in population: set and lifted times on the restriction's row, never deleted
    rows = stack.rows("SELECT since, lifted_at FROM processing_restriction WHERE request_reference = ?", (request,))
    assert rows == [(out["restrictedSince"], out["restrictionLiftedAt"])]
    assert stack.rows("SELECT processing_restricted FROM person WHERE personal_id = ?", (pid,)) == [(0,)]
    again = stack.post(LIFT, {"id": request, "n": "again"}, token=_dpo(stack))
    assert "BAD_USER_INPUT" in again.codes
    mine = stack.post("{ myDataSubjectRequests { id restrictionLiftedAt } }", token=_me(stack, pid))
    assert {"id": request, "restrictionLiftedAt": out["restrictionLiftedAt"]} in mine.data["myDataSubjectRequests"]

    operations = [r[0] for r in stack.audit_rows(
        "SELECT operation_name FROM audit_log WHERE kind = 'subject' ORDER BY seq")]
    assert operations[-3:] == ["subject_request.file", "subject_request.resolve", "subject_request.lift"]
    verified = stack.cli("audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_an_accepted_restriction_withholds_the_person_on_every_path(stack: E2EStack) -> None:
    pid, name, spouse, registration = _person(stack)
    paths = _paths(pid, name, spouse, registration)
    justice = stack.token(JUSTICE)
    for path, (query, variables) in paths.items():  # before: visible on every path
        before = stack.post(query, variables, token=justice, purpose="administrative_procedure")
        assert name in str(before.data), (path, before.body)

    filed = stack.post(FILE, {"d": "Stop processing my data while my complaint is examined."}, token=_me(stack, pid))
    assert filed.status == 200, filed.body
    request = filed.data["fileDataSubjectRequest"]
    assert request["status"] == "PENDING" and request["restrictedSince"] is None
    clock = request["clock"]
    assert clock["article"] == "004 Art. 9.6.b" and clock["resolvedAt"] is None and clock["overdue"] is False
    assert 71.9 < clock["hoursLeft"] <= 72
    # still visible until the DPO accepts (the clock is reported, nothing waits)
    assert name in str(stack.post(*paths["person"], token=justice, purpose="administrative_procedure").data)
    # only the DPO resolves; the subject cannot accept their own request, an agency cannot either
    for token in (_me(stack, pid), justice):
        refused = stack.post(RESOLVE, {"id": request["id"]}, token=token)
        assert refused.data in (None, {"resolveDataSubjectRequest": None}), refused.body
        assert "FORBIDDEN_FIELD" in refused.codes or refused.status == 403, refused.body

    accepted = stack.post(RESOLVE, {"id": request["id"]}, token=_dpo(stack))
    assert accepted.status == 200, accepted.body
    resolved = accepted.data["resolveDataSubjectRequest"]
    assert resolved["status"] == "ACCEPTED" and resolved["resolvedBy"] == DPO
    since = resolved["restrictedSince"]
    assert since and since == resolved["clock"]["resolvedAt"] and resolved["clock"]["overdue"] is False

    for path, (query, variables) in paths.items():  # after: withheld on every path, with the article
        after = stack.post(query, variables, token=justice, purpose="administrative_procedure")
        assert after.status == 200, (path, after.body)
        assert name not in str(after.data), (path, after.data)
        reasons = [e["reason"] for e in after.policy["masked"]]
        assert any("004 Art. 9.6" in r for r in reasons), (path, reasons)
    exempt = stack.post(*paths["person"], token=stack.token(REGISTRY), purpose="civil_status_registration")
    assert exempt.data["person"]["fullName"] == name  # 004 Art. 17.5: registration is exempt

    # the time, for the subject and for the DPO; the subject still reads their own record
    mine = stack.post("{ myDataSubjectRequests { id status restrictedSince } }", token=_me(stack, pid))
    assert {"id": request["id"], "status": "ACCEPTED", "restrictedSince": since} in mine.data["myDataSubjectRequests"]
    listed = stack.post("query($p: ID!) { dataSubjectRequests(personalId: $p) { id restrictedSince clock { deadline } } }",
                        {"p": pid}, token=_dpo(stack))
    # (the lifting test above filed, and had lifted, an earlier restriction of the same person)
    assert [r["restrictedSince"] for r in listed.data["dataSubjectRequests"] if r["id"] == request["id"]] == [since]
    own = stack.post(*paths["person"], token=_me(stack, pid))
    assert own.data["person"]["fullName"] == name
    # an accepted request cannot be resolved again
    again = stack.post(RESOLVE, {"id": request["id"]}, token=_dpo(stack))
    assert "BAD_USER_INPUT" in again.codes

    operations = [r[0] for r in stack.audit_rows(
        "SELECT operation_name FROM audit_log WHERE kind = 'subject' ORDER BY seq")]
    assert operations[-2:] == ["subject_request.file", "subject_request.resolve"]
    verified = stack.cli("audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr


GIVE = """mutation($a: String!, $p: String!, $e: String!) { giveConsent(agency: $a, purpose: $p, expires: $e) {
  reference status agency purpose expiresAt } }"""
READ = "query($ids: [ID!]!) { persons(personalIds: $ids) { personalId fullName } }"


def _read(stack: E2EStack, agency: str, ids: list[str], reference: str | None) -> Any:
    extra = [("x-consent-reference", reference)] if reference else []
    return stack.post(READ, {"ids": ids}, token=stack.token(agency), purpose="consented_provision", headers=extra)


def test_consent_given_used_refused_to_others_and_withdrawn(stack: E2EStack) -> None:
    pid, name, spouse = _couple(stack)
    given = stack.post(GIVE, {"a": JUSTICE, "p": "consented_provision", "e": "2030-12-31"}, token=_me(stack, pid))
    assert given.status == 200, given.body
    consent = given.data["giveConsent"]
    assert consent["status"] == "VALID" and consent["reference"].startswith("CS-")
    reference = consent["reference"]

    used = _read(stack, JUSTICE, [pid, spouse], reference)
    names = [p and p["fullName"] for p in used.data["persons"]]
    assert names[0] == name and names[1] is None  # the consent covers its own person only
    assert _read(stack, JUSTICE, [pid], None).data["persons"] == [None]  # no reference: withheld
    notes = [r[0] for r in stack.audit_rows("SELECT note FROM audit_log WHERE kind = 'access' AND note IS NOT NULL")]
    assert f"X-Consent-Reference: {reference}" in notes  # the access record names the consent (004 Art. 11.10)
    # another agency naming the same reference: withheld, reason names the agency
    other = _read(stack, "stp-ho-chi-minh", [pid], reference)
    assert other.data["persons"] == [None]
    assert any("given to agency stp-ha-noi" in e["reason"] for e in other.policy["masked"]), other.policy
    # someone else withdrawing it: not theirs
    stolen = stack.post("mutation($r: ID!) { withdrawConsent(reference: $r) { status } }", {"r": reference},
                        token=_me(stack, spouse))
    assert "BAD_USER_INPUT" in stolen.codes
    # the subject withdraws: the next request is withheld
    withdrawn = stack.post("mutation($r: ID!) { withdrawConsent(reference: $r) { status withdrawnAt } }",
                           {"r": reference}, token=_me(stack, pid))
    assert withdrawn.data["withdrawConsent"]["status"] == "WITHDRAWN"
    after = _read(stack, JUSTICE, [pid], reference)
    assert after.data["persons"] == [None]
    assert any("withdrawn" in e["reason"] for e in after.policy["masked"]), after.policy
    # a purpose that needs no consent cannot be consented to; a malformed reference is refused
    pointless = stack.post(GIVE, {"a": JUSTICE, "p": "civil_status_extract", "e": "2030-12-31"}, token=_me(stack, pid))
    assert "BAD_USER_INPUT" in pointless.codes
    malformed = _read(stack, JUSTICE, [pid], "CS 1; DROP")
    assert malformed.status == 400 and malformed.codes == ["BAD_USER_INPUT"]
    operations = [r[0] for r in stack.audit_rows("SELECT operation_name FROM audit_log WHERE kind = 'subject'")]
    assert "consent.give" in operations and "consent.withdraw" in operations



def test_the_relatives_lookup_finds_parents_and_spouse(stack: E2EStack) -> None:
    """gateway/subjects/relatives.py against the real population and civil status subgraphs (not wired into the
    policy stage yet): the parents and the spouse a person's own records name (children: see the module)."""
    import asyncio

    from gateway.keys import InternalTokenMinter, key_paths, load_or_create_internal_key
    from gateway.subjects.relatives import RelativesLookup

    rows = stack.rows("SELECT p.personal_id, p.father_id, p.mother_id, p.spouse_id FROM person p "
                      "WHERE p.father_id IS NOT NULL AND p.mother_id IS NOT NULL AND p.spouse_id IS NOT NULL "
                      "ORDER BY p.personal_id LIMIT 1")
    assert rows, "the seeded data has no married person with parents"
    pid, father, mother, spouse = (str(v) for v in rows[0])
    minter = InternalTokenMinter(load_or_create_internal_key(*key_paths(stack.env)))
    urls = stack.stack.subgraph_urls
    lookup = RelativesLookup(urls["population"], urls["civil_status"], minter)
    found = asyncio.run(lookup.relatives_of(pid))
    assert {father, mother, spouse} <= set(found) and pid not in found, found
    assert lookup.failures == 0 and asyncio.run(lookup.relatives_of("12")) == []
    down = RelativesLookup("http://127.0.0.1:9/graphql", urls["civil_status"], minter, timeout=2)
    assert asyncio.run(down.relatives_of(pid)) == [] and down.failures == 1  # fail closed: no relatives
