"""Why they are calling: the declared purpose (``X-Purpose``) and legal basis (``X-Legal-Basis``).

Rules (000 Art. 13.6.a: access states its purpose; 004 Art. 3.3 purpose limitation):

- header names are case-insensitive (HTTP), values are not: ``Criminal_Proceedings`` is passed through verbatim
  and the policy refuses it (``PURPOSE_NOT_PERMITTED``) since every catalogue purpose matches ``^[a-z_]+$``;
- a header given more than once, or an ``X-Purpose`` holding a comma-separated list, is ambiguous:
  ``BAD_USER_INPUT`` (HTTP 400). ``X-Legal-Basis`` may contain commas (decision references do), only a repeated
  header line is refused;
- a purpose that is not a token (``^[A-Za-z0-9_-]{1,64}$``: spaces, punctuation, control characters, too long) is
  malformed: ``BAD_USER_INPUT``;
- the legal basis is at most 200 printable characters (UTF-8 bytes on the wire are decoded as UTF-8);
- an absent or empty header gives ``None`` (the policy answers ``PURPOSE_REQUIRED`` when it needs one);
- ``X-Consent-Reference`` names the data subject's consent a purpose that needs one is processed under (004
  Art. 11; policies/subjects.rego): a reference as ``giveConsent`` returns it (``^[A-Za-z0-9_-]{1,64}$``),
  given once; anything else is ``BAD_USER_INPUT``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .headers import HeaderPairs, header_values

PURPOSE_HEADER = "x-purpose"
LEGAL_BASIS_HEADER = "x-legal-basis"
CONSENT_HEADER = "x-consent-reference"
LEGAL_BASIS_MAX = 200
CATALOGUE_PURPOSE = re.compile(r"^[a-z_]+$")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass(frozen=True, slots=True)
class DeclaredPurpose:
    """The purpose, legal basis and consent reference a request declared (each None when absent)."""

    purpose: str | None
    legal_basis: str | None = None
    consent_reference: str | None = None

    @property
    def is_catalogue_shaped(self) -> bool:
        """True when the purpose could name a catalogue entry (``^[a-z_]+$``)."""
        return self.purpose is not None and CATALOGUE_PURPOSE.fullmatch(self.purpose) is not None


class PurposeHeaderError(Exception):
    """A malformed or repeated purpose header: HTTP 400 ``BAD_USER_INPUT``."""

    code = "BAD_USER_INPUT"
    http_status = status = 400

    def __init__(self, header: str, message: str) -> None:
        super().__init__(f"{header}: {message}")
        self.header = header
        self.message = f"{header}: {message}"


def _single(headers: HeaderPairs, name: str, display: str, *, utf8: bool) -> str | None:
    try:
        values = header_values(headers, name, utf8=utf8)
    except UnicodeDecodeError as exc:
        raise PurposeHeaderError(display, "value is not valid UTF-8") from exc
    if len(values) > 1:
        raise PurposeHeaderError(display, "header given more than once; declare exactly one value")
    return (values[0] or None) if values else None


def read_purpose(headers: HeaderPairs) -> DeclaredPurpose:
    """Read ``X-Purpose``, ``X-Legal-Basis`` and ``X-Consent-Reference`` from raw ``(name, value)`` header pairs.

    Raises :class:`PurposeHeaderError` on a repeated or malformed header.
    """
    purpose = _single(headers, PURPOSE_HEADER, "X-Purpose", utf8=False)
    if purpose is not None:
        if "," in purpose:
            raise PurposeHeaderError("X-Purpose", "a list of purposes was given; declare exactly one")
        if not _TOKEN.fullmatch(purpose):
            raise PurposeHeaderError("X-Purpose", "not a purpose identifier (expected e.g. criminal_proceedings)")
    basis = _single(headers, LEGAL_BASIS_HEADER, "X-Legal-Basis", utf8=True)
    if basis is not None:
        if len(basis) > LEGAL_BASIS_MAX:
            raise PurposeHeaderError("X-Legal-Basis", f"longer than {LEGAL_BASIS_MAX} characters")
        if not basis.isprintable():
            raise PurposeHeaderError("X-Legal-Basis", "contains control or non-printable characters")
    consent = _single(headers, CONSENT_HEADER, "X-Consent-Reference", utf8=False)
    if consent is not None and not _TOKEN.fullmatch(consent):
        raise PurposeHeaderError("X-Consent-Reference", "not a consent reference (expected e.g. CS-4f9c...)")
    return DeclaredPurpose(purpose=purpose, legal_basis=basis, consent_reference=consent)
