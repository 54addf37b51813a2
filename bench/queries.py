"""The query mix (a..e), measured one at a time, and the request bodies each target receives.

Ids come from the seeded data (:mod:`bench.dataset`) and every body names different ones, so that the Lua script,
rotating through the bodies, never asks twice in a row for the same answer.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

import orjson

PERSON_BASIC = "personalId fullName dateOfBirth sex permanentAddress"

EVENTS_AND_SENTENCES = """
    civilStatusEvents { kind registrationNumber registrationDate registeringAuthority registrationProvince }
    sentences {
      id status offenceDate expectedEndOn
      judgment { courtName number issuedOn }
      charges { article offenceName }
      principalPenalty { kind termMonths }
    }"""

QUERY_A = f"""query BenchA($id: ID!) {{
  person(personalId: $id) {{ {PERSON_BASIC} }}
}}"""

QUERY_B = f"""query BenchB($id: ID!) {{
  person(personalId: $id) {{
    {PERSON_BASIC}{EVENTS_AND_SENTENCES}
  }}
}}"""

QUERY_C = f"""query BenchC($ids: [ID!]!) {{
  persons(personalIds: $ids) {{
    {PERSON_BASIC}{EVENTS_AND_SENTENCES}
  }}
}}"""

QUERY_D = """query BenchD($from: Int!, $to: Int!, $province: String) {
  sentenceStatistics(fromYear: $from, toYear: $to, provinceCode: $province) {
    year provinceCode provinceName offenderKind status offenders sentences
  }
}"""

# (e) asked by the statistics office: names, addresses and criminal data are masked or withheld for it.
QUERY_E = """query BenchE($id: ID!) {
  person(personalId: $id) {
    personalId fullName otherNames dateOfBirth permanentAddress currentAddress
    sentences { status offenceSummary judgment { number issuedOn } }
  }
}"""


@dataclass(frozen=True, slots=True)
class BenchQuery:
    """One query of the mix. ``direct_subgraph`` names the subgraph that can answer it alone (the floor)."""

    key: str
    title: str
    document: str
    caller: str  # "enforcement" or "statistics": which token and purpose headers our gateway and Apollo get
    direct_subgraph: str | None = None


QUERIES: dict[str, BenchQuery] = {
    q.key: q
    for q in (
        BenchQuery("a", "one person, basic fields (1 subgraph)", QUERY_A, "enforcement", "population"),
        BenchQuery("b", "one person + civil status events + sentences (3 subgraphs, 1 hop)", QUERY_B, "enforcement"),
        BenchQuery("c", "200 persons by id + events + sentences", QUERY_C, "enforcement"),
        BenchQuery("d", "sentenceStatistics by province", QUERY_D, "enforcement", "sentences"),
        BenchQuery("e", "one person, mostly masked (statistics office)", QUERY_E, "statistics"),
    )
}

BATCH_SIZE = 200
STATISTICS_YEARS = (2015, 2024)


@dataclass(frozen=True, slots=True)
class Ids:
    """Real ids picked from the seeded data set."""

    persons: Sequence[str]  # any persons
    offenders: Sequence[str]  # persons with at least one sentence
    provinces: Sequence[str]  # province codes that have sentences


def _body(query: BenchQuery, variables: dict[str, object]) -> bytes:
    return orjson.dumps({"query": query.document, "variables": variables})


def bodies(query: BenchQuery, ids: Ids, count: int = 1000, seed: int = 7) -> list[bytes]:
    """``count`` request bodies (fewer if the data set is smaller), each with different ids, in a fixed order."""
    rng = random.Random(f"{seed}:{query.key}")
    if query.key == "a":
        chosen = rng.sample(list(ids.persons), min(count, len(ids.persons)))
        return [_body(query, {"id": pid}) for pid in chosen]
    if query.key in ("b", "e"):
        pool = list(ids.offenders) or list(ids.persons)
        chosen = rng.sample(pool, min(count, len(pool)))
        return [_body(query, {"id": pid}) for pid in chosen]
    if query.key == "c":
        persons = list(ids.persons)
        size = min(BATCH_SIZE, len(persons))
        return [_body(query, {"ids": rng.sample(persons, size)}) for _ in range(min(count, 100))]
    if query.key == "d":
        start, end = STATISTICS_YEARS
        out = []
        for province in ids.provinces:
            for first in range(start, end - 2):
                out.append(_body(query, {"from": first, "to": first + 3, "province": province}))
        rng.shuffle(out)
        return out[:count]
    raise ValueError(f"unknown query {query.key!r}")
