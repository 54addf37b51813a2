"""One end-to-end test per BRIEF.md default rule: purposes, CRIMINAL, RELIGION/HEALTH, province scope, minors,
deceased/missing persons, processing restriction. (Statistics: test_statistics.py.)"""

from __future__ import annotations

import pytest

from tests.e2e import ids
from tests.e2e.checks import assert_decided, assert_policy, assert_refused, assert_withheld, forbidden, masked
from tests.e2e.support import LEGAL_BASIS, E2EStack

PERSON = "query P($id: ID!) { person(personalId: $id) { personalId fullName sentences { id status } } }"
PERSONS = "query P($ids: [ID!]!) { persons(personalIds: $ids) { personalId fullName dateOfBirth } }"


def test_purpose_not_allowed_for_agency_kind_is_refused(e2e: E2EStack) -> None:
    """A statistics office may not declare criminal_proceedings: 403 PURPOSE_NOT_PERMITTED, no data."""
    reply = e2e.post(PERSON, {"id": ids.adult_offender(e2e)}, token=e2e.token("cuc-thong-ke"),
                     purpose="criminal_proceedings", legal_basis=LEGAL_BASIS)
    assert_refused(reply, 403, "PURPOSE_NOT_PERMITTED")
    assert_policy(reply, "criminal_proceedings")


def test_personal_data_without_purpose_is_refused(e2e: E2EStack) -> None:
    """No X-Purpose with personal data requested: PURPOSE_REQUIRED, no data."""
    reply = e2e.post(PERSON, {"id": ids.adult_offender(e2e)}, token=e2e.token("tandtc"))
    assert_refused(reply, 403, "PURPOSE_REQUIRED")
    assert_policy(reply, None)


def test_public_data_needs_no_purpose(e2e: E2EStack) -> None:
    """The purpose rule is about personal data: PUBLIC statistics answer without X-Purpose."""
    reply = e2e.post("{ sentenceStatistics(fromYear: 2000, toYear: 2030) { year provinceCode } }",
                     token=e2e.token("tandtc"))
    assert_decided(reply, None)
    assert reply.data["sentenceStatistics"], reply.body


@pytest.mark.parametrize(("agency", "purpose"), [
    ("tandtc", "criminal_proceedings"),
    ("vksndtc", "enforcement_supervision"),
    ("c10-bca", "sentence_enforcement"),
    ("cthahs-bqp", "sentence_enforcement"),
    ("c02-bca", "crime_prevention"),
])
def test_criminal_data_to_criminal_justice_bodies_with_legal_basis(e2e: E2EStack, agency: str, purpose: str) -> None:
    offender = ids.adult_offender(e2e)
    reply = e2e.post(PERSON, {"id": offender}, token=e2e.token(agency), purpose=purpose, legal_basis=LEGAL_BASIS)
    assert_decided(reply, purpose)
    assert not forbidden(reply), reply.errors
    sentences = reply.data["person"]["sentences"]
    assert ids.offender_sentence(e2e, offender) in {s["id"] for s in sentences}


def test_criminal_data_withheld_without_legal_basis(e2e: E2EStack) -> None:
    """A court without X-Legal-Basis: Person.sentences withheld at its path, the rest of the person returned."""
    offender = ids.adult_offender(e2e)
    reply = e2e.post(PERSON, {"id": offender}, token=e2e.token("tandtc"), purpose="criminal_proceedings")
    assert_decided(reply, "criminal_proceedings")
    assert_withheld(reply, ("person", "sentences"), "Person.sentences", "legal basis")
    assert reply.data["person"]["personalId"] == offender and reply.data["person"]["fullName"]


@pytest.mark.parametrize(("agency", "purpose"), [
    ("stp-ha-noi", "administrative_procedure"),
    ("bo-tu-phap", "civil_status_extract"),
    ("cuc-lanh-su", "civil_status_registration"),
])
def test_criminal_data_withheld_from_other_agency_kinds(e2e: E2EStack, agency: str, purpose: str) -> None:
    """Even with a legal basis, a non criminal-justice agency gets FORBIDDEN_FIELD at Person.sentences."""
    offender = ids.adult_offender(e2e)
    reply = e2e.post(PERSON, {"id": offender}, token=e2e.token(agency), purpose=purpose, legal_basis=LEGAL_BASIS)
    assert_decided(reply, purpose)
    assert_withheld(reply, ("person", "sentences"), "Person.sentences", "CRIMINAL")
    assert reply.data["person"]["fullName"]


