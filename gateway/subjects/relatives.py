"""A data subject's relatives as their own records name them (003 Art. 13), for ``input.subject.relatives``.

An extract of one's own civil status record shows one's parents, spouse and children; policies/subjects.rego
(``self_relatives``, rule ``data_subject_relative``) keeps their rows for the data subject with what such an
extract shows of them, when the policy input names them. This module finds them: population's father, mother
and spouse of the person, and in the civil status database the parents of the births whose subject the person
is, the child of the births where they are a party as a parent, and the other spouse of their marriages. Children
are found only that way: a seeded birth lists its child alone as a party, and population serves no "children of"
lookup (``person.father_id`` has no index), so most children are not found yet. Both are read
with internal tokens minted for the lookup (sub ``gateway``, purpose ``data_subject_relatives``), never a
client's.

A failure answers no relatives (the rows stay filtered: fail closed). Answers are kept ``ttl`` seconds per
person (a new birth or marriage shows within that time).

Wired by gateway/server/wiring.py; ``PolicyService.decide`` adds ``subject.relatives`` (and the ids to its
decision cache key) for a data subject.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from typing import Any

import aiohttp

from gateway.keys import InternalTokenMinter

PURPOSE = "data_subject_relatives"
_ID = re.compile(r"^[0-9]{12}$")

POPULATION_QUERY = """query($id: ID!) { person(personalId: $id) {
  father { personalId } mother { personalId } spouse { personalId } } }"""
CIVIL_STATUS_QUERY = """query($r: [_Any!]!) { _entities(representations: $r) { ... on Person {
  civilStatusEvents(kinds: [BIRTH, MARRIAGE]) { __typename subject { personalId }
    ... on BirthRegistration { father { personalId } mother { personalId } }
    ... on MarriageRegistration { husband { personalId } wife { personalId } } } } } }"""


def _key(node: Any) -> str | None:
    value = node.get("personalId") if isinstance(node, dict) else None
    return value if isinstance(value, str) and _ID.match(value) else None


def relatives_in(personal_id: str, person: Any, events: Iterable[Any]) -> list[str]:
    """The relatives of ``personal_id`` in population's ``person`` answer and the civil status ``events``:
    parents, spouse (population); parents of their own births, children of births where they are a parent,
    spouses of their marriages. Sorted, without the person themself."""
    found: set[str | None] = set()
    if isinstance(person, dict):
        found.update(_key(person.get(k)) for k in ("father", "mother", "spouse"))
    for event in events:
        if not isinstance(event, dict):
            continue
        kind, subject = event.get("__typename"), _key(event.get("subject"))
        if kind == "BirthRegistration":
            parents = {_key(event.get("father")), _key(event.get("mother"))}
            if subject == personal_id:
                found.update(parents)
            elif personal_id in parents:
                found.add(subject)
        elif kind == "MarriageRegistration":
            spouses = {_key(event.get("husband")), _key(event.get("wife"))}
            if personal_id in spouses:
                found.update(spouses)
    return sorted(r for r in found if r is not None and r != personal_id)


class RelativesLookup:
    """Relatives of a data subject from the population and civil status subgraphs (see the module docstring).
    ``minter`` may be a factory, called on first use."""

    def __init__(self, population_url: str, civil_status_url: str,
                 minter: InternalTokenMinter | Callable[[], InternalTokenMinter], *, ttl: float = 30.0,
                 timeout: float = 5.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.urls = {"population": population_url, "civil_status": civil_status_url}  # by audience
        self._minter = minter
        self.ttl = ttl
        self.timeout = timeout
        self.clock = clock
        self._cache: dict[str, tuple[float, list[str]]] = {}
        self.failures = 0

    @property
    def minter(self) -> InternalTokenMinter:
        if not isinstance(self._minter, InternalTokenMinter):
            self._minter = self._minter()
        return self._minter

    async def _query(self, session: aiohttp.ClientSession, graph: str, query: str,
                     variables: dict[str, Any]) -> dict[str, Any]:
        token = self.minter.mint(graph, sub="gateway", purpose=PURPOSE, rid=f"relatives:{graph}")
        async with session.post(self.urls[graph], json={"query": query, "variables": variables},
                                headers={"Authorization": f"Bearer {token}"}) as resp:
            answer = await resp.json(content_type=None)
        if resp.status != 200 or not isinstance(answer, dict) or answer.get("errors"):
            raise ValueError(f"{graph} answered HTTP {resp.status}: {answer!r:.200}")
        return dict(answer.get("data") or {})

    async def relatives_of(self, personal_id: str) -> list[str]:
        """The relatives' personal ids (sorted); none for an id that is not one, or when a subgraph fails."""
        if not _ID.match(personal_id):
            return []
        now = self.clock()
        cached = self._cache.get(personal_id)
        if cached is not None and now - cached[0] < self.ttl:
            return list(cached[1])
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout)) as session:
                person = (await self._query(session, "population", POPULATION_QUERY, {"id": personal_id})).get("person")
                entities = (await self._query(session, "civil_status", CIVIL_STATUS_QUERY, {
                    "r": [{"__typename": "Person", "personalId": personal_id}]})).get("_entities") or []
        except (aiohttp.ClientError, TimeoutError, ValueError):
            self.failures += 1
            return []  # fail closed: the relatives' rows stay filtered
        events = [e for entity in entities if isinstance(entity, dict)
                  for e in entity.get("civilStatusEvents") or []]
        found = relatives_in(personal_id, person, events)
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[personal_id] = (now, found)
        return list(found)
