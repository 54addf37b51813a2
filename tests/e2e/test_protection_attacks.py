"""The attack classes of issue 9, each through the running gateway with alias, fragment, ``__typename`` and
variable variants: the protections hold on civil status, sentence and statistics paths as on Person paths."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.e2e import ids
from tests.e2e.checks import text_of
from tests.e2e.support import LEGAL_BASIS, E2EStack

JUSTICE = "stp-ha-noi"  # a justice department: administrative_procedure is not exempt under 004 Art. 17
PROCEDURE = "administrative_procedure"


def _event(e2e: E2EStack, sql_where: str, *params: Any) -> tuple[int, str, str]:
    """(event id, registration number, subject id) of the first event matching, registered in the home province."""
    rows = e2e.rows(f"SELECT e.id, e.registration_number, e.subject_id FROM civil_status_event e "
                    f"JOIN person p ON p.personal_id = e.subject_id WHERE e.registration_province_code = ? "
                    f"AND {sql_where} ORDER BY e.id LIMIT 1", (ids.HOME_PROVINCE, *params))
    assert rows, f"the seed has no event where {sql_where}"
    return int(rows[0][0]), str(rows[0][1]), str(rows[0][2])


def _released(value: Any, *names: str) -> list[str]:
    """The fields among ``names`` that came back with a value anywhere in ``value``."""
    out: list[str] = []
    if isinstance(value, dict):
        out += [n for n in names if value.get(n) not in (None, [], {})]
        for v in value.values():
            out += _released(v, *names)
    elif isinstance(value, list):
        for v in value:
            out += _released(v, *names)
    return out


BIRTH_BY_ID = """query($id: ID!) { civilStatusEvent(id: $id) { id ... on BirthRegistration { fullName dateOfBirth
  hometown father { fullName } } } }"""
BIRTH_BY_NUMBER = """query($n: String!) { civilStatusRecords(registrationNumber: $n) { id
  ...B } } fragment B on BirthRegistration { name: fullName born: dateOfBirth hometown }"""
BIRTH_THROUGH_INTERFACE = """query($id: ID!) { e: civilStatusEvent(id: $id) { __typename kind
  ... on CivilStatusEvent { registrationDate ... on BirthRegistration { fullName } } } }"""


@pytest.mark.parametrize("query", [BIRTH_BY_ID, BIRTH_BY_NUMBER, BIRTH_THROUGH_INTERFACE],
                         ids=["by-id", "by-number-fragment-aliases", "interface-typename"])
def test_restricted_persons_birth_registration_withheld_on_every_path(e2e: E2EStack, query: str) -> None:
    event, number, _ = _event(e2e, "e.kind = 'BIRTH' AND p.processing_restricted = 1")
    reply = e2e.post(query, {"id": str(event), "n": number}, token=e2e.token(JUSTICE), purpose=PROCEDURE)
    assert reply.status == 200, reply.body
    assert not _released(reply.data, "fullName", "name", "dateOfBirth", "born", "hometown", "registrationDate"), \
        reply.body
    assert any("004 Art. 9.6" in str(e.get("extensions", {}).get("reason")) for e in reply.errors), reply.errors


def test_restricted_party_withholds_the_event(e2e: E2EStack) -> None:
    """A restricted person as a party (a spouse, a guardian) withholds the record's personal data, though the
    subject is visible."""
    rows = e2e.rows("SELECT e.id FROM civil_status_party cp JOIN civil_status_event e ON e.id = cp.event_id "
                    "JOIN person p ON p.personal_id = cp.personal_id JOIN person s ON s.personal_id = e.subject_id "
                    "WHERE p.processing_restricted = 1 AND cp.personal_id != e.subject_id "
                    "AND s.processing_restricted = 0 AND s.date_of_death IS NULL AND s.missing_since IS NULL "
                    "AND e.registration_province_code = ? ORDER BY e.id LIMIT 1", (ids.HOME_PROVINCE,))
    assert rows, "the seed has no event with a restricted party"
    query = """query($id: ID!) { civilStatusEvent(id: $id) { id registrationDate registrationNumber
      subject { fullName } } }"""
    reply = e2e.post(query, {"id": str(rows[0][0])}, token=e2e.token(JUSTICE), purpose=PROCEDURE)
    assert reply.status == 200, reply.body
    event = reply.data["civilStatusEvent"]
    assert event is None or (event["registrationDate"] is None and event["registrationNumber"] is None), reply.body
    assert any("004 Art. 9.6" in str(e.get("extensions", {}).get("reason")) for e in reply.errors), reply.errors
    # the subject's own record, asked directly, is visible: the verdict is about the event row
    subject = e2e.rows("SELECT subject_id FROM civil_status_event WHERE id = ?", (rows[0][0],))[0][0]
    reply = e2e.post("query($p: ID!) { person(personalId: $p) { fullName } }", {"p": subject},
                     token=e2e.token(JUSTICE), purpose=PROCEDURE)
    assert reply.data["person"]["fullName"], reply.body


def test_deceased_persons_death_registration_withheld(e2e: E2EStack) -> None:
    event, number, _ = _event(e2e, "e.kind = 'DEATH'")
    query = """query($id: ID!, $n: String!) { a: civilStatusEvent(id: $id) { ... on DeathRegistration {
      dateOfDeath placeOfDeath subject { fullName } } }
      b: civilStatusRecords(registrationNumber: $n) { ... on DeathRegistration { dateOfDeath } } }"""
    reply = e2e.post(query, {"id": str(event), "n": number}, token=e2e.token(JUSTICE), purpose=PROCEDURE)
    assert reply.status == 200, reply.body
    assert not _released(reply.data, "dateOfDeath", "placeOfDeath", "fullName"), reply.body
    # a purpose exempt under 004 Art. 17 (civil status extract) sees it
    reply = e2e.post(query, {"id": str(event), "n": number}, token=e2e.token(JUSTICE), purpose="civil_status_extract")
    assert _released(reply.data, "dateOfDeath"), reply.body


SENTENCES_OF = "query($p: ID!) { sentencesOf(personalId: $p) { id status offenceSummary charges { article } } }"
SENTENCE_BY_ID = """query($s: ID!) { s: sentence(id: $s) { ...S } } fragment S on Sentence { __typename
  status summary: offenceSummary offender { ... on Person { __typename } } }"""


@pytest.mark.parametrize("query", [SENTENCES_OF, SENTENCE_BY_ID], ids=["sentencesOf", "sentence-by-id-fragment"])
def test_minors_sentences_withheld_for_enforcement_on_sentence_paths(e2e: E2EStack, query: str) -> None:
    minor = ids.minor_offender(e2e)
    sentence = ids.offender_sentence(e2e, minor)
    variables = {"p": minor, "s": sentence}
    reply = e2e.post(query, variables, token=e2e.token("c10-bca"), purpose="sentence_enforcement",
                     legal_basis=LEGAL_BASIS)
    assert reply.status == 200, reply.body
    assert not _released(reply.data, "status", "offenceSummary", "summary", "charges"), reply.body
    assert any("004 Art. 20" in str(e.get("extensions", {}).get("reason")) for e in reply.errors), reply.errors
    # criminal proceedings are the exception of 004 Art. 20
    reply = e2e.post(query, variables, token=e2e.token("tandtc"), purpose="criminal_proceedings",
                     legal_basis=LEGAL_BASIS)
    assert _released(reply.data, "status"), reply.body


def test_sentence_reads_appear_in_the_offenders_access_log(e2e: E2EStack) -> None:
    offender = ids.adult_offender(e2e)
    sentence = ids.offender_sentence(e2e, offender)
    reply = e2e.post("query($s: ID!) { sentence(id: $s) { id status } }", {"s": sentence},
                     token=e2e.token("tandtc"), purpose="criminal_proceedings", legal_basis=LEGAL_BASIS)
    assert reply.data["sentence"]["status"], reply.body
    log = e2e.post("query($p: ID!) { accessLog(personalId: $p) { entries { reference purpose } } }",
                   {"p": offender}, token=e2e.token(None, sub=offender, role="data_subject"))
    assert log.status == 200, log.body
    assert any(e["purpose"] == "criminal_proceedings" for e in log.data["accessLog"]["entries"]), log.body


@pytest.mark.parametrize("alias", ["personalId", "__typename", "_entities", "representations"])
def test_client_alias_on_an_injected_key_releases_nothing_and_leaks_nothing(e2e: E2EStack, alias: str) -> None:
    """`subject { <alias>: birthRegistration { id } fullName }` on a restricted person's record: the key the
    gateway needs cannot be displaced, no fact is lost, no representation is echoed, never a 5xx."""
    event, _, subject = _event(e2e, "e.kind = 'BIRTH' AND p.processing_restricted = 1")
    query = f"""query($id: ID!) {{ civilStatusEvent(id: $id) {{ ... on BirthRegistration {{
      subject {{ {alias}: birthRegistration {{ id }} fullName dateOfBirth }} }} }} }}"""
    reply = e2e.post(query, {"id": str(event)}, token=e2e.token(JUSTICE), purpose=PROCEDURE)
    assert reply.status in (200, 400), reply.body
    body = text_of(reply)
    born = e2e.rows("SELECT date_of_birth FROM person WHERE personal_id = ?", (subject,))[0][0]
    assert born not in body and "_lt_" not in body, body
    if alias != "representations":
        assert "representations" not in body, body
    assert not _released(reply.data, "fullName", "dateOfBirth"), reply.body
    for forbidden_text in ("127.0.0.1", "localhost", "Traceback", "_Any"):
        assert forbidden_text not in body, body


def test_statistics_cells_are_suppressed_without_a_purpose(e2e: E2EStack) -> None:
    query = "{ sentenceStatistics(fromYear: 2000, toYear: 2030) { year provinceCode offenders } }"
    year = dt.date.today().year
    for token, purpose in ((e2e.token("cuc-thong-ke"), None), (e2e.token("tandtc"), None),
                           (e2e.token("cuc-thong-ke"), "statistics")):
        reply = e2e.post(query, token=token, purpose=purpose)
        assert reply.status == 200, reply.body
        cells = reply.data["sentenceStatistics"]
        assert cells and all(c["offenders"] >= 5 for c in cells), (purpose, cells[:5], year)
        summary = [m for m in reply.policy["masked"] if m.get("rule") == "cell_suppression"]
        assert len(summary) == 1 and "path" not in summary[0], reply.policy


def test_statistics_office_sees_no_names_or_free_text_by_any_path(e2e: E2EStack) -> None:
    change = e2e.rows("SELECT id FROM civil_status_event WHERE kind = 'CHANGE' ORDER BY id LIMIT 1")
    entity = e2e.rows("SELECT id FROM legal_entity ORDER BY id LIMIT 1")
    assert change and entity, "the seed has no civil status change or legal entity"
    query = """query($e: ID!, $l: ID!) { civilStatusEvent(id: $e) { signerName ... on CivilStatusChange {
      oldValue newValue reason } } legalEntity(id: $l) { name legalRepresentative
      legalRepresentativePerson { fullName personalId } } }"""
    reply = e2e.post(query, {"e": str(change[0][0]), "l": str(entity[0][0])}, token=e2e.token("cuc-thong-ke"),
                     purpose="statistics")
    assert reply.status == 200, reply.body
    assert not _released(reply.data, "signerName", "oldValue", "newValue", "reason", "legalRepresentative",
                         "fullName"), reply.body
    person = (reply.data.get("legalEntity") or {}).get("legalRepresentativePerson")
    assert person is None or str(person.get("personalId", "p_")).startswith("p_"), reply.body


def test_a_name_search_by_the_statistics_office_is_refused(e2e: E2EStack) -> None:
    reply = e2e.post('{ hits: searchPersons(name: "Nguyễn") { edges { node { personalId } } } }',
                     token=e2e.token("cuc-thong-ke"), purpose="statistics")
    assert reply.status == 200 and reply.data["hits"] is None, reply.body
    assert any(e.get("path") == ["hits"] for e in reply.errors), reply.errors


def test_a_province_scoped_agency_searches_its_own_province_only(e2e: E2EStack) -> None:
    query = 'query($p: String) { searchPersons(name: "Nguyễn", provinceCode: $p) { edges { node { personalId } } } }'
    everywhere = e2e.post(query, {}, token=e2e.token(JUSTICE), purpose=PROCEDURE)
    assert everywhere.data is not None, everywhere.body
    assert everywhere.data["searchPersons"] is None and "003 Art. 8.4" in text_of(everywhere), everywhere.body
    elsewhere = e2e.post(query, {"p": "079"}, token=e2e.token(JUSTICE), purpose=PROCEDURE)
    assert elsewhere.data["searchPersons"] is None, elsewhere.body
    own = e2e.post(query, {"p": ids.HOME_PROVINCE}, token=e2e.token(JUSTICE), purpose=PROCEDURE)
    assert own.data["searchPersons"] is not None, own.body


def test_alias_fan_out_is_refused_before_any_subgraph_call(e2e: E2EStack) -> None:
    people = [r[0] for r in e2e.rows("SELECT personal_id FROM person ORDER BY personal_id LIMIT 500")]
    fields = " ".join(f"a{i}: persons(personalIds: $ids) {{ fullName }}" for i in range(200))
    reply = e2e.post(f"query($ids: [ID!]!) {{ {fields} }}", {"ids": people}, token=e2e.token("tandtc"),
                     purpose="criminal_proceedings", legal_basis=LEGAL_BASIS)
    assert reply.status == 400 and "QUERY_TOO_COMPLEX" in reply.codes, reply.body
