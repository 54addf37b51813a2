"""Who is calling and why: caller tokens (JWT/JWKS), the :class:`Caller`, purpose headers, dev tokens.

Stage interface (docs/ARCHITECTURE.md): ``await Authenticator.authenticate(raw_headers) -> Caller`` or
:class:`AuthError` (401 ``UNAUTHENTICATED``); ``read_purpose(raw_headers) -> DeclaredPurpose`` or
:class:`PurposeHeaderError` (400 ``BAD_USER_INPUT``).
"""

from .agencies import Agency, AgencyCatalogue
from .caller import AuthError, Caller, Role
from .dev import load_or_create_dev_key, mint_dev_token, parse_ttl
from .purpose import DeclaredPurpose, PurposeHeaderError, read_purpose
from .settings import AuthSettings
from .verify import Authenticator, bearer_token

__all__ = [
    "Agency",
    "AgencyCatalogue",
    "AuthError",
    "AuthSettings",
    "Authenticator",
    "Caller",
    "DeclaredPurpose",
    "PurposeHeaderError",
    "Role",
    "bearer_token",
    "load_or_create_dev_key",
    "mint_dev_token",
    "parse_ttl",
    "read_purpose",
]
