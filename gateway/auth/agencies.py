"""Read-only view of the agency catalogue ``policies/data/agencies.json`` (owned by the policy authors)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class Agency:
    """One agency: its id (the JWT ``agency`` claim), name, kind and province code (None: national)."""

    id: str
    name: str
    kind: str
    province: str | None


class AgencyCatalogue(Mapping[str, Agency]):
    """Agencies by id, immutable once loaded."""

    def __init__(self, agencies: Mapping[str, Agency]) -> None:
        self._by_id: Mapping[str, Agency] = MappingProxyType(dict(agencies))

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> AgencyCatalogue:
        """Build from the ``{"agencies": [{"id", "name", "kind", "province"}]}`` document."""
        entries = data.get("agencies")
        if not isinstance(entries, list):
            raise ValueError("agency catalogue: top-level 'agencies' must be a list")
        by_id: dict[str, Agency] = {}
        for entry in entries:
            agency = Agency(
                id=str(entry["id"]),
                name=str(entry.get("name") or entry["id"]),
                kind=str(entry["kind"]),
                province=entry.get("province"),
            )
            if agency.id in by_id:
                raise ValueError(f"agency catalogue: duplicate id {agency.id!r}")
            by_id[agency.id] = agency
        return cls(by_id)

    @classmethod
    def load(cls, path: Path) -> AgencyCatalogue:
        """Load the catalogue file."""
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))

    def __getitem__(self, key: str) -> Agency:
        return self._by_id[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_id)

    def __len__(self) -> int:
        return len(self._by_id)