@pytest.mark.parametrize(("agency", "purpose"), [
    ("tandtc", "criminal_proceedings"),
    ("stp-ha-noi", "civil_status_extract"),
])
def test_religion_withheld_unless_a_purpose_needs_it(e2e: E2EStack, agency: str, purpose: str) -> None:
    """No shipped purpose lists RELIGION in its sensitive needs: it is withheld for every purpose."""
    person = ids.visible_adult(e2e)
    reply = e2e.post("query P($id: ID!) { person(personalId: $id) { fullName religion } }", {"id": person},
                     token=e2e.token(agency), purpose=purpose, legal_basis=LEGAL_BASIS)
    assert_decided(reply, purpose)
    assert_withheld(reply, ("person", "religion"), "Person.religion", "RELIGION")
    assert reply.data["person"]["fullName"]


DEATH = """query D($id: ID!) { civilStatusEvent(id: $id) { id registrationProvinceCode
  ... on DeathRegistration { causeOfDeath } } }"""


def test_health_data_only_for_purposes_that_need_it(e2e: E2EStack) -> None:
    """causeOfDeath (HEALTH) goes to criminal proceedings (sensitive_needs: HEALTH), not to a civil registry."""
    event = ids.death_with_cause(e2e)
    court = e2e.post(DEATH, {"id": event}, token=e2e.token("tandtc"), purpose="criminal_proceedings",
                     legal_basis=LEGAL_BASIS)
    assert_decided(court, "criminal_proceedings")
    assert court.data["civilStatusEvent"]["causeOfDeath"], court.body
    registry = e2e.post(DEATH, {"id": event}, token=e2e.token("ubnd-phuong-hoan-kiem"),
                        purpose="civil_status_extract")
    assert_decided(registry, "civil_status_extract")
    assert_withheld(registry, ("civilStatusEvent", "causeOfDeath"), "DeathRegistration.causeOfDeath", "HEALTH")
    assert registry.data["civilStatusEvent"]["id"] == event


EVENTS = """query E($id: ID!) { person(personalId: $id) { personalId
  civilStatusEvents { id kind registrationProvinceCode subject { personalId } } } }"""


@pytest.mark.parametrize("agency", ["stp-ha-noi", "ubnd-phuong-hoan-kiem"])
def test_province_scoped_agencies_see_their_province_only(e2e: E2EStack, agency: str) -> None:
    """Civil status records registered in another province are filtered out (dropped from the list) and
    reported in extensions.policy as ``filter`` entries (003 Art. 8.1, 8.4); a justice department keeps those
    whose persons all reside in its province (003 Art. 8.4); a court, and an extract (003 Art. 13.1), see them
    all."""
    person, _home, _elsewhere = ids.subject_in_two_provinces(e2e)
    court = e2e.post(EVENTS, {"id": person}, token=e2e.token("tandtc"), purpose="criminal_proceedings",
                     legal_basis=LEGAL_BASIS)
    everything = court.data["person"]["civilStatusEvents"]
    assert {e["registrationProvinceCode"] for e in everything} - {ids.HOME_PROVINCE}
    residents = ids.everyone_resides_at_home(e2e, [e["id"] for e in everything]) if agency == "stp-ha-noi" else set()
    expected = {e["id"] for e in everything if e["registrationProvinceCode"] == ids.HOME_PROVINCE} | residents
    reply = e2e.post(EVENTS, {"id": person}, token=e2e.token(agency), purpose="civil_status_registration")
    assert_decided(reply, "civil_status_registration")
    events = reply.data["person"]["civilStatusEvents"]
    assert {e["id"] for e in events} == expected
    filtered = [m for m in reply.policy["masked"] if m["effect"] == "filter"]
    assert len(filtered) == len(everything) - len(expected), reply.policy
    assert all("003 Art. 8.4" in m["reason"] for m in filtered), reply.policy
    # an extract is issued whatever the place of registration (003 Art. 13.1)
    extract = e2e.post(EVENTS, {"id": person}, token=e2e.token(agency), purpose="civil_status_extract")
    assert {e["id"] for e in extract.data["person"]["civilStatusEvents"]} == {e["id"] for e in everything}


def test_province_scope_filters_root_lists(e2e: E2EStack) -> None:
    number = ids.registration_elsewhere(e2e)
    query = "query R($n: String!) { civilStatusRecords(registrationNumber: $n) { id registrationProvinceCode } }"
    reply = e2e.post(query, {"n": number}, token=e2e.token("stp-ha-noi"), purpose="civil_status_confirmation")
    assert_decided(reply, "civil_status_confirmation")
    assert reply.data["civilStatusRecords"] == []
    assert [m["effect"] for m in reply.policy["masked"]] == ["filter"], reply.policy
    court = e2e.post(query, {"n": number}, token=e2e.token("cuc-lanh-su"), purpose="civil_status_extract")
    assert len(court.data["civilStatusRecords"]) == 1


REGISTRATIONS = """query R($p: String!, $y: Int!) { civilStatusRegistrations(provinceCode: $p, year: $y, first: 200) {
  registrationNumber registeredAtMission registeringAuthority } }"""
