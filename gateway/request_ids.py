"""``X-Request-Id``: a client's correlation id is kept only when it is short and plainly printable.

The id is echoed in the response, sent to every subgraph, logged, and written to the audit trail, whose column
holds at most 128 characters (``gateway/audit/schema.py``). An over-long value used to fail the whole group-commit
batch on PostgreSQL (value too long for ``varchar(128)``), i.e. other callers' requests got ``AUDIT_UNAVAILABLE``;
control characters would forge log lines. Anything else is replaced by a generated id, never refused: the header
is a convenience for the client, not part of the contract.
"""

from __future__ import annotations

import re
import uuid

MAX_REQUEST_ID = 128
# Characters of UUIDs, ULIDs, W3C trace ids, base64(url) and the usual "<service>:<n>" ids: no blanks, no quotes.
_SAFE = re.compile(rf"[A-Za-z0-9._:/+=@-]{{1,{MAX_REQUEST_ID}}}")


def new_request_id() -> str:
    """A fresh random id (32 hex digits)."""
    return uuid.uuid4().hex


def sanitize_request_id(value: str | None) -> str:
    """``value`` when it is at most 128 safe characters, else a fresh id."""
    if value and _SAFE.fullmatch(value):
        return value
    return new_request_id()
