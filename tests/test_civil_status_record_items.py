"""The data items of 003 Art. 3 added in issue 14: identity papers of parents, declarants and foreign parents
(3.1.a), the requester of a recording of an event registered abroad (3.1.b), the scanned register page (3.1.d),
the source of every record (3.2), created/updated times (003 Art. 7.2; 000 Art. 8.5.c) and the legal
representative (10.3.b): declared for the gateway's protection model, seeded consistently, served."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import AsyncIterator
from datetime import date
from functools import cache
from typing import Any

import pytest
from test_civil_status_schema import _subjects, category, fields, kind
from test_civil_status_seed import by_kind, seeded, world
from test_civil_status_support import Subgraph, make_people, seed_database, serving

from subgraphs.civil_status import seed_values as v
from subgraphs.common.scalars import parse_partial_date
from subgraphs.seed.world import SeedPerson

_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
SOURCES = ("helper", "generator")


def _people(source: str) -> dict[str, SeedPerson]:
    return {p.personal_id: p for p in world(source)}


def _time(value: Any) -> str:
    """A stored time as comparable text (SQLite gives naive datetimes or text)."""
    return str(value)[:19].replace("T", " ")


# -- declarations -----------------------------------------------------------------------------------------------

def test_identity_papers_are_personal_data_of_their_holder() -> None:
    """The paper's holder is a subject on every path; a foreign holder (no personal id) inherits the event's."""
    assert _subjects("CivilStatusIdentityPaper") == [("holder", "PARTY")]
    from test_civil_status_schema import sdl

    paper = next(d for d in sdl().definitions if getattr(d, "name", None) and d.name.value == "CivilStatusIdentityPaper")
    inherit = [d for d in paper.directives if d.name.value == "dataSubject"
               and any(a.name.value == "inherit" and getattr(a.value, "value", None) is True for a in d.arguments)]
    assert len(inherit) == 1
    assert {f: (category("CivilStatusIdentityPaper", f), kind("CivilStatusIdentityPaper", f))
            for f in fields("CivilStatusIdentityPaper")} == {
        "kind": ("BASIC", "CODE"), "number": ("IDENTIFIER", "IDENTIFIER"), "issuingAuthority": ("BASIC", "TEXT"),
        "issuingCountry": ("BASIC", "TEXT"), "issueDate": ("BASIC", "DATE"), "holder": ("IDENTIFIER", "REFERENCE"),
        "holderName": ("BASIC", "NAME"), "holderNationality": ("BASIC", "TEXT"),
    }


def test_new_items_are_declared_with_their_category_kind_and_article() -> None:
    expected = {
        ("CivilStatusEvent", "source"): ("PUBLIC", "CODE", "3.2"),
        ("CivilStatusEvent", "registerPageScan"): ("BASIC", "IDENTIFIER", "3.1.d"),
        ("CivilStatusEvent", "createdAt"): ("BASIC", "DATE", "7.2"),
        ("CivilStatusEvent", "updatedAt"): ("BASIC", "DATE", "7.2"),
        ("BirthRegistration", "fatherIdentityPaper"): ("IDENTIFIER", "REFERENCE", "3.1.a"),
        ("BirthRegistration", "motherIdentityPaper"): ("IDENTIFIER", "REFERENCE", "3.1.a"),
        ("BirthRegistration", "declarantIdentityPaper"): ("IDENTIFIER", "REFERENCE", "3.1.a"),
        ("BirthRegistration", "legalRepresentative"): ("FAMILY", "REFERENCE", "10.3.b"),
        ("BirthRegistration", "legalRepresentativeName"): ("FAMILY", "NAME", "10.3.b"),
        ("ForeignEventRecording", "requester"): ("IDENTIFIER", "REFERENCE", "3.1.b"),
        ("ForeignEventRecording", "requesterName"): ("BASIC", "NAME", "3.1.b"),
        ("ForeignEventRecording", "requesterIdentityPaper"): ("IDENTIFIER", "REFERENCE", "3.1.b"),
    }
    for (type_name, name), (cat, value_kind, article) in expected.items():
        assert (category(type_name, name), kind(type_name, name)) == (cat, value_kind), (type_name, name)
        description = fields(type_name)[name].description
        assert description is not None and f"Art. {article}" in description.value, (type_name, name)
    assert ("legalRepresentative", "PARTY") in _subjects("BirthRegistration")
    assert ("requester", "PARTY") in _subjects("ForeignEventRecording")


def test_the_composed_model_sees_the_new_fields_and_subjects() -> None:
    """The gateway's protection model, built from the live subgraphs' composition, reads the new categories
    and subjects (so policy applies to them like to any field)."""
    from gateway.compose.compose import SubgraphSource, compose
    from gateway.policy.model import ProtectionModel
    from tests.compose.live_sdl import live_sdl

    composed = compose([SubgraphSource(name, f"http://{name}", live_sdl(name)) for name in ("population",
                                                                                               "civil_status")])
    model = ProtectionModel.from_sdl(composed.supergraph_sdl)
    assert model.category("CivilStatusIdentityPaper.number") == "IDENTIFIER"
    assert model.kind("CivilStatusIdentityPaper.holderName") == "name"
    paper = model.of("CivilStatusIdentityPaper")
    assert paper is not None and paper.inherit and [f.field for f in paper.subject_fields] == ["holder"]
    birth = model.of("BirthRegistration")
    assert birth is not None and "legalRepresentative" in [f.field for f in birth.subject_fields]


# -- seed ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("source", SOURCES)
def test_every_record_has_a_source_times_and_a_scan_when_digitised(source: str) -> None:
    events, _ = seeded(source)
    sources = Counter(e["source"] for e in events)
    assert set(sources) >= {"REGISTRATION_SOFTWARE", "DIGITISED_BOOK", "LEGACY_DATABASE"}, sources
    for e in events:
        assert _time(e["created_at"]) <= _time(e["updated_at"]), e["id"]
        assert (e["register_page_scan"] is not None) == (e["source"] == "DIGITISED_BOOK"), e["id"]
        if e["source"] == "REGISTRATION_SOFTWARE":  # entered on the day of registration, in working hours
            assert _time(e["created_at"])[:10] == e["registration_date"] and int(e["registration_date"][:4]) >= 2016
        else:
            assert int(e["registration_date"][:4]) < 2016 or len(e["registration_date"]) < 10
    # an amendment updates the person's birth record the day it is registered (003 Art. 7.2.b)
    births = {e["subject_id"]: e for e in events if e["kind"] == "BIRTH"}
    amended = [e for e in events if e["kind"] in ("CHANGE", "CORRECTION", "SUPPLEMENT", "ETHNICITY_REDETERMINATION")]
    assert amended
    for e in amended:
        birth = births[e["subject_id"]]
        assert _time(birth["updated_at"]) >= e["registration_date"]


@pytest.mark.parametrize("source", SOURCES)
def test_identity_papers_agree_with_the_population(source: str) -> None:
    people = _people(source)
    kinds: Counter[str] = Counter()
    for e in by_kind(source, "BIRTH"):
        papers = e["identity_papers"] or {}
        for role, column in (("FATHER", "father_id"), ("MOTHER", "mother_id")):
            paper = papers.get(role)
            if paper is None:
                continue
            kinds[paper["kind"]] += 1
            issued = parse_partial_date(paper["issueDate"])
            if len(e["registration_date"]) == 10:  # held on the day of the registration
                assert issued <= e["registration_date"], (e["id"], role)
            holder = people.get(e[column]) if e[column] else None
            if holder is None:  # a foreign parent: known by the passport alone
                assert paper["kind"] == "PASSPORT" and paper["holderNationality"] != "Việt Nam"
                assert paper["issuingCountry"] and paper["holderName"]
                continue
            assert "holderName" not in paper and "issuingCountry" not in paper  # the Person names it; Việt Nam
            if paper["kind"] == "CITIZEN_ID_CARD":  # its number is the personal identification number
                assert paper["number"] == holder.personal_id and int(e["registration_date"][:4]) >= 2016
            else:
                assert paper["kind"] == "ID_CARD" and paper["number"] == holder.old_id_card_number
            fourteen = v.add_years(v.parse(holder.date_of_birth, upper=True), 14)  # type: ignore[arg-type]
            assert date.fromisoformat(issued) >= fourteen
        assert "DECLARANT" not in papers  # a declaring parent showed the paper recorded for that parent
    assert kinds["CITIZEN_ID_CARD"] and kinds["PASSPORT"], kinds
    if source == "generator":  # the helper's world gives nobody a former ID card number
        assert kinds["ID_CARD"], kinds


@pytest.mark.parametrize("source", SOURCES)
def test_legal_representatives_and_requesters(source: str) -> None:
    people = _people(source)
    represented = [e for e in by_kind(source, "BIRTH") if e["legal_representative_id"]]
    assert represented
    for e in represented:
        person = people[e["subject_id"]]
        assert v.MINOR_SINCE_YEAR <= person.birth_year < 2016  # shared for persons born before 2016 (10.3.b)
        assert e["legal_representative_id"] in (person.father_id, person.mother_id)
        assert e["legal_representative_name"] == people[e["legal_representative_id"]].full_name
    recordings = by_kind(source, "FOREIGN_EVENT_RECORDING")
    assert recordings
    for e in recordings:
        assert e["requester_id"] == e["subject_id"] or e["requester_id"] == e["other_party_id"]
        assert e["requester_name"] == people[e["requester_id"]].full_name


# -- served ---------------------------------------------------------------------------------------------------

@cache
def _small_world() -> tuple[SeedPerson, ...]:
    return tuple(make_people(400, seed=21))


@pytest.fixture(scope="module")
def small_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('cs_items') / 'cs.db'}"
    seed_database(url, list(_small_world()))
    return url


@pytest.fixture
async def served(small_url: str, internal_keys: Any) -> AsyncIterator[Subgraph]:
    async with serving(small_url, internal_keys) as sg:
        yield sg


PAPER = "kind number issuingAuthority issuingCountry issueDate holder { personalId } holderName holderNationality"
QUERY = f"""
query($reps: [_Any!]!) {{ _entities(representations: $reps) {{ ... on Person {{
  birthRegistration {{
    source registerPageScan createdAt updatedAt registrationDate father {{ personalId }} declarant {{ personalId }}
    fatherIdentityPaper {{ {PAPER} }} motherIdentityPaper {{ {PAPER} }} declarantIdentityPaper {{ {PAPER} }}
    legalRepresentative {{ personalId }} legalRepresentativeName
  }}
  civilStatusEvents(kinds: [FOREIGN_EVENT_RECORDING]) {{
    ... on ForeignEventRecording {{ requester {{ personalId }} requesterName requesterIdentityPaper {{ {PAPER} }} }}
  }}
}} }} }}
"""


async def test_the_items_are_served(served: Subgraph) -> None:
    people = list(_small_world())
    body = await served.query(QUERY, {"reps": [{"__typename": "Person", "personalId": p.personal_id}
                                               for p in people]})
    assert "errors" not in body, body["errors"]
    rows = body["data"]["_entities"]
    births = [r["birthRegistration"] for r in rows]
    assert all(b is not None for b in births)
    for b in births:
        assert b["source"] in ("REGISTRATION_SOFTWARE", "DIGITISED_BOOK", "LEGACY_DATABASE")
        assert _UTC.match(b["createdAt"]) and _UTC.match(b["updatedAt"]) and b["createdAt"] <= b["updatedAt"]
        assert (b["registerPageScan"] is not None) == (b["source"] == "DIGITISED_BOOK")
        paper = b["fatherIdentityPaper"]
        if paper is not None and b["father"] is not None:
            assert paper["holder"] == b["father"]  # the holder is the father as a Person: a subject of the paper
            assert paper["issuingCountry"] == "Việt Nam" and paper["holderName"] is None
        if b["declarant"] is not None and b["declarant"] == b["father"]:  # the declaring father's own paper
            assert b["declarantIdentityPaper"] == paper
    with_papers = [b for b in births if b["fatherIdentityPaper"]]
    assert with_papers and any(b["declarantIdentityPaper"] for b in births)
    assert any(b["legalRepresentative"] for b in births)
    requested = [e for r in rows for e in r["civilStatusEvents"]]
    assert requested and all(e["requester"] and e["requesterName"] for e in requested)
    assert any(e["requesterIdentityPaper"] and e["requesterIdentityPaper"]["holder"] == e["requester"]
               for e in requested)
