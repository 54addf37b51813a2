"""The lifecycle of a natural person's sentence: which enforcement event may follow which status, and the status
it leads to (000 Art. 8.1.b, 8.2.e; Criminal Code 2015 "BLHS" Art. 62–68; Law on Amnesty).

One table serves the mutation that records an event (it refuses a transition the table does not allow: no release
of a completed sentence, no recapture of a person who has not escaped...) and the seed, which derives each
sentence's status history from its course of enforcement with :func:`history`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

# Statuses after which nothing more is recorded (the enforcement is over).
ENDED = frozenset({"COMPLETED", "DECEASED", "EXEMPTED", "TRANSFERRED"})
ACTIVE = frozenset({
    "AWAITING_ENFORCEMENT", "POSTPONED", "SUSPENDED", "SERVING_IMPRISONMENT", "SERVING_IN_COMMUNITY",
    "CONDITIONALLY_RELEASED", "AWAITING_EXECUTION", "ESCAPED", "UNDER_ENFORCEMENT",
})
ORDERED = "<ordered>"  # the status an ENFORCEMENT_ORDERED leads to depends on the principal penalty


@dataclass(frozen=True, slots=True)
class Transition:
    """Statuses an event kind may be recorded in, and the status it leads to (None: unchanged)."""

    allowed: frozenset[str]
    leads_to: str | None


def _t(allowed: Iterable[str], leads_to: str | None) -> Transition:
    return Transition(frozenset(allowed), leads_to)


_CUSTODY = ("SERVING_IMPRISONMENT",)
TRANSITIONS: Mapping[str, Transition] = {
    "ENFORCEMENT_ORDERED": _t(("AWAITING_ENFORCEMENT",), ORDERED),
    # Hoãn (BLHS Art. 67): decided before the person is admitted; the order to enforce may already be issued.
    "POSTPONEMENT": _t(("AWAITING_ENFORCEMENT", *_CUSTODY), "POSTPONED"),
    "SUSPENSION": _t(_CUSTODY, "SUSPENDED"),  # tạm đình chỉ (BLHS Art. 68): while serving
    "ENFORCEMENT_RESUMED": _t(("POSTPONED", "SUSPENDED"), "SERVING_IMPRISONMENT"),
    "EXEMPTION": _t(ACTIVE - {"ESCAPED", "AWAITING_EXECUTION"}, "EXEMPTED"),  # BLHS Art. 62
    "REDUCTION": _t(("SERVING_IMPRISONMENT", "SERVING_IN_COMMUNITY", "CONDITIONALLY_RELEASED", "SUSPENDED"), None),
    "COMMUTATION": _t(("AWAITING_EXECUTION",), "SERVING_IMPRISONMENT"),  # BLHS Art. 40.3
    "CONDITIONAL_EARLY_RELEASE": _t(_CUSTODY, "CONDITIONALLY_RELEASED"),  # BLHS Art. 66
    "CONDITIONAL_EARLY_RELEASE_REVOKED": _t(("CONDITIONALLY_RELEASED",), "SERVING_IMPRISONMENT"),  # Art. 66.5
    "AMNESTY": _t(("SERVING_IMPRISONMENT", "SUSPENDED", "POSTPONED", "CONDITIONALLY_RELEASED"), "COMPLETED"),
    "SUSPENDED_SENTENCE_REVOKED": _t(("SERVING_IN_COMMUNITY",), "SERVING_IMPRISONMENT"),  # BLHS Art. 65.5
    "TRANSFER": _t(("AWAITING_ENFORCEMENT", "SERVING_IMPRISONMENT"), "TRANSFERRED"),
    "FACILITY_TRANSFER": _t(("SERVING_IMPRISONMENT", "AWAITING_EXECUTION"), None),
    "JUDICIAL_MEASURE_TERMINATED": _t(ACTIVE, None),
    "ESCAPE": _t(("SERVING_IMPRISONMENT", "AWAITING_EXECUTION", "SERVING_IN_COMMUNITY", "CONDITIONALLY_RELEASED",
                  "POSTPONED", "SUSPENDED"), "ESCAPED"),
    "RECAPTURE": _t(("ESCAPED",), "SERVING_IMPRISONMENT"),
    "DEATH": _t(ACTIVE, "DECEASED"),
    "COMPLETION": _t(("AWAITING_ENFORCEMENT", "SERVING_IMPRISONMENT", "SERVING_IN_COMMUNITY",
                      "CONDITIONALLY_RELEASED", "UNDER_ENFORCEMENT"), "COMPLETED"),
    "REWARD": _t(("SERVING_IMPRISONMENT", "SERVING_IN_COMMUNITY"), None),
    "DISCIPLINE": _t(("SERVING_IMPRISONMENT", "SERVING_IN_COMMUNITY"), None),
}

# Event kinds that need the facility the person is (or will be) held in, and those that may name one.
NEEDS_FACILITY = frozenset({"FACILITY_TRANSFER", "SUSPENDED_SENTENCE_REVOKED"})
MAY_NAME_FACILITY = NEEDS_FACILITY | {"ENFORCEMENT_ORDERED", "ENFORCEMENT_RESUMED", "RECAPTURE",
                                      "CONDITIONAL_EARLY_RELEASE_REVOKED", "COMMUTATION"}
HEALTH_GROUNDS = frozenset({"POSTPONEMENT", "SUSPENSION", "EXEMPTION", "JUDICIAL_MEASURE_TERMINATED"})
RELEASES = frozenset({"COMPLETION", "AMNESTY", "CONDITIONAL_EARLY_RELEASE"})  # 000 Art. 8.2.g after release
CUSTODIAL = frozenset({"FIXED_TERM_IMPRISONMENT", "LIFE_IMPRISONMENT", "DEATH"})


@dataclass(frozen=True, slots=True)
class Principal:
    """What the lifecycle needs of a sentence's principal penalty."""

    kind: str | None
    suspended: bool = False