RECORDS = "query R($n: String!) { civilStatusRecords(registrationNumber: $n) { registrationNumber } }"


def test_foreign_affairs_reads_registrations_at_missions_only(e2e: E2EStack) -> None:
    """003 Art. 8.3: the foreign affairs body exploits the civil status records registered at the representative
    missions abroad (row fact registeredAtMission, seeded for ~1 % of births and marriages) and nothing else, on
    a list and by registration number; an extract is issued whatever the place of registration (13.1)."""
    province, year = ids.mission_registration_year(e2e)
    at_missions = ids.registrations_of(e2e, province, year, True)
    elsewhere = ids.registrations_of(e2e, province, year, False)
    token = e2e.token("cuc-lanh-su")
    reply = e2e.post(REGISTRATIONS, {"p": province, "y": year}, token=token, purpose="civil_status_registration")
    assert_decided(reply, "civil_status_registration")
    rows = reply.data["civilStatusRegistrations"]
    assert {r["registrationNumber"] for r in rows} == at_missions
    assert all(r["registeredAtMission"] and "Việt Nam tại" in r["registeringAuthority"] for r in rows), rows
    filtered = [m for m in reply.policy["masked"] if m["effect"] == "filter"]
    assert len(filtered) == len(elsewhere) and all("003 Art. 8.3" in m["reason"] for m in filtered)
    mission, other = sorted(at_missions)[0], sorted(elsewhere)[0]
    by_number = {n: e2e.post(RECORDS, {"n": n}, token=token, purpose="civil_status_registration")
                 for n in (mission, other)}
    assert by_number[mission].data["civilStatusRecords"] == [{"registrationNumber": mission}]
    assert by_number[other].data["civilStatusRecords"] == []
    extract = e2e.post(RECORDS, {"n": other}, token=token, purpose="civil_status_extract")
    assert extract.data["civilStatusRecords"] == [{"registrationNumber": other}]


MINORS = "query M($ids: [ID!]!) { persons(personalIds: $ids) { personalId sentences { id } } }"


def test_minors_criminal_data_only_for_proceedings_and_supervision(e2e: E2EStack) -> None:
    """004 Art. 20: a minor's Person.sentences is withheld for sentence_enforcement, released for
    criminal_proceedings; an adult's sentences in the same response are unaffected."""
    child, adult = ids.minor(e2e), ids.adult_offender(e2e)
    reply = e2e.post(MINORS, {"ids": [child, adult]}, token=e2e.token("tandtc"), purpose="sentence_enforcement",
                     legal_basis=LEGAL_BASIS)
    assert_decided(reply, "sentence_enforcement")
    assert_withheld(reply, ("persons", 0, "sentences"), "Person.sentences", "004 Art. 20")
    assert reply.data["persons"][0]["personalId"] == child
    assert reply.data["persons"][1]["sentences"], reply.body
    for purpose, agency in (("criminal_proceedings", "tandtc"), ("enforcement_supervision", "vksndtc")):
        allowed = e2e.post(MINORS, {"ids": [child, adult]}, token=e2e.token(agency), purpose=purpose,
                           legal_basis=LEGAL_BASIS)
        assert_decided(allowed, purpose)
        assert not forbidden(allowed) and allowed.data["persons"][0]["sentences"] == []


@pytest.mark.parametrize("which", ["deceased", "missing", "restricted"])
def test_deceased_missing_restricted_only_for_art17_exempt_purposes(e2e: E2EStack, which: str) -> None:
    """administrative_procedure is not exempt under 004 Art. 17: the person is withheld (the key is withheld,
    so the list item is null) with FORBIDDEN_FIELD; civil_status_extract is exempt: the person is returned."""
    person = {"deceased": ids.deceased, "missing": ids.missing, "restricted": ids.restricted}[which](e2e)
    other = ids.visible_adult(e2e)
    article = "004 Art. 9.6" if which == "restricted" else "004 Art. 19"
    reply = e2e.post(PERSONS, {"ids": [person, other]}, token=e2e.token("stp-ha-noi"),
                     purpose="administrative_procedure")
    assert_decided(reply, "administrative_procedure")
    assert reply.data["persons"][0] is None and reply.data["persons"][1]["personalId"] == other, reply.body
    assert ("persons", 0, "personalId") in forbidden(reply), reply.errors
    assert article in masked(reply)[("persons", 0, "personalId")]["reason"]
    assert person not in str(reply.body)
    exempt = e2e.post(PERSONS, {"ids": [person, other]}, token=e2e.token("stp-ha-noi"),
                      purpose="civil_status_extract")
    assert_decided(exempt, "civil_status_extract")
    assert exempt.data["persons"][0]["personalId"] == person and not forbidden(exempt), exempt.body
