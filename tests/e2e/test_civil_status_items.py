"""The civil status data items of issue 14 through the running gateway: identity papers, record source, scan
reference and times are classified and protected like every field (the policy sees their categories and kinds;
a paper's holder is its data subject)."""

from __future__ import annotations

from tests.e2e import ids
from tests.e2e.support import E2EStack

PAPERS = """query($id: ID!) { civilStatusEvent(id: $id) { id source createdAt registerPageScan
  ... on BirthRegistration { fullName fatherIdentityPaper { kind number issueDate holderName holder { personalId fullName } }
    motherIdentityPaper { number holderName } } } }"""
_VISIBLE = "{p}.date_of_death IS NULL AND {p}.missing_since IS NULL AND {p}.processing_restricted = 0"


def _birth(e2e: E2EStack, father_restricted: bool) -> str:
    """A birth whose father has a recorded identity paper, the child and the mother visible, the father restricted
    or visible; a visible family's registered in the home province (a justice department's own)."""
    father = "f.processing_restricted = 1" if father_restricted else _VISIBLE.format(p="f")
    where, params = ("", ()) if father_restricted else ("AND e.registration_province_code = ? ", (ids.HOME_PROVINCE,))
    rows = e2e.rows(
        "SELECT e.id FROM civil_status_event e JOIN person c ON c.personal_id = e.subject_id "
        "JOIN person f ON f.personal_id = e.father_id JOIN person m ON m.personal_id = e.mother_id "
        f"WHERE e.kind = 'BIRTH' {where}AND e.identity_papers LIKE '%FATHER%' "
        f"AND {_VISIBLE.format(p='c')} AND {_VISIBLE.format(p='m')} AND {father} ORDER BY e.id LIMIT 1", params)
    assert rows, "the e2e seed has no such birth registration"
    return str(rows[0][0])


def test_a_visible_familys_papers_are_released_for_an_extract(e2e: E2EStack) -> None:
    event = _birth(e2e, father_restricted=False)
    reply = e2e.post(PAPERS, {"id": event}, token=e2e.token("stp-ha-noi"), purpose="civil_status_extract")
    assert reply.status == 200, reply.body
    birth = reply.data["civilStatusEvent"]
    paper = birth["fatherIdentityPaper"]
    assert paper["number"] and paper["holder"]["personalId"] and paper["holder"]["fullName"], reply.body
    assert birth["source"] and birth["createdAt"], reply.body


def test_a_restricted_holders_paper_is_withheld(e2e: E2EStack) -> None:
    """004 Art. 9.6: the father restricted processing; his paper (and the birth row naming him) is withheld for a
    purpose not exempt under 004 Art. 17, though the child and the mother are visible."""
    event = _birth(e2e, father_restricted=True)
    reply = e2e.post(PAPERS, {"id": event}, token=e2e.token("bo-tu-phap"), purpose="administrative_procedure")
    assert reply.status == 200, reply.body
    birth = reply.data["civilStatusEvent"]
    paper = (birth or {}).get("fatherIdentityPaper") or {}
    assert not paper.get("number") and not (paper.get("holder") or {}).get("fullName"), reply.body
    assert any("004 Art. 9.6" in str((e.get("extensions") or {}).get("reason")) for e in reply.errors), reply.errors


def test_statistics_sees_papers_pseudonymised_and_no_names(e2e: E2EStack) -> None:
    event = _birth(e2e, father_restricted=False)
    reply = e2e.post(PAPERS, {"id": event}, token=e2e.token("cuc-thong-ke"), purpose="statistics")
    assert reply.status == 200, reply.body
    birth = reply.data["civilStatusEvent"]
    paper = birth["fatherIdentityPaper"]
    assert not (paper.get("holder") or {}).get("fullName") and not birth.get("fullName"), reply.body
    assert paper["number"].startswith("p_"), reply.body  # an IDENTIFIER: pseudonymised, never the number
    assert len(birth["createdAt"]) == 4, reply.body  # a DATE: the year only
    withheld = {e["extensions"]["coordinate"] for e in reply.errors}
    assert {"BirthRegistration.fullName", "CivilStatusIdentityPaper.holderName"} <= withheld, withheld
