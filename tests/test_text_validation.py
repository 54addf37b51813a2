"""Free text in mutation inputs (subgraphs/common/text.py), one check for both subgraphs: C0 and C1 control
characters, DEL and bidirectional overrides refused with ``BAD_USER_INPUT`` naming each field; text stored in NFC;
limits counted on the normalised text; nothing written when a field is refused."""

from __future__ import annotations

import unicodedata
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from test_civil_status_mutations import BIRTH, bad_fields, birth_input
from test_civil_status_support import Subgraph, make_people, seeded_database, serving
from test_sentences_support import open_subgraph as open_sentences

from subgraphs.common.text import clean_text

PEOPLE = make_people(20, seed=47)
DECOMPOSED = unicodedata.normalize("NFD", "Nguyễn Thị Ánh Tuyết")


@pytest.mark.parametrize("bad", ["\x7f", "\x00", "\x1b[31m", "\n", "\t", "\x85", "\x9f", "\u202e", "\u2066",
                                 "\ud800"])
def test_control_and_bidi_characters_are_refused(bad: str) -> None:
    value, problem = clean_text(f"Nguyễn{bad}An", limit=100)
    assert value == f"Nguyễn{bad}An" and problem is not None and "must not contain" in problem
    assert f"U+{ord(bad[0]):04X}" in problem


def test_text_is_stripped_normalised_and_limited_after_normalising() -> None:
    assert clean_text(f"  {DECOMPOSED} ", limit=100) == (unicodedata.normalize("NFC", DECOMPOSED), None)
    assert len(DECOMPOSED) > 20 >= len(unicodedata.normalize("NFC", DECOMPOSED))
    assert clean_text(DECOMPOSED, limit=20)[1] is None  # 20 characters once composed
    assert clean_text("a" * 21, limit=20)[1] == "at most 20 characters"
    assert clean_text("   ", limit=5) == (None, None) and clean_text(None, limit=5, required=True)[1] == "must not be empty"
    assert clean_text("Hà Nội – Việt Nam, số 1/2", limit=50) == ("Hà Nội – Việt Nam, số 1/2", None)


@pytest.fixture(scope="module", params=["sqlite"])
def civil_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from seeded_database(request, tmp_path_factory.mktemp("text") / "cs.db", PEOPLE)


@pytest.fixture
async def civil(civil_url: str, internal_keys: Any) -> AsyncIterator[Subgraph]:
    async with serving(civil_url, internal_keys) as sg:
        yield sg


def _parents() -> tuple[Any, Any]:
    father = next(p for p in PEOPLE if p.sex == "MALE" and p.spouse_id and p.date_of_death is None)
    return father, next(p for p in PEOPLE if p.personal_id == father.spouse_id)


async def test_civil_status_refuses_del_and_c1_field_by_field(civil: Subgraph) -> None:
    father, mother = _parents()
    body = await civil.query(BIRTH, {"input": birth_input(father, mother, fullName="Nguyễn\x7fAn",
                                                          placeOfBirth="Trạm y tế\x85 Phường 1, Hà Nội",
                                                          hometown="Xã Đông\u202eSơn")})
    assert body["data"]["registerBirth"] is None
    assert bad_fields(body) == ["input.fullName", "input.placeOfBirth", "input.hometown"]


async def test_civil_status_stores_nfc(civil: Subgraph) -> None:
    father, mother = _parents()
    body = await civil.query(BIRTH, {"input": birth_input(father, mother, fullName=DECOMPOSED)})
    assert "errors" not in body, body
    assert body["data"]["registerBirth"]["fullName"] == unicodedata.normalize("NFC", DECOMPOSED)


SENTENCE_EVENT = """mutation($input: EnforcementEventInput!) { recordEnforcementEvent(input: $input) { status } }"""


async def test_sentences_refuses_the_same_characters_with_the_same_messages(tmp_path: Path) -> None:
    variables = {"input": {"sentenceId": "S1", "provinceCode": "001", "kind": "REWARD", "date": "2025-07-01",
                           "authority": "Trại giam\x85 Thanh Xuân", "note": "Khen thưởng\x7f"}}
    # refused before any database access: an empty database will do
    async with open_sentences(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}", ping=False) as sg:
        body = await sg.query(SENTENCE_EVENT, variables)
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and error["extensions"]["argumentName"] == "input.authority"
    invalid = {f["field"]: f["message"] for f in error["extensions"]["invalidFields"]}
    assert invalid == {"input.authority": clean_text("Trại giam\x85 Thanh Xuân", limit=300)[1],
                       "input.note": clean_text("Khen thưởng\x7f", limit=2000)[1]}
