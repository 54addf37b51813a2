"""The course of enforcement of one synthetic sentence (000 Art. 8.2.e): events consistent with the final status.

Each custodial, community or fine sentence walks a timeline from the decision to enforce; scenarios
(postponement, escape, suspension, reductions, conditional release, amnesty, transfer...) are drawn so that every
status occurs, and the offender's death (from the population) ends the course wherever it falls.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from .seed_catalog import AMNESTY_DATES, FACILITY_NAMES, PRISON_IDS, police_of_province

ENDED = {"COMPLETED", "EXEMPTED", "DECEASED", "TRANSFERRED"}
ILLNESS = ("Bị bệnh nặng: suy thận mạn giai đoạn cuối", "Bị bệnh hiểm nghèo: ung thư gan", "Bị lao phổi nặng")


def months(d: date, n: int) -> date:
    return d + timedelta(days=round(n * 30.44))


def between(rng: random.Random, low: date, high: date) -> date:
    return low + timedelta(days=rng.randint(0, max(0, (high - low).days)))


@dataclass
class Course:
    """The state of a sentence while its course is drawn; ``events`` are dicts of ``enforcement_event`` columns."""

    rng: random.Random
    today: date
    court: str
    province_code: str
    female: bool
    events: list[dict[str, object]] = field(default_factory=list)
    status: str = "AWAITING_ENFORCEMENT"
    facility_id: str | None = None
    end: date | None = None  # expected end of the term
    ended_on: date | None = None

    def add(self, kind: str, on: date, authority: str, *, prefix: str = "QĐ-TA", **extra: object) -> None:
        number = f"{self.rng.randint(1, 2500)}/{on.year}/{prefix}" if prefix else None
        self.events.append({"kind": kind, "event_date": on, "decision_number": number, "authority": authority,
                            "note": extra.pop("note", None), "health_ground": extra.pop("health_ground", None),
                            "months_reduced": extra.pop("months_reduced", None),
                            "facility_id": extra.pop("facility_id", None), "successor_name": None})

    def finish(self, status: str, on: date, kind: str | None = None, authority: str = "") -> None:
        self.status, self.ended_on = status, on
        if kind:
            self.add(kind, on, authority or self.court, prefix="" if kind == "COMPLETION" else "QĐ-TA")

    # -- the three kinds of enforcement -------------------------------------------------------------------
    def fine(self, start: date) -> None:
        self.add("ENFORCEMENT_ORDERED", start, self.court, prefix="QĐ-CA")
        paid = start + timedelta(days=self.rng.randint(10, 240))
        if self.rng.random() < 0.05 and paid <= self.today:
            self.finish("EXEMPTED", paid, "EXEMPTION")
            self.events[-1]["note"] = "Miễn chấp hành phần tiền phạt còn lại (BLHS Art. 62.4)."
        elif paid <= self.today:
            self.finish("COMPLETED", paid, "COMPLETION", police_of_province(self.province_code))
        else:
            self.status = "UNDER_ENFORCEMENT"

    def community(self, start: date, term: int, suspended: bool, supervisor: str, custodial_term: int) -> None:
        self.add("ENFORCEMENT_ORDERED", start, self.court, prefix="QĐ-CA", note=f"Giao {supervisor} giám sát, giáo dục.")
        self.end = months(start, term)
        rng = self.rng
        if suspended and rng.random() < 0.08:
            revoked = between(rng, start + timedelta(days=60), min(self.end, self.today))
            if revoked < self.end:
                self.add("SUSPENDED_SENTENCE_REVOKED", revoked, self.court,
                         note="Cố ý vi phạm nghĩa vụ 02 lần trở lên trong thời gian thử thách (BLHS Art. 65.5).")
                self.custodial(revoked + timedelta(days=10), custodial_term, life=False, death=False, order=False)
                return
        if rng.random() < 0.12 and term >= 12 and months(start, term // 2) <= self.today:
            cut = rng.randint(3, max(3, term // 4))
            self.add("REDUCTION", months(start, term // 2), self.court, months_reduced=cut,
                     note="Rút ngắn thời gian thử thách / giảm thời hạn chấp hành (BLHS Art. 63, 66).")
            self.end = months(self.end, -cut)
        if self.end <= self.today:
            self.finish("COMPLETED", self.end, "COMPLETION", supervisor)
        else:
            self.status = "SERVING_IN_COMMUNITY"

    def custodial(self, start: date, term: int, *, life: bool, death: bool, order: bool = True,
                  prison: str | None = None, centre: str | None = None, foreigner: bool = False) -> None:
        rng = self.rng
        prison = prison or rng.choice(PRISON_IDS)
        self.facility_id = centre if death and centre else prison
        if order:
            self.add("ENFORCEMENT_ORDERED", start, self.court, prefix="QĐ-CA", facility_id=self.facility_id)
        if death:
            commuted = start + timedelta(days=rng.randint(300, 1500))
            if rng.random() < 0.35 and commuted <= self.today:
                self.add("COMMUTATION", commuted, "Chủ tịch nước", prefix="QĐ-CTN", note="Ân giảm xuống tù chung thân.")
                self.facility_id = prison
                self.add("FACILITY_TRANSFER", commuted + timedelta(days=20), "Cục Cảnh sát quản lý trại giam",
                         prefix="QĐ-C10", facility_id=prison)
                start, life = commuted, True
            else:
                self.status = "AWAITING_EXECUTION"
                return
        admitted = start
        if not life and rng.random() < 0.05:
            ground = rng.choice(ILLNESS) if not self.female or rng.random() < 0.5 else "Đang có thai"
            postponed = rng.randint(6, 12)
            self.add("POSTPONEMENT", start, self.court, health_ground=ground, note=f"Hoãn {postponed} tháng.")
            admitted = months(start, postponed)
            if admitted > self.today:
                self.status = "POSTPONED"
                return
            # admitted once the postponement ends (no decision number: no draw, the rest of the course unchanged)
            self.add("ENFORCEMENT_RESUMED", admitted, self._prison_name(), prefix="", facility_id=self.facility_id)
        self.end = months(admitted, 360 if life else term)
        horizon = min(self.end, self.today)
        for year in range(admitted.year + 1, horizon.year + 1):
            if rng.random() < 0.3:
                self.add("REWARD", date(year, 1, 15), self._prison_name(), prefix="QĐ-TG", note="Khen thưởng thi đua.")
            elif rng.random() < 0.06:
                self.add("DISCIPLINE", date(year, 5, 10), self._prison_name(), prefix="QĐ-TG", note="Cảnh cáo.")
        r = rng.random()
        if life:
            if r < 0.4 and months(admitted, 144) <= self.today:
                self.add("REDUCTION", months(admitted, 144), self.court, note="Giảm từ tù chung thân xuống 30 năm tù.")
        elif r < 0.04:
            escaped = between(rng, admitted + timedelta(days=30), horizon)
            self.add("ESCAPE", escaped, police_of_province(self.province_code), prefix="QĐ-TN", note="Ra quyết định truy nã.")
            back = escaped + timedelta(days=rng.randint(10, 400))
            if rng.random() < 0.5 or back > self.today:
                self.status = "ESCAPED"
                return
            self.add("RECAPTURE", back, police_of_province(self.province_code), prefix="", note="Bị bắt lại.")
            self.end += back - escaped  # time on the run does not count
        elif r < 0.07:
            on = between(rng, admitted + timedelta(days=60), horizon)
            self.add("SUSPENSION", on, self.court, health_ground=rng.choice(ILLNESS))
            back = months(on, rng.randint(6, 12))
            if back > self.today:
                self.status = "SUSPENDED"
                return
            self.add("ENFORCEMENT_RESUMED", back, self._prison_name(), prefix="", note="Tiếp tục chấp hành án.")
            self.end += back - on
        elif r < 0.08:
            self.finish("EXEMPTED", between(rng, admitted, horizon), "EXEMPTION")
            self.events[-1]["note"] = "Miễn chấp hành phần hình phạt còn lại (BLHS Art. 62)."
            return
        elif r < 0.30 and term >= 12 and months(admitted, term // 3) <= self.today:
            for i in range(rng.randint(1, 2)):
                on, cut = months(admitted, term // 3 + 12 * i), rng.randint(3, max(3, min(12, term // 4)))
                if on > self.today or months(self.end, -cut) <= on:
                    break  # a reduction is granted while serving, and never beyond the term
                self.add("REDUCTION", on, self.court, months_reduced=cut)
                self.end = months(self.end, -cut)
        elif r < 0.40 and term >= 12 and months(admitted, term // 2 + 1) <= self.today:
            released = months(admitted, term // 2 + 1)
            self.add("CONDITIONAL_EARLY_RELEASE", released, self.court, note="Tha tù trước thời hạn có điều kiện (BLHS Art. 66).")
            if rng.random() < 0.1 and released + timedelta(days=90) <= self.today:
                self.add("CONDITIONAL_EARLY_RELEASE_REVOKED", released + timedelta(days=90), self.court,
                         note="Vi phạm nghĩa vụ 02 lần trở lên (BLHS Art. 66.5).")
            elif self.end > self.today:
                self.status = "CONDITIONALLY_RELEASED"
                return
        elif r < 0.46:
            for y, m, d in AMNESTY_DATES:
                on = date(y, m, d)
                if months(admitted, term // 3) <= on < self.end and on <= self.today:
                    self.finish("COMPLETED", on, "AMNESTY", "Chủ tịch nước")
                    return
        elif r < 0.52:
            moved = between(rng, admitted + timedelta(days=30), horizon)
            self.facility_id = rng.choice(PRISON_IDS)
            self.add("FACILITY_TRANSFER", moved, "Cục Cảnh sát quản lý trại giam", prefix="QĐ-C10", facility_id=self.facility_id)
        if foreigner and rng.random() < 0.25:
            on = between(rng, admitted + timedelta(days=90), horizon)
            last = max((e["event_date"] for e in self.events), default=admitted)  # type: ignore[type-var]
            released = self.events[-1]["kind"] == "CONDITIONAL_EARLY_RELEASE" if self.events else False
            # transferred while held, after the last event so far (never from a conditional release)
            if not released and last < horizon:  # type: ignore[operator]
                self.finish("TRANSFERRED", max(on, last + timedelta(days=1)), "TRANSFER", "Tòa án nhân dân tối cao")  # type: ignore[operator]
                return
        if self.end <= self.today:
            self.finish("COMPLETED", self.end, "COMPLETION", self._prison_name())
        else:
            self.status = "SERVING_IMPRISONMENT"

    def _prison_name(self) -> str:
        return FACILITY_NAMES.get(self.facility_id or "", "Cục Cảnh sát quản lý trại giam")

    def tidy(self) -> None:
        """Rewards and discipline are drawn over the whole term before the scenario shortens it: keep only those
        given while the person was actually held (none after release, escape, suspension or death)."""
        if self.status == "SERVING_IMPRISONMENT":
            return
        others = [e["event_date"] for e in self.events if e["kind"] not in ("REWARD", "DISCIPLINE")]
        last = max(others) if others else None
        self.events = [e for e in self.events
                       if e["kind"] not in ("REWARD", "DISCIPLINE") or (last is not None and e["event_date"] < last)]  # type: ignore[operator]

    def die(self, died: date | None) -> None:
        """The offender died on ``died``: the course stops there unless it had already ended."""
        if died is None or died > self.today or (self.ended_on is not None and self.ended_on < died):
            return
        self.events = [e for e in self.events if e["event_date"] <= died]  # type: ignore[operator]
        self.finish("DECEASED", died, "DEATH", police_of_province(self.province_code))
        self.events[-1]["decision_number"] = None
