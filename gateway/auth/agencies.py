"""Read-only view of the agency catalogue ``policies/data/agencies.json`` (owned by the policy authors).

Besides the agencies, the catalogue lists the accounts appointed data-protection officers
(``data_protection_officers: [{"account", "agency"}]``, 004 Art. 38.2): a token's ``role: dpo`` claim is honoured
only for those accounts, so that an identity provider (or anyone able to have a token minted) cannot make an
ordinary account a DPO, who may read every data subject's access log. ``grant_registrars: [{"account",
"agency"}]`` lists, the same way, the accounts whose ``role: grant_registrar`` is honoured: they keep the grants
registry (gateway.grants; 000 Art. 13.3).
"""

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


@dataclass(frozen=True, slots=True)
class DataProtectionOfficer:
    """An account appointed DPO, at ``agency`` (None: not attached to one agency)."""

    account: str
    agency: str | None


class AgencyCatalogue(Mapping[str, Agency]):
    """Agencies by id, and the appointed data-protection officers; immutable once loaded."""

    def __init__(self, agencies: Mapping[str, Agency],
                 officers: Mapping[str, DataProtectionOfficer] | None = None,
                 registrars: Mapping[str, DataProtectionOfficer] | None = None) -> None:
        self._by_id: Mapping[str, Agency] = MappingProxyType(dict(agencies))
        self._officers: Mapping[str, DataProtectionOfficer] = MappingProxyType(dict(officers or {}))
        self._registrars: Mapping[str, DataProtectionOfficer] = MappingProxyType(dict(registrars or {}))

    def grant_registrar(self, account: str) -> DataProtectionOfficer | None:
        """The grant-registrar appointment of ``account`` (its agency), or None when the catalogue lists none."""
        return self._registrars.get(account)

    def data_protection_officer(self, account: str) -> DataProtectionOfficer | None:
        """The DPO appointment of ``account``, or None when the catalogue lists none."""
        return self._officers.get(account)

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
        officers = _appointments(data, "data_protection_officers", "DPO", by_id, agency_optional=True)
        registrars = _appointments(data, "grant_registrars", "grant registrar", by_id, agency_optional=False)
        return cls(by_id, officers, registrars)

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


def _appointments(data: Mapping[str, object], key: str, label: str, by_id: Mapping[str, Agency], *,
                  agency_optional: bool) -> dict[str, DataProtectionOfficer]:
    """The accounts the catalogue lists under ``key`` (``label`` in its errors), by account: each named once and,
    unless ``agency_optional`` lets it name none, with an agency of the catalogue."""
    listed = data.get(key) or []
    if not isinstance(listed, list):
        raise ValueError(f"agency catalogue: '{key}' must be a list")
    found: dict[str, DataProtectionOfficer] = {}
    for entry in listed:
        appointed = DataProtectionOfficer(account=str(entry["account"]), agency=entry.get("agency"))
        if not (agency_optional and appointed.agency is None) and appointed.agency not in by_id:
            raise ValueError(f"agency catalogue: {label} {appointed.account!r} names unknown agency "
                             f"{appointed.agency!r}")
        if appointed.account in found:
            raise ValueError(f"agency catalogue: {label} {appointed.account!r} listed twice")
        found[appointed.account] = appointed
    return found
