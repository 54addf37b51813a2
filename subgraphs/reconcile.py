"""``python -m subgraphs.reconcile``: records that disagree between the civil status and the population databases.

The civil status database and the national population database must agree on what the exchange carries (003
Art. 11.4: the two sides check and correct the information shared). This command reads both (``CIVIL_STATUS_*`` and
``POPULATION_*`` database settings, subgraphs.common.settings) and reports, per kind:

- ``BIRTH_NOT_LINKED``: a birth registration older than the grace period with no personal identification number;
- ``BIRTH_WITHOUT_PERSON``: a birth registration linked to a number the population database does not hold;
- ``PERSON_WITHOUT_BIRTH``: a person created from a birth registration that is not (or no longer) that person's;
- ``DEATH_NOT_RECORDED``: a death registered in civil status, no (or another) date of death in population;
- ``DEATH_NOT_REGISTERED``: a date of death in population with no death registration;
- ``MARITAL_STATUS_MISMATCH``: the latest marriage or divorce in civil status against population's status/spouse.

Output: a table (default) or JSON (``--json``); exit status 1 when there is any disagreement, 0 when none, 2 on a
configuration error. Read-only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import MetaData, Table, create_engine, select
from sqlalchemy.engine import Engine

from subgraphs.common.db import sync_url
from subgraphs.common.outbox import as_utc, utcnow
from subgraphs.common.settings import ConfigError, SubgraphSettings

KINDS = ("BIRTH_NOT_LINKED", "BIRTH_WITHOUT_PERSON", "PERSON_WITHOUT_BIRTH", "DEATH_NOT_RECORDED",
         "DEATH_NOT_REGISTERED", "MARITAL_STATUS_MISMATCH")


@dataclass(frozen=True, slots=True)
class Disagreement:
    """One record on which the two databases disagree."""

    kind: str
    subject: str  # personalId, or the birth registration id when there is none
    civil_status: str
    population: str


def _table(engine: Engine, name: str) -> Table:
    return Table(name, MetaData(), autoload_with=engine)


def _civil_status(engine: Engine) -> dict[str, list[Mapping[str, Any]]]:
    event = _table(engine, "civil_status_event")
    c = event.c
    with engine.connect() as conn:
        rows = conn.execute(select(c.id, c.kind, c.subject_id, c.registration_date, c.date_of_death, c.husband_id,
                                   c.wife_id, c.decision_kind, c.decision_date, c.other_party_id, c.created_at)
                            .where(c.kind.in_(("BIRTH", "DEATH", "MARRIAGE", "COURT_DECISION_RECORDING")))
                            .order_by(c.id)).mappings().all()
    out: dict[str, list[Mapping[str, Any]]] = {"BIRTH": [], "DEATH": [], "MARRIAGE": [], "DIVORCE": []}
    for row in rows:
        if row["kind"] == "COURT_DECISION_RECORDING":
            if row["decision_kind"] == "DIVORCE":
                out["DIVORCE"].append(row)
        else:
            out[row["kind"]].append(row)
    return out


def _population(engine: Engine) -> dict[str, Mapping[str, Any]]:
    person = _table(engine, "person")
    c = person.c
    with engine.connect() as conn:
        rows = conn.execute(select(c.personal_id, c.date_of_death, c.marital_status, c.spouse_id, c.source,
                                   c.source_reference)).mappings().all()
    return {row["personal_id"]: row for row in rows}


def _couple_state(events: dict[str, list[Mapping[str, Any]]]) -> dict[str, tuple[str, str, str | None]]:
    """personalId → (date, MARRIED|DIVORCED, spouse) of the latest couple event civil status holds."""
    latest: dict[str, tuple[str, str, str | None]] = {}

    def note(person: str | None, date: str, state: str, spouse: str | None) -> None:
        if person and (person not in latest or latest[person][0] <= date):
            latest[person] = (date, state, spouse)

    for row in events["MARRIAGE"]:
        date = row["registration_date"] or ""
        note(row["husband_id"], date, "MARRIED", row["wife_id"])
        note(row["wife_id"], date, "MARRIED", row["husband_id"])
    for row in events["DIVORCE"]:
        date = row["decision_date"] or row["registration_date"] or ""
        note(row["subject_id"], date, "DIVORCED", None)
        note(row["other_party_id"], date, "DIVORCED", None)
    return latest


def reconcile(civil_status: Engine, population: Engine, grace: dt.timedelta) -> list[Disagreement]:
    """Every disagreement between the two databases, in a stable order."""
    events, persons = _civil_status(civil_status), _population(population)
    found: list[Disagreement] = []
    births = {str(row["id"]): row for row in events["BIRTH"]}
    now = utcnow()
    for reg, row in births.items():
        if row["subject_id"] is None:
            if row["created_at"] is None or now - as_utc(row["created_at"]) > grace:
                found.append(Disagreement("BIRTH_NOT_LINKED", f"registration {reg}", "no personalId", "-"))
        elif row["subject_id"] not in persons:
            found.append(Disagreement("BIRTH_WITHOUT_PERSON", row["subject_id"], f"birth registration {reg}",
                                      "no such person"))
    for pid, person in persons.items():
        if person["source"] == "CIVIL_STATUS_DATABASE":
            birth = births.get(person["source_reference"] or "")
            if birth is None or birth["subject_id"] not in (None, pid):
                found.append(Disagreement("PERSON_WITHOUT_BIRTH", pid, "no birth registration of this person",
                                          f"created from registration {person['source_reference']}"))
    deaths = {row["subject_id"]: row["date_of_death"] for row in events["DEATH"] if row["subject_id"]}
    for pid, date in deaths.items():
        person = persons.get(pid)
        if person is not None and person["date_of_death"] != date:
            found.append(Disagreement("DEATH_NOT_RECORDED", pid, f"died {date}",
                                      f"date of death {person['date_of_death'] or 'none'}"))
    for pid, person in persons.items():
        if person["date_of_death"] and pid not in deaths:
            found.append(Disagreement("DEATH_NOT_REGISTERED", pid, "no death registration",
                                      f"died {person['date_of_death']}"))
    for pid, (_date, state, spouse) in _couple_state(events).items():
        person = persons.get(pid)
        if person is None:
            continue
        status, current = person["marital_status"], person["spouse_id"]
        widowed = state == "MARRIED" and spouse is not None and spouse in deaths
        expected_ok = (status == "WIDOWED" and current == spouse) if widowed else \
            (status == state and (state != "MARRIED" or current == spouse))
        if not expected_ok:
            said = "WIDOWED" if widowed else state
            found.append(Disagreement("MARITAL_STATUS_MISMATCH", pid, f"{said}{f' of {spouse}' if spouse else ''}",
                                      f"{status or 'none'}{f' of {current}' if current else ''}"))
    order = {kind: i for i, kind in enumerate(KINDS)}
    return sorted(found, key=lambda d: (order[d.kind], d.subject))


def render_table(found: Iterable[Disagreement], limit: int) -> str:
    """Counts per kind, then up to ``limit`` rows of each kind."""
    rows = list(found)
    lines = [f"{'kind':<24} {'count':>7}"]
    lines += [f"{kind:<24} {sum(d.kind == kind for d in rows):>7}" for kind in KINDS]
    shown = [d for kind in KINDS for d in [r for r in rows if r.kind == kind][:limit]]
    if shown:
        lines += ["", f"{'kind':<24} {'subject':<24} {'civil status':<36} population"]
        lines += [f"{d.kind:<24} {d.subject:<24} {d.civil_status:<36} {d.population}" for d in shown]
    lines.append(f"\n{len(rows)} disagreement(s)" if rows else "\nthe databases agree")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """The CLI; see the module docstring."""
    parser = argparse.ArgumentParser(prog="python -m subgraphs.reconcile", description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="JSON instead of a table")
    parser.add_argument("--limit", type=int, default=20, help="rows shown per kind in the table (default 20)")
    parser.add_argument("--grace-seconds", type=int, default=300,
                        help="a birth registered this recently may still be on its way (default 300)")
    args = parser.parse_args(argv)
    try:
        urls = {name: sync_url(SubgraphSettings.from_env(name).database_url) for name in ("civil_status",
                                                                                           "population")}
    except ConfigError as exc:
        print(f"reconcile: {exc}", file=sys.stderr)
        return 2
    engines = {name: create_engine(url) for name, url in urls.items()}
    try:
        found = reconcile(engines["civil_status"], engines["population"], dt.timedelta(seconds=args.grace_seconds))
    finally:
        for engine in engines.values():
            engine.dispose()
    if args.json:
        counts = {kind: sum(d.kind == kind for d in found) for kind in KINDS}
        print(json.dumps({"disagreements": len(found), "counts": counts, "records": [asdict(d) for d in found]},
                         ensure_ascii=False, indent=2))
    else:
        print(render_table(found, args.limit))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
