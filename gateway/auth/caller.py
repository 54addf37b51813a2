"""Who is calling: the authenticated caller and the authentication error."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Role(enum.StrEnum):
    """The ``role`` claim. ``agency`` is the default: an officer's account in an agency's system."""

    AGENCY = "agency"
    DATA_SUBJECT = "data_subject"
    DPO = "dpo"
    # keeps the grants registry (gateway.grants); honoured only for accounts agencies.json lists under
    # grant_registrars, like dpo (000 Art. 13.3, 13.7)
    GRANT_REGISTRAR = "grant_registrar"


@dataclass(frozen=True, slots=True)
class Caller:
    """An authenticated caller: the one caller type of every stage (auth, policy, audit, the CLI and tests).

    ``sub`` is the identified account (000 Art. 13.7); for ``role=data_subject`` it is the person's personalId.
    ``agency_*`` are None when the role needs no agency (a data subject, a DPO without one).
    """

    sub: str
    agency_id: str | None
    agency_kind: str | None
    province: str | None = None
    role: Role = Role.AGENCY
    issuer: str = ""
    token_id: str | None = None
    agency_name: str | None = None

    @property
    def is_data_subject(self) -> bool:
        return self.role is Role.DATA_SUBJECT

    @property
    def is_dpo(self) -> bool:
        return self.role is Role.DPO

    @property
    def is_grant_registrar(self) -> bool:
        return self.role is Role.GRANT_REGISTRAR


class AuthError(Exception):
    """The request is not authenticated: HTTP 401 ``UNAUTHENTICATED``, no data.

    ``str(error)`` says why in terms safe to show to the client (never key material).
    """

    code = "UNAUTHENTICATED"
    http_status = status = 401

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
