"""Checks of the civil-status mutations' inputs, before any database access (issue 15): every field is checked,
and the error names each field that is wrong (``BAD_USER_INPUT``, ``argumentName`` = the first one as a dotted
path such as ``input.dateOfBirth``, ``invalidFields`` = all of them). Nothing is written when one is wrong.

What the database must confirm (a death not yet registered, a marriage to dissolve, the recorded value an
amendment replaces) is checked by ``registry`` inside the write's transaction, with the same kind of error."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from graphql import GraphQLError

from subgraphs.common.errors import bad_user_input
from subgraphs.common.identifiers import birth_century_and_sex, personal_id_problem
from subgraphs.common.provinces import BY_CODE
from subgraphs.common.scalars import parse_partial_date
from subgraphs.common.text import clean_text

from .inputs import (
    BirthRegistrationInput,
    CivilStatusAmendmentInput,
    DeathRegistrationInput,
    DivorceRecordingInput,
    IdentityPaperInput,
    MarriageRegistrationInput,
    RegistrationInput,
)

VIET_NAM = ZoneInfo("Asia/Ho_Chi_Minh")  # "today" of a registration is the registering authority's day
FIRST_REGISTRATION = "1900-01-01"  # the oldest books digitised (003 Art. 3.2.b)
NAME, PLACE, TEXT, AUTHORITY = 100, 250, 60, 200
_NUMBER = re.compile(r"^[0-9A-Za-z][0-9A-Za-z./-]*$")
_PAPER_NUMBER = re.compile(r"^[0-9A-Za-z][0-9A-Za-z-]{4,19}$")


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def today() -> str:
    """Today in Viet Nam, ISO."""
    return dt.datetime.now(VIET_NAM).date().isoformat()


class Checker:
    """Collects the problems of one input; :meth:`done` raises them as one ``BAD_USER_INPUT``."""

    def __init__(self, argument: str = "input") -> None:
        self.argument = argument
        self.problems: list[tuple[str, str]] = []

    def path(self, name: str) -> str:
        """``input.fieldName`` for a Python attribute or dotted attribute path."""
        return ".".join([self.argument, *(_camel(part) for part in name.split("."))])

    def fail(self, name: str, message: str) -> None:
        self.problems.append((self.path(name), message))

    def done(self) -> None:
        if self.problems:
            raise input_error(self.problems)

    def text(self, name: str, value: str | None, limit: int, *, required: bool = False) -> str | None:
        """Stripped NFC text of at most ``limit`` characters; empty is absent; control and bidirectional
        formatting characters refused (``subgraphs.common.text``)."""
        cleaned, problem = clean_text(value, limit=limit, required=required)
        if problem:
            self.fail(name, problem)
        return cleaned

    def personal_id(self, name: str, value: str | None, *, required: bool = False,
                    sex: str | None = None) -> str | None:
        """A valid personal id; ``sex``: the one its century/sex digit must give (a father is MALE)."""
        if value is None or value == "":
            if required:
                self.fail(name, "must not be empty")
            return None
        problem = personal_id_problem(value)
        if problem:
            self.fail(name, problem)
            return None
        if sex is not None and birth_century_and_sex(value)[1] != sex:
            self.fail(name, f"this personal identification number is not of a {sex.lower()} person")
        return value

    def date(self, name: str, value: str | None, *, required: bool = False, full: bool = False,
             not_after: str | None = None, not_after_name: str = "", not_before: str | None = None) -> str | None:
        """A partial date (``full``: YYYY-MM-DD only) in [not_before, not_after] (compared at its precision)."""
        if value is None or value == "":
            if required:
                self.fail(name, "must not be empty")
            return None
        try:
            parse_partial_date(value)
        except ValueError as exc:
            self.fail(name, str(exc))
            return None
        if full and len(value) != 10:
            self.fail(name, "give the full date, YYYY-MM-DD")
            return None
        if not_after is not None and value > not_after[: len(value)]:
            self.fail(name, f"must not be after {not_after_name or not_after}")
        elif not_before is not None and value < not_before[: len(value)]:
            self.fail(name, f"must not be before {not_before}")
        return value

    def registration(self, data: RegistrationInput) -> dict[str, Any]:
        """The registration metadata common to every kind (003 Art. 3.1.a), as event columns."""
        when = self.date("registration_date", data.registration_date, required=True, full=True,
                         not_after=today(), not_after_name="today", not_before=FIRST_REGISTRATION)
        province = data.registration_province_code
        if province not in BY_CODE:
            self.fail("registration_province_code", f"{province!r} is not the code of a current province")
        number = self.text("registration_number", data.registration_number, 40)
        if number is not None and not _NUMBER.match(number):
            self.fail("registration_number", "only letters, digits, '.', '/' and '-' are allowed")
        book = self.text("book_number", data.book_number, 20)
        return {
            "registration_number": number,
            "book_number": book,
            "registration_date": when,
            "registering_authority": self.text("registering_authority", data.registering_authority, AUTHORITY,
                                               required=True),
            "registration_province_code": province,
            "signer_name": self.text("signer_name", data.signer_name, NAME),
            "signer_title": self.text("signer_title", data.signer_title, NAME),
        }

    def paper(self, name: str, paper: IdentityPaperInput | None, holder_id: str | None,
              registered: str | None, *, holder_given: bool = False) -> dict[str, Any] | None:
        """An identity paper as stored (``CivilStatusIdentityPaper``); a citizen identity card's number must be
        its holder's (valid) personal id ``holder_id``; a holder given no personal id must be named."""
        if paper is None:
            return None
        number = self.text(f"{name}.number", paper.number, 20, required=True)
        if number is not None and not _PAPER_NUMBER.match(number):
            self.fail(f"{name}.number", "5 to 20 letters, digits or '-'")
        if paper.kind.value == "CITIZEN_ID_CARD" and holder_id and number and number != holder_id:
            self.fail(f"{name}.number", "a citizen identity card's number is its holder's personal id")
        holder_name = self.text(f"{name}.holder_name", paper.holder_name, NAME)
        if not holder_given and holder_name is None:
            self.fail(f"{name}.holder_name", "name the holder when they have no personal identification number")
        stored = {
            "kind": paper.kind.value,
            "number": number,
            "issuingAuthority": self.text(f"{name}.issuing_authority", paper.issuing_authority, AUTHORITY),
            "issuingCountry": self.text(f"{name}.issuing_country", paper.issuing_country, TEXT),
            "issueDate": self.date(f"{name}.issue_date", paper.issue_date, not_after=registered or today(),
                                   not_after_name="the registration date"),
            "holderName": holder_name,
            "holderNationality": self.text(f"{name}.holder_nationality", paper.holder_nationality, TEXT),
        }
        return {k: v for k, v in stored.items() if v is not None}


