"""A data subject's relatives inside their own record (003 Art. 13), through the policy stages (collect, decide,
prepare, apply) on the policy test schema: with the subject's relatives in the policy input
(``input.subject.relatives``, policies/subjects.rego ``self_relatives``), a relative's Person row is kept with
what an extract shows of them and nothing else, on every path (their own row reached directly too); anyone else
still answers as a key that matches nothing. Without relatives in the input, nothing changes.

The gateway does not hand ``relatives`` yet (gateway/policy/service.py ``build_input`` builds ``subject``):
the engine below adds them, as that stage would."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.auth import Role
from gateway.policy import Caller, DeclaredPurpose, EmbeddedEngine
from tests.test_subjects_policy import ME, run, service

FATHER = "001060000001"  # tests/policy_fixtures.py: the adult ME's father
OTHER = "001080000004"  # ME's spouse in marriage M-3, not named a relative below
SELF = Caller(ME, None, None, None, Role.DATA_SUBJECT)


class WithRelatives(EmbeddedEngine):
    """The embedded engine, evaluating each input with the data subject's relatives added."""

    relatives: list[str] = []

    async def evaluate(self, policy_input: dict[str, Any]) -> Any:  # type: ignore[override]
        if policy_input["subject"].get("role") == "data_subject":
            policy_input = {**policy_input, "subject": {**policy_input["subject"], "relatives": self.relatives}}
        return await super().evaluate(policy_input)


@pytest.fixture(scope="module")
def engine() -> WithRelatives:
    return WithRelatives(reload_interval=None)


QUERY = f"""{{
  me: person(personalId: "{ME}") {{ personalId fullName father {{ personalId fullName dateOfBirth permanentAddress
    sex religion issueDate sentences {{ id }} }} }}
  father: person(personalId: "{FATHER}") {{ personalId fullName sex }}
  other: person(personalId: "{OTHER}") {{ personalId fullName }}
}}"""


async def test_a_relative_is_shown_as_the_extract_shows_them(engine: WithRelatives) -> None:
    engine.relatives = [FATHER]
    applied = await run(service(engine), SELF, DeclaredPurpose(None), QUERY)
    father = applied.data["me"]["father"]
    assert father["personalId"] == FATHER and father["fullName"] == "Nguyễn Văn Bố"
    assert father["dateOfBirth"] == "1960" and father["permanentAddress"].endswith("Hà Nội")
    assert father["sex"] is None and father["issueDate"] is None  # not on an extract
    assert father["religion"] is None and father["sentences"] is None  # withheld as for the subject's own
    withheld = {".".join(map(str, e["path"])): e for e in applied.masked}
    assert "003 Art. 13" in withheld["me.father.sex"]["reason"]
    # path invariance: the relative's row reached directly shows the same
    assert applied.data["father"] == {"personalId": FATHER, "fullName": "Nguyễn Văn Bố", "sex": None}
    # anyone else still answers as a key that matches nothing (004 Art. 10.2)
    assert applied.data["other"] is None
    assert not any(p.startswith("other") for p in withheld)
    assert applied.data["me"]["fullName"] == "Trần Thị Lớn"  # the subject's own row is untouched


async def test_without_relatives_the_relatives_stay_filtered(engine: WithRelatives) -> None:
    engine.relatives = []
    applied = await run(service(engine), SELF, DeclaredPurpose(None), QUERY)
    assert applied.data["me"]["father"] is None and applied.data["father"] is None
    assert applied.data["me"]["fullName"] == "Trần Thị Lớn"


def test_relatives_in_the_records() -> None:
    """gateway/subjects/relatives.py: who of the records' persons is a relative of the person."""
    from gateway.subjects.relatives import relatives_in

    me, dad, mum, wife, child, stranger = (f"0010900000{n:02d}" for n in range(6))
    person = {"father": {"personalId": dad}, "mother": None, "spouse": {"personalId": "bad"}}
    events = [
        {"__typename": "BirthRegistration", "subject": {"personalId": me}, "father": {"personalId": dad},
         "mother": {"personalId": mum}},
        {"__typename": "BirthRegistration", "subject": {"personalId": child}, "father": {"personalId": me},
         "mother": {"personalId": wife}},  # my child's birth: the child (the other parent is the spouse below)
        {"__typename": "BirthRegistration", "subject": {"personalId": stranger}, "father": None, "mother": None},
        {"__typename": "MarriageRegistration", "subject": {"personalId": me}, "husband": {"personalId": me},
         "wife": {"personalId": wife}},
        {"__typename": "MarriageRegistration", "husband": {"personalId": stranger}, "wife": {"personalId": mum}},
        "junk",
    ]
    assert relatives_in(me, person, events) == sorted([dad, mum, child, wife])
    assert relatives_in(me, None, []) == []
