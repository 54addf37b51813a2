"""The protection facts of a foreign offender (docs/PROTECTION.md §2): what the gateway's row rules read about a
foreigner, served by this subgraph because it owns ``ForeignOffender``.

The contract is the one population serves for ``Person``: every field nullable, a null field an unknown fact.
The enforcement database knows a foreigner's date of birth (passport) and whether a death was recorded in the
course of one of their sentences (000 Art. 8.2.e); it records no disappearance and no processing restriction
(004 Art. 9.6) for foreigners, and no residence in a Vietnamese province.
"""

from __future__ import annotations

import strawberry

from subgraphs.common.classification import DataCategory, DataSubject, ValueKind, field
from subgraphs.common.scalars import PartialDate

BASIC = DataCategory.BASIC


@strawberry.type(
    directives=[DataSubject(inherit=True)],
    description="Facts about a foreign offender that the gateway's row rules read (age, death...; 004 Art. 19, 20).",
)
class ForeignOffenderProtectionFacts:
    birth_date: PartialDate | None = field(
        BASIC, "Date of birth as in the passport, possibly partial (minority: 004 Art. 20).", kind=ValueKind.DATE
    )
    deceased: bool | None = field(
        BASIC, "True when a death is recorded in the course of one of their sentences (004 Art. 19).",
        kind=ValueKind.FLAG,
    )
    missing: bool | None = field(
        BASIC, "Declared missing: the enforcement database records none for foreigners (false).", kind=ValueKind.FLAG
    )
    restricted: bool | None = field(
        BASIC, "Processing restricted at the subject's request (004 Art. 9.6): none recorded here (false).",
        kind=ValueKind.FLAG,
    )
    residence_province_code: str | None = field(
        BASIC, "3-digit province of permanent residence: unknown for foreigners (null).", kind=ValueKind.CODE
    )
