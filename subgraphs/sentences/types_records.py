"""What every record of the enforcement database says about itself, and the records of its state over time.

- :func:`recorded`: a base type adding ``source``, ``sourceAgency``, ``createdAt`` and ``updatedAt`` to a record
  type (000 Art. 9.1 sources, Art. 9.3 the supplier answers for its data, Art. 10.1 the origin of electronic
  data is identifiable, Art. 8.5.c changes recorded within 24 hours). The fields read the record's row only when
  selected, so types that carry them cost nothing more per row on queries that do not ask for them. Each base
  carries the category of the record it describes: a field has one category whatever the path.
- :class:`StatusChange` / :class:`LegalEntityStatusChange`: the status history of a sentence (000 Art. 8.1.b).
- :class:`FacilityResources`, :class:`FacilityEquipment`: staff, premises and equipment of a facility
  (000 Art. 8.1.c), not personal data.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import strawberry

from subgraphs.common.classification import DataCategory, DataSubject, ValueKind, classified, field
from subgraphs.common.outbox import as_utc

from .enums import EnforcementEventKind, EnforcementStatus, EquipmentKind, LegalEntityEventKind, RecordSource

PUBLIC, BASIC, CRIMINAL = DataCategory.PUBLIC, DataCategory.BASIC, DataCategory.CRIMINAL


def iso_utc(value: datetime | str | None) -> str | None:
    """A stored time as ISO 8601 UTC with a ``Z`` (as civil_status serves it; SQLite returns naive UTC)."""
    if value is None:
        return None
    return as_utc(value).isoformat(timespec="seconds").replace("+00:00", "Z")


VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
UPDATE_DEADLINE = timedelta(hours=24)  # 000 Art. 8.5.c


def recorded_in_time(day: date, created_at: datetime | str) -> bool:
    """Whether a change of ``day`` was recorded at ``created_at`` within 24 hours of that day's end in Vietnam
    (000 Art. 8.5.c; the moment within the day is not recorded, so the day's end is where the clock starts)."""
    end_of_day = datetime.combine(day + timedelta(days=1), time(0), VIETNAM)
    return as_utc(created_at) <= end_of_day + UPDATE_DEADLINE


@cache
def recorded(category: DataCategory) -> type:
    """The base type of records classified ``category`` (one class per category, named after it)."""

    @strawberry.type(name=f"Recorded{category.name.title()}")
    class Recorded:
        row: strawberry.Private[Any] = None

        @classified(category, "Where the record came from (000 Art. 9.1; its origin is identifiable, Art. 10.1).",
                    kind=ValueKind.CODE)
        def source(self) -> RecordSource | None:
            return RecordSource[self.row["source"]] if self.row is not None else None

        @classified(category, "The body that supplied the record and answers for its accuracy (000 Art. 9.3).",
                    kind=ValueKind.TEXT)
        def source_agency(self) -> str | None:
            return self.row["source_agency"] if self.row is not None else None

        @classified(category, "When this database created the record, ISO 8601 UTC (000 Art. 8.5.c).", kind=ValueKind.DATE)
        def created_at(self) -> str | None:
            return iso_utc(self.row["created_at"]) if self.row is not None else None

        @classified(category, "When the record last changed, ISO 8601 UTC: within 24 hours of the change it records "
                    "(000 Art. 8.5.c).", kind=ValueKind.DATE)
        def updated_at(self) -> str | None:
            return iso_utc(self.row["updated_at"]) if self.row is not None else None

    Recorded.__name__ = Recorded.__qualname__ = f"Recorded{category.name.title()}"
    return Recorded


CriminalRecord: Any = recorded(CRIMINAL)
BasicRecord: Any = recorded(BASIC)
PublicRecord: Any = recorded(PUBLIC)


@strawberry.type(
    directives=[DataSubject(inherit=True)],
    description="One entry of a sentence's status history: the state of enforcement it entered, when and why "
    "(tình hình, kết quả thi hành án, 000 Art. 8.1.b).",
)
class StatusChange(CriminalRecord):  # type: ignore[misc, valid-type]
    status: EnforcementStatus | None = field(CRIMINAL, "The status entered (000 Art. 8.1.b).", kind=ValueKind.CODE)
    since: date | None = field(CRIMINAL, "When it took effect.", kind=ValueKind.DATE)
    cause: EnforcementEventKind | None = field(
        CRIMINAL, "The enforcement event that caused it; null for the ruling's entry into force (000 Art. 8.2.e).",
        kind=ValueKind.CODE,
    )
    decision_number: str | None = field(
        CRIMINAL, "Number of the decision behind the change, if any.", kind=ValueKind.IDENTIFIER
    )

    @classmethod
    def from_row(cls, row: Any) -> StatusChange:
        return cls(row=row, status=EnforcementStatus[row["status"]], since=row["since"],
                   cause=EnforcementEventKind[row["cause"]] if row["cause"] else None,
                   decision_number=row["decision_number"])


@strawberry.type(
    description="One entry of a legal entity's sentence status history (000 Art. 8.1.b, 8.3.d); not personal data.",
)
class LegalEntityStatusChange(PublicRecord):  # type: ignore[misc, valid-type]
    status: EnforcementStatus = field(PUBLIC, "The status entered (000 Art. 8.1.b).", kind=ValueKind.CODE)
    since: date = field(PUBLIC, "When it took effect.", kind=ValueKind.DATE)
    cause: LegalEntityEventKind | None = field(
        PUBLIC, "The event that caused it; null for the ruling's entry into force (000 Art. 8.3.d).",
        kind=ValueKind.CODE,
    )

    @classmethod
    def from_row(cls, row: Any) -> LegalEntityStatusChange:
        return cls(row=row, status=EnforcementStatus[row["status"]], since=row["since"],
                   cause=LegalEntityEventKind[row["cause"]] if row["cause"] else None)


@strawberry.type(description="Technical or professional equipment of one kind in a resources report (000 Art. 8.1.c).")
class FacilityEquipment(PublicRecord):  # type: ignore[misc, valid-type]
    kind: EquipmentKind = field(PUBLIC, "Kind of equipment (000 Art. 8.1.c).", kind=ValueKind.CODE)
    quantity: int = field(PUBLIC, "Units held.", kind=ValueKind.COUNT)
    in_working_order: int | None = field(PUBLIC, "Units in working order.", kind=ValueKind.COUNT)

    @classmethod
    def from_row(cls, row: Any) -> FacilityEquipment:
        return cls(row=row, kind=EquipmentKind[row["kind"]], quantity=row["quantity"],
                   in_working_order=row["in_working_order"])


@strawberry.type(
    description="A facility's staff, premises and equipment as reported for one period (nhân lực, cơ sở vật chất, "
    "trang thiết bị kỹ thuật, nghiệp vụ; 000 Art. 8.1.c). Aggregates of a state body, not personal data."
)
class FacilityResources(PublicRecord):  # type: ignore[misc, valid-type]
    reported_on: date = field(PUBLIC, "End of the period reported (000 Art. 9.1.a).", kind=ValueKind.DATE)
    staff: int = field(PUBLIC, "Officers and employees (nhân lực, 000 Art. 8.1.c).", kind=ValueKind.COUNT)
    capacity: int = field(
        PUBLIC, "Persons the premises are built to hold (cơ sở vật chất); 0 for a body without custody.",
        kind=ValueKind.COUNT,
    )
    persons_held: int | None = field(PUBLIC, "Persons held at the end of the period.", kind=ValueKind.COUNT)
    floor_area_square_metres: int | None = field(
        PUBLIC, "Accommodation floor area, m².", kind=ValueKind.AMOUNT
    )
    notes: str | None = field(PUBLIC, "Remarks of the report (overcrowding, works...).", kind=ValueKind.FREE_TEXT)
    id: strawberry.Private[str] = ""

    @classmethod
    def from_row(cls, row: Any) -> FacilityResources:
        return cls(row=row, id=row["id"], reported_on=row["reported_on"], staff=row["staff"],
                   capacity=row["capacity"], persons_held=row["persons_held"],
                   floor_area_square_metres=row["floor_area_m2"], notes=row["notes"])

    @classified(PUBLIC, "Technical and professional equipment (trang thiết bị, 000 Art. 8.1.c).",
                kind=ValueKind.REFERENCE)
    async def equipment(self, info: strawberry.Info) -> list[FacilityEquipment]:
        return [FacilityEquipment.from_row(r) for r in await info.context.loaders.equipment.load(self.id)]
