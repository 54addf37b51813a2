"""Data types shared by the policy stages: caller, decision, refusal, applied result."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..auth.caller import Caller
from ..auth.purpose import DeclaredPurpose
from .model import SUBJECT_FACTS

#: Category given to a coordinate that carries no ``@personalData`` category: the most restricted one.
UNCLASSIFIED = "UNCLASSIFIED"
#: Prefix of the reserved aliases the gateway injects (row attributes, pruned fields).
RESERVED_PREFIX = "_lt_"
#: The attribute a row rule reads for a subject's key (its personalId): a fact about the subject, beside
#: SUBJECT_FACTS, that ``apply`` supplies from the injected key (policies/subjects.rego: a data subject's own rows,
#: the person a consent covers).
SUBJECT_KEY = "subject"
#: Every attribute a row rule may read about a data subject (the others are row facts).
SUBJECT_ATTRIBUTES = (*SUBJECT_FACTS, SUBJECT_KEY)
#: ``RowRule.subjects``: the rule hits when the predicate holds for any subject of the row (the default), or for
#: every one of them (``all``: "every subject of this row is someone other than the caller"). A walker that does
#: not know ``all`` and reads it as ``any`` withholds more, never less.
QUANTIFIERS = ("any", "all")

__all__ = ["Caller", "DeclaredPurpose"]  # the one caller and declared-purpose types (gateway.auth), re-exported


class PolicyError(Exception):
    """Base class of the errors the pipeline maps to a response."""

    code = "POLICY_UNAVAILABLE"
    http_status = 503


class PolicyUnavailable(PolicyError):
    """The engine failed, timed out or answered nonsense: fail closed (503, no data)."""


class PolicyRefusal(PolicyError):
    """The policy refused the whole request (PURPOSE_REQUIRED / PURPOSE_NOT_PERMITTED / REQUEST_REFUSED, 403)."""

    http_status = 403

    def __init__(self, code: str, reasons: list[str], policy_version: str = "") -> None:
        super().__init__(f"{code}: {'; '.join(reasons)}")
        self.code = code
        self.reasons = list(reasons)
        self.policy_version = policy_version


class BadUserInput(Exception):
    """A client error found by the policy stages (e.g. a reserved ``_lt_`` alias): ``BAD_USER_INPUT``."""

    code = "BAD_USER_INPUT"
    http_status = 400


@dataclass(frozen=True, slots=True)
class FieldEffect:
    """What happens to one coordinate: ``allow``, ``mask`` (with ``mask``) or ``withhold``."""

    effect: str
    mask: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class RowRule:
    """A residual condition over row attributes the gateway evaluates on the fetched data."""

    id: str
    when: Mapping[str, Any]
    effect: str  # "withhold" (the listed coordinates of the row) or "filter" (the row itself)
    coordinates: frozenset[str]
    reason: str
    summary: bool = False  # report the rule once per response, never per row (small-cell suppression)
    subjects: str = "any"  # QUANTIFIERS: the rule hits when the predicate holds for any / all of the row's subjects
    # a filter that leaves no trace (no error, no extensions.policy entry): the row looks exactly as one that does
    # not exist, so the answer does not tell the caller that it exists (a data subject asking for another's key)
    silent: bool = False
    # the row types the rule is about (``"row_types"`` in the decision); empty: every row type its facts concern
    row_types: frozenset[str] = frozenset()
    # the fact names the predicate reads, derived once here: rows ask for them on every rule (a malformed
    # predicate fails when the decision is parsed, i.e. POLICY_UNAVAILABLE, never mid-response)
    _attributes: frozenset[str] = field(init=False, repr=False, compare=False)
    reads_subject_facts: bool = field(init=False, repr=False, compare=False)
    # the predicate reads a subject's facts object (not only its key): then ``prepare`` fetches the facts
    reads_facts_object: bool = field(init=False, repr=False, compare=False)
    # the type names of ``coordinates``: a withhold rule changes nothing on a row of any other type
    types: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        attributes = frozenset(_attrs(self.when))
        object.__setattr__(self, "_attributes", attributes)
        if self.subjects not in QUANTIFIERS:
            raise ValueError(f"row rule {self.id}: subjects must be one of {QUANTIFIERS}, not {self.subjects!r}")
        object.__setattr__(self, "reads_subject_facts",
                           bool(attributes & frozenset(SUBJECT_ATTRIBUTES)))
        object.__setattr__(self, "reads_facts_object", bool(attributes & frozenset(SUBJECT_FACTS)))
        object.__setattr__(self, "types", frozenset(c.split(".", 1)[0] for c in self.coordinates))

    def changes(self, type_name: str) -> bool:
        """Whether a hit can change a row of ``type_name``: a filter drops any row, a withhold rule only
        withholds its listed coordinates of the row's own (concrete) type (``apply.row_verdict``); a rule that
        names its ``row_types`` changes rows of those types only."""
        if self.row_types and type_name not in self.row_types:
            return False
        return self.effect == "filter" or type_name in self.types

    def attributes(self) -> frozenset[str]:
        """Fact names the predicate reads."""
        return self._attributes


def _attrs(pred: Mapping[str, Any]) -> list[str]:
    if "any" in pred:
        return [a for p in pred["any"] for a in _attrs(p)]
    if "all" in pred:
        return [a for p in pred["all"] for a in _attrs(p)]
    if "not" in pred:
        return _attrs(pred["not"])
    return [pred["attr"]]


@dataclass(frozen=True, slots=True)
class PolicyResult:
    """The cached, caller-independent-of-request part of a decision (what the engine returned)."""

    policy_version: str
    fields: Mapping[str, FieldEffect]
    row_rules: tuple[RowRule, ...]
    root_fields: Mapping[str, FieldEffect] = field(default_factory=dict)  # by response key: refused root calls

    # what ``prepare`` reads of the result, as text: the key under which its output may be cached (computed once
    # per result, which the decision cache keeps, not once per request)
    prepare_signature: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        fields = json.dumps({c: e.effect for c, e in sorted(self.fields.items())})
        calls = json.dumps({k: [e.effect, e.reason] for k, e in sorted(self.root_fields.items())})
        rules = json.dumps(sorted([r.id, r.effect, sorted(r.coordinates), r.reads_facts_object, sorted(r.row_types)]
                                  for r in self.row_rules))
        object.__setattr__(self, "prepare_signature", f"{self.policy_version}|{fields}|{calls}|{rules}")


@dataclass(frozen=True, slots=True)
class FieldDecision:
    """One request's decision: the cached result plus per-request identity."""

    decision_id: str
    purpose: str | None
    subject: Mapping[str, Any]
    result: PolicyResult
    cached: bool = False
    grant: Any = None  # the gateway.grants.GrantUse of X-Legal-Basis (audited: grant id, disclosure date)

    @property
    def policy_version(self) -> str:
        return self.result.policy_version

    def effect(self, coordinate: str) -> FieldEffect:
        """The effect on ``coordinate``; one the policy did not decide is withheld (deny by default)."""
        found = self.result.fields.get(coordinate)
        if found is None:
            return FieldEffect("withhold", "withhold", "no decision for this field: denied by default")
        return found


@dataclass(slots=True)
class Applied:
    """The response after row rules and masks: what the pipeline sends and audits."""

    data: dict[str, Any] | None
    errors: list[dict[str, Any]]
    masked: list[dict[str, Any]]
    subjects: set[str] = field(default_factory=set)
    extensions: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RootCall:
    """A root field the operation calls, with the arguments the policy reads (``data/rules.json``
    ``policy_arguments``), by the client's response key."""

    key: str
    coordinate: str
    arguments: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Collected:
    """``collect``'s hand-off to ``decide``: every coordinate the operation can reach with its declared category
    and value kind, and its root calls."""

    coordinates: Mapping[str, str]  # coordinate -> category
    kinds: Mapping[str, str]  # coordinate -> value kind
    calls: tuple[RootCall, ...] = ()
