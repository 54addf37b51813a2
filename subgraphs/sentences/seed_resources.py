"""Synthetic resources reports of the facilities (000 Art. 8.1.c: staff, premises, technical and professional
equipment), two yearly reports per facility, drawn from a generator of their own so that the catalogue is the same
whatever the world's size and seed. Reports are a source of their own (000 Art. 9.1.a)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime
from typing import Any

REPORT_DATES = (date(2023, 12, 31), date(2024, 12, 31))
# (kind of facility) -> (staff, capacity) ranges
_SIZES = {"PRISON": ((250, 700), (1500, 6000)), "DETENTION_CENTRE": ((80, 260), (300, 1500)),
          "PROVINCIAL_ENFORCEMENT_AGENCY": ((25, 90), (0, 0))}
_EQUIPMENT = {
    "PRISON": ("SURVEILLANCE_CAMERA", "PERIMETER_ALARM", "SECURITY_SCANNER", "VEHICLE", "COMPUTER", "RADIO",
               "MEDICAL", "VOCATIONAL_WORKSHOP", "VIDEO_CONFERENCE"),
    "DETENTION_CENTRE": ("SURVEILLANCE_CAMERA", "SECURITY_SCANNER", "VEHICLE", "COMPUTER", "RADIO", "MEDICAL",
                         "VIDEO_CONFERENCE"),
    "PROVINCIAL_ENFORCEMENT_AGENCY": ("VEHICLE", "COMPUTER", "RADIO", "VIDEO_CONFERENCE"),
}
_QUANTITY = {"SURVEILLANCE_CAMERA": (40, 400), "PERIMETER_ALARM": (1, 4), "SECURITY_SCANNER": (1, 6),
             "VEHICLE": (2, 15), "COMPUTER": (10, 120), "RADIO": (10, 150), "MEDICAL": (5, 60),
             "VOCATIONAL_WORKSHOP": (1, 8), "VIDEO_CONFERENCE": (1, 6)}


def resource_rows(facilities: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``facility_resources`` and ``facility_equipment`` rows for ``facilities`` (catalogue rows)."""
    rng = random.Random("facility-resources")
    reports: list[dict[str, Any]] = []
    equipment: list[dict[str, Any]] = []
    for facility in facilities:
        kind = str(facility["kind"])
        (staff_low, staff_high), (cap_low, cap_high) = _SIZES.get(kind, ((20, 60), (0, 0)))
        staff, capacity = rng.randint(staff_low, staff_high), rng.randint(cap_low, cap_high)
        for reported_on in REPORT_DATES:
            report_id = f"{facility['id']}-{reported_on.year}"
            at = datetime(reported_on.year + 1, 1, 15, 9, 0, tzinfo=UTC)  # filed two weeks after the period
            held = round(capacity * rng.uniform(0.7, 1.15)) if capacity else None
            reports.append({"id": report_id, "facility_id": facility["id"], "reported_on": reported_on,
                            "staff": staff, "capacity": capacity, "persons_held": held,
                            "floor_area_m2": round(capacity * rng.uniform(2.0, 2.6)) if capacity else None,
                            "notes": "Quá tải so với sức chứa thiết kế." if held and held > capacity else None,
                            "source": "REPORT", "source_agency": str(facility["name"]), "created_at": at,
                            "updated_at": at})
            for position, item in enumerate(_EQUIPMENT.get(kind, ())):
                low, high = _QUANTITY[item]
                quantity = rng.randint(low, high)
                equipment.append({"report_id": report_id, "position": position, "kind": item, "quantity": quantity,
                                  "in_working_order": quantity - rng.randint(0, quantity // 10),
                                  "source": "REPORT", "created_at": at, "updated_at": at})
            staff += rng.randint(-5, 12)
    return reports, equipment
