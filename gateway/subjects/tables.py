"""Tables of the data subject rights service in the gateway store (:class:`gateway.store.GatewayStore`).

``data_subject_requests``: one request a data subject filed (004 Art. 9, 14-16), its 72-hour clock (filed,
deadline) and its resolution by the data-protection officer. ``data_subject_consents``: one consent a data
subject gave an agency for a purpose (004 Art. 9.2, 11), and its withdrawal (004 Art. 12).
``data_subject_restriction_lifts``: the lifting of an accepted restriction (004 Art. 9.6), by the
data-protection officer, one row per request (a table of its own, so a store created before lifting existed
gets it on the next start without a migration). Times are fixed-width
ISO 8601 UTC text (``gateway.audit.record.utc_text``), so they sort as time on every database.
"""

from __future__ import annotations

from sqlalchemy import Column, Index, MetaData, String, Table, Text

metadata = MetaData()

requests = Table(
    "data_subject_requests",
    metadata,
    Column("id", String(40), primary_key=True),  # DSR-<hex>: what the subject cites
    Column("personal_id", String(12), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("details", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("filed_at", String(32), nullable=False),
    Column("deadline_at", String(32), nullable=False),
    Column("resolved_at", String(32)),
    Column("resolved_by", Text),
    Column("decision_note", Text),
    Column("restricted_since", String(32)),  # a RESTRICTION accepted: since when population withholds
    Index("ix_data_subject_requests_person", "personal_id"),
    Index("ix_data_subject_requests_status", "status", "filed_at"),
)

consents = Table(
    "data_subject_consents",
    metadata,
    Column("reference", String(40), primary_key=True),  # CS-<hex>: what X-Consent-Reference names
    Column("personal_id", String(12), nullable=False),
    Column("agency", String(128), nullable=False),
    Column("purpose", String(64), nullable=False),
    Column("scope", Text, nullable=False),  # JSON list of categories; [] = every category of the purpose
    Column("given_at", String(32), nullable=False),
    Column("expires_at", String(32), nullable=False),
    Column("withdrawn_at", String(32)),
    Index("ix_data_subject_consents_person", "personal_id"),
)

lifts = Table(
    "data_subject_restriction_lifts",
    metadata,
    Column("request_id", String(40), primary_key=True),  # the accepted RESTRICTION request (DSR-...)
    Column("lifted_at", String(32), nullable=False),  # since when population no longer restricts
    Column("lifted_by", Text, nullable=False),
    Column("note", Text, nullable=False),
)