def input_error(problems: list[tuple[str, str]]) -> GraphQLError:
    """One ``BAD_USER_INPUT`` naming the first wrong field and listing every one."""
    first_field, first_message = problems[0]
    error = bad_user_input(first_field, first_message)
    assert error.extensions is not None
    error.extensions["invalidFields"] = [{"field": f, "message": m} for f, m in problems]
    return error


@dataclass
class NewEvent:
    """A registration checked field by field: the event row's columns and the persons it indexes."""

    kind: str
    subject_id: str | None
    columns: dict[str, Any]
    parties: dict[str, str] = field(default_factory=dict)  # role -> personal id, besides the subject
    others: tuple[str | None, ...] = ()  # persons the record names without indexing it (a birth's parents)

    @property
    def subjects(self) -> list[str]:
        """Every person the write concerns (audited with it)."""
        return list(dict.fromkeys(pid for pid in (self.subject_id, *self.parties.values(), *self.others) if pid))


def check_birth(data: BirthRegistrationInput) -> NewEvent:
    """A birth registration (003 Art. 3.1.a): the child has no personal id yet (population issues it)."""
    c = Checker()
    columns = c.registration(data)
    registered = columns["registration_date"]
    father = c.personal_id("father_personal_id", data.father_personal_id, sex="MALE")
    mother = c.personal_id("mother_personal_id", data.mother_personal_id, sex="FEMALE")
    declarant = c.personal_id("declarant_personal_id", data.declarant_personal_id)
    papers = {role: paper for role, paper in (
        ("FATHER", c.paper("father_identity_paper", data.father_identity_paper, father, registered,
                           holder_given=bool(data.father_personal_id))),
        ("MOTHER", c.paper("mother_identity_paper", data.mother_identity_paper, mother, registered,
                           holder_given=bool(data.mother_personal_id))),
        ("DECLARANT", c.paper("declarant_identity_paper", data.declarant_identity_paper, declarant, registered,
                              holder_given=bool(data.declarant_personal_id))),
    ) if paper}
    columns.update(
        full_name=c.text("full_name", data.full_name, NAME, required=True),
        date_of_birth=c.date("date_of_birth", data.date_of_birth, required=True, full=True,
                             not_after=registered or today(), not_after_name="the registration date",
                             not_before=FIRST_REGISTRATION),
        sex=data.sex.value,
        place_of_birth=c.text("place_of_birth", data.place_of_birth, PLACE, required=True),
        ethnicity=c.text("ethnicity", data.ethnicity, 40),
        nationality=c.text("nationality", data.nationality, TEXT) or "Việt Nam",
        hometown=c.text("hometown", data.hometown, PLACE),
        father_id=father,
        mother_id=mother,
        declarant_name=c.text("declarant_name", data.declarant_name, NAME, required=True),
        declarant_id=declarant,
        declarant_relationship=c.text("declarant_relationship", data.declarant_relationship, 40),
        identity_papers=papers or None,
    )
    c.done()
    # Birth parents are not indexed as parties: a child's birth is not an event of the parent's own civil status
    # (models.CivilStatusPartyRow); the child is indexed when population links the registration.
    return NewEvent("BIRTH", None, columns, others=(father, mother, declarant))