class TransitionError(ValueError):
    """An event the current status (or the penalty) does not allow; ``argument`` is the input field to blame."""

    def __init__(self, argument: str, message: str) -> None:
        super().__init__(message)
        self.argument = argument


def ordered_status(principal: Principal) -> str:
    """The status a decision to enforce leads to, by the principal penalty (000 Art. 8.2.e)."""
    if principal.kind == "DEATH":
        return "AWAITING_EXECUTION"
    if principal.suspended or principal.kind == "NON_CUSTODIAL_REFORM":
        return "SERVING_IN_COMMUNITY"
    if principal.kind in CUSTODIAL:
        return "SERVING_IMPRISONMENT"
    return "UNDER_ENFORCEMENT"  # a fine, an expulsion: enforced, neither held nor supervised


def next_status(kind: str, current: str, principal: Principal) -> str:
    """The status after an event ``kind`` recorded in status ``current``; raises :class:`TransitionError`."""
    transition = TRANSITIONS.get(kind)
    if transition is None:
        raise TransitionError("kind", f"{kind} is not an event of a natural person's sentence")
    if current in ENDED:
        raise TransitionError("kind", f"the sentence is {current}: its enforcement is over, no {kind} can follow")
    if current not in transition.allowed:
        allowed = ", ".join(sorted(transition.allowed))
        raise TransitionError("kind", f"{kind} cannot be recorded while the sentence is {current} (only: {allowed})")
    if kind == "SUSPENDED_SENTENCE_REVOKED" and not principal.suspended:
        raise TransitionError("kind", "only a suspended sentence (án treo, BLHS Art. 65) can be revoked")
    if kind == "COMPLETION" and current == "AWAITING_ENFORCEMENT" and principal.kind != "WARNING":
        raise TransitionError("kind", "only a warning is completed before its enforcement is ordered")
    if kind in ("POSTPONEMENT", "SUSPENSION", "CONDITIONAL_EARLY_RELEASE") and principal.kind not in (
            "FIXED_TERM_IMPRISONMENT", None):
        raise TransitionError("kind", f"{kind} applies to a fixed-term imprisonment (BLHS Art. 66–68)")
    if transition.leads_to == ORDERED:
        return ordered_status(principal)
    return transition.leads_to or current


@dataclass(frozen=True, slots=True)
class StatusEntry:
    """One entry of a status history: ``status`` since ``since``, caused by the event ``cause`` (None: the
    ruling's entry into force)."""

    status: str
    since: date
    cause: str | None
    decision_number: str | None


def history(effective_on: date, events: Iterable[Mapping[str, Any]], principal: Principal,
            final: str) -> list[StatusEntry]:
    """The status history of a sentence from its events (oldest first): awaiting enforcement from the ruling's
    entry into force, then one entry per event that changes the status. The seed's courses follow these rules
    except in rare draws; a step the table refuses is still taken (the course is the record), and an entry for
    ``final`` closes the history if the events do not reach it."""
    status = "AWAITING_ENFORCEMENT"
    out = [StatusEntry(status, effective_on, None, None)]
    for event in events:
        kind = event["kind"]
        try:
            after = next_status(kind, status, principal)
        except TransitionError:
            transition = TRANSITIONS.get(kind)
            lead = transition.leads_to if transition else None
            after = ordered_status(principal) if lead == ORDERED else (lead or status)
        if after != status:
            out.append(StatusEntry(after, event["event_date"], kind, event.get("decision_number")))
            status = after
    if status != final:
        out.append(StatusEntry(final, out[-1].since, None, None))
    return out
