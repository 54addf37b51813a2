"""Data subjects' rights at the gateway (Decree 13/2023 Art. 9, 11, 12, 14-16): requests, the 72-hour clock,
restrictions recorded in the population database, consents checked on every request that names one.

- :mod:`.service`: the local-subgraph service (SDL + resolvers), :data:`SUBJECTS_SERVICE`;
- :mod:`.requests`: :class:`RequestRegistry` (file, list, resolve; audited);
- :mod:`.consents`: :class:`ConsentRegistry` (give, withdraw; the policy's consent lookup);
- :mod:`.restriction`: :class:`PopulationRestrictor` (``POST /internal/restrictions`` and ``.../lift`` at
  population);
- :mod:`.relatives`: :class:`RelativesLookup` (a data subject's parents and spouse for
  ``input.subject.relatives``, 003 Art. 13; not wired into the policy stage yet);
- :mod:`.cli`: ``python -m gateway subjects list|show|resolve|lift`` (the DPO's desk);
- :mod:`.tables`: their tables in the gateway store; :mod:`.audit`: their hash-chain records.

The policy side is policies/subjects.rego (a data subject's own rows; consent rules).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .consents import Consent, ConsentError, ConsentRegistry
from .relatives import RelativesLookup
from .requests import KINDS, RequestError, RequestRegistry, SubjectRequest
from .restriction import PopulationRestrictor, RestrictionUnavailable
from .service import SUBJECTS_SERVICE, SubjectRights, SubjectsService

__all__ = [
    "KINDS", "SUBJECTS_SERVICE", "Consent", "ConsentError", "ConsentRegistry", "PopulationRestrictor",
    "RelativesLookup", "RequestError", "RequestRegistry", "RestrictionUnavailable", "SubjectRequest", "SubjectRights",
    "SubjectsService", "build_subject_rights",
]


def build_subject_rights(store: Any, audit: Any, agencies: Any, purposes: Mapping[str, Mapping[str, Any]],
                         population_url: str, minter: Any) -> SubjectRights:
    """The registries over the gateway store and the audit store; restrictions recorded at ``population_url``
    (population's GraphQL URL) with internal tokens from ``minter``."""
    restrictor = PopulationRestrictor(population_url, minter)
    return SubjectRights(RequestRegistry(store, audit, restrictor),
                         ConsentRegistry(store, audit, agencies, purposes))