def check_death(data: DeathRegistrationInput) -> NewEvent:
    """A death registration (003 Art. 10.2.e)."""
    c = Checker()
    columns = c.registration(data)
    person = c.personal_id("personal_id", data.personal_id, required=True)
    columns.update(
        date_of_death=c.date("date_of_death", data.date_of_death, required=True,
                             not_after=columns["registration_date"] or today(), not_after_name="the registration date",
                             not_before=FIRST_REGISTRATION),
        place_of_death=c.text("place_of_death", data.place_of_death, PLACE),
        cause_of_death=c.text("cause_of_death", data.cause_of_death, AUTHORITY),
    )
    c.done()
    return NewEvent("DEATH", person, columns)


def check_marriage(data: MarriageRegistrationInput) -> NewEvent:
    """A marriage registration between a man and a woman (Law on Marriage and Family 2014 Art. 8; 003 Art.
    10.2.b); the husband is the record's subject, both spouses are indexed."""
    c = Checker()
    columns = c.registration(data)
    husband = c.personal_id("husband_personal_id", data.husband_personal_id, required=True, sex="MALE")
    wife = c.personal_id("wife_personal_id", data.wife_personal_id, required=True, sex="FEMALE")
    columns.update(husband_id=husband, wife_id=wife)
    c.done()
    assert husband is not None and wife is not None
    return NewEvent("MARRIAGE", husband, columns, {"HUSBAND": husband, "WIFE": wife})


def check_divorce(data: DivorceRecordingInput) -> NewEvent:
    """A divorce recorded from a court's judgment or decision (003 Art. 10.2.b)."""
    c = Checker()
    columns = c.registration(data)
    person = c.personal_id("personal_id", data.personal_id, required=True)
    other = c.personal_id("other_party_personal_id", data.other_party_personal_id, required=True)
    if person is not None and person == other:
        c.fail("other_party_personal_id", "the other spouse must be another person")
    columns.update(
        court=c.text("court", data.court, AUTHORITY, required=True),
        decision_number=c.text("decision_number", data.decision_number, 40, required=True),
        decision_date=c.date("decision_date", data.decision_date, required=True, full=True,
                             not_after=columns["registration_date"] or today(),
                             not_after_name="the registration date", not_before=FIRST_REGISTRATION),
        decision_kind="DIVORCE",
        other_party_id=other,
    )
    c.done()
    assert other is not None
    return NewEvent("COURT_DECISION_RECORDING", person, columns, {"OTHER_PARTY": other})


_ITEM_LIMITS = {"FULL_NAME": NAME, "PLACE_OF_BIRTH": PLACE, "HOMETOWN": PLACE}


def check_amendment(kind: str, data: CivilStatusAmendmentInput) -> NewEvent:
    """A change or correction (``kind`` CHANGE or CORRECTION) of an item of the birth registration (003 Art.
    10.2.c): a date of birth must be a date, a name fit the name's length."""
    c = Checker()
    columns = c.registration(data)
    person = c.personal_id("personal_id", data.personal_id, required=True)
    item = data.item.value
    if item == "DATE_OF_BIRTH":
        new = c.date("new_value", data.new_value, required=True, not_after=columns["registration_date"] or today(),
                     not_after_name="the registration date", not_before=FIRST_REGISTRATION)
        old = c.date("old_value", data.old_value)
    else:
        new = c.text("new_value", data.new_value, _ITEM_LIMITS.get(item, PLACE), required=True)
        old = c.text("old_value", data.old_value, _ITEM_LIMITS.get(item, PLACE))
    if old is not None and old == new:
        c.fail("new_value", "is the value before the amendment")
    columns.update(changed_item=item, old_value=old, new_value=new,
                   reason=c.text("reason", data.reason, PLACE, required=True))
    c.done()
    return NewEvent(kind, person, columns)
