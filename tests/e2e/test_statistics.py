"""The statistics default rule: no names, pseudonymised identifiers (stable per purpose), dates reduced to the year,
addresses to the province, small aggregate cells suppressed."""

from __future__ import annotations

from tests.e2e import ids
from tests.e2e.checks import assert_decided, assert_withheld, masked
from tests.e2e.support import LEGAL_BASIS, E2EStack

PERSON = """query S($id: ID!) { person(personalId: $id) { personalId fullName otherNames dateOfBirth permanentAddress
  sex father { personalId fullName } } }"""
STATS = "{ sentenceStatistics(fromYear: 1990, toYear: 2030) { year provinceCode offenders sentences } }"


def _ask(e2e: E2EStack, person: str, agency: str = "cuc-thong-ke") -> dict:
    reply = e2e.post(PERSON, {"id": person}, token=e2e.token(agency), purpose="statistics")
    assert_decided(reply, "statistics")
    return reply.body


def test_statistics_never_sees_names_and_gets_reduced_values(e2e: E2EStack) -> None:
    person = ids.visible_adult(e2e)
    birth, address, father = e2e.rows(
        "SELECT date_of_birth, permanent_address, father_id FROM person WHERE personal_id = ?", (person,))[0]
    reply = e2e.post(PERSON, {"id": person}, token=e2e.token("cuc-thong-ke"), purpose="statistics")
    assert_decided(reply, "statistics")
    got = reply.data["person"]
    assert_withheld(reply, ("person", "fullName"), "Person.fullName")
    assert_withheld(reply, ("person", "father", "fullName"), "Person.fullName")
    assert got["otherNames"] in (None, []), got
    assert got["dateOfBirth"] == birth[:4]
    assert got["permanentAddress"] == address.rsplit(",", 1)[-1].strip()
    entries = masked(reply)
    assert entries[("person", "personalId")]["mask"] == "pseudonym"
    assert entries[("person", "dateOfBirth")]["mask"] == "year_only"
    assert entries[("person", "permanentAddress")]["mask"] == "province_only"
    for real in (person, father):
        assert real not in str(reply.body), f"real identifier {real} leaked"
    assert got["personalId"] != person and got["father"]["personalId"] != father


def test_pseudonyms_are_stable_for_the_same_purpose(e2e: E2EStack) -> None:
    """Across requests and statistics agencies, a person has one pseudonym; the father reached through
    Person.father has the pseudonym he has when asked for directly (linkable, not identifiable)."""
    person = ids.visible_adult(e2e)
    father = e2e.rows("SELECT father_id FROM person WHERE personal_id = ?", (person,))[0][0]
    first, second = _ask(e2e, person), _ask(e2e, person, agency="bo-tu-phap")
    pseudonym = first["data"]["person"]["personalId"]
    assert pseudonym == second["data"]["person"]["personalId"]
    assert first["data"]["person"]["father"]["personalId"] == _ask(e2e, father)["data"]["person"]["personalId"]
    other = _ask(e2e, ids.visible_adult(e2e, offset=1))["data"]["person"]["personalId"]
    assert other != pseudonym


def test_small_statistics_cells_are_suppressed(e2e: E2EStack) -> None:
    """Cells under the threshold (5) are dropped for the statistics purpose and reported once, neither located
    nor counted; a court in criminal proceedings sees every cell. Not asking for the count does not bypass it."""
    court = e2e.post(STATS, token=e2e.token("tandtc"), purpose="criminal_proceedings", legal_basis=LEGAL_BASIS)
    assert_decided(court, "criminal_proceedings")
    all_cells = court.data["sentenceStatistics"]
    small = [c for c in all_cells if c["offenders"] < 5]
    assert small, "the seeded data has no small cell to suppress"
    reply = e2e.post(STATS, token=e2e.token("cuc-thong-ke"), purpose="statistics")
    assert_decided(reply, "statistics")
    cells = reply.data["sentenceStatistics"]
    assert all(c["offenders"] >= 5 for c in cells), cells
    assert len(cells) == len(all_cells) - len(small)
    filtered = [m for m in reply.policy["masked"] if m["effect"] == "filter"]
    assert len(filtered) == 1 and "suppressed" in filtered[0]["reason"] and "path" not in filtered[0], filtered
    blind = e2e.post("{ sentenceStatistics(fromYear: 1990, toYear: 2030) { year provinceCode } }",
                     token=e2e.token("cuc-thong-ke"), purpose="statistics")
    assert len(blind.data["sentenceStatistics"]) == len(cells), blind.body
