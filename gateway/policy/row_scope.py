"""Which row rules concern which row types, and which row types need their data subjects' facts fetched.

A row rule is evaluated on a row only if a hit can change it (a filter drops any row; a withhold rule withholds
only its listed coordinates of the row's own type) and the row can have the facts it reads. The facts objects a
rule reads (``SUBJECT_FACTS``) cost an entity fetch from the subjects' subgraph, so ``prepare`` selects them only
on the rows whose rules read them, and on the rows whose subjects are inherited by such rows
(``@dataSubject(inherit: true)``): an event's parties' facts are not fetched when no rule that reads facts can
change an event.
"""

from __future__ import annotations

from collections.abc import Iterable

from graphql import GraphQLObjectType, GraphQLSchema, get_named_type

from .model import ProtectionModel, TypeProtection
from .types import SUBJECT_ATTRIBUTES, RowRule
from .walk import concrete_types


def concerns(rule: RowRule, type_name: str, protection: TypeProtection | None, personal: bool) -> bool:
    """A rule concerns the rows of ``type_name`` it can change (``RowRule.changes``) and whose facts it reads: a
    rule over subject facts only every row type that holds personal data (one without declared subjects has
    unknown ones); a rule over row facts (with subject facts or not: "registered in the province or residing
    there", 003 Art. 8.4) the types that declare one of them."""
    if not rule.changes(type_name):
        return False
    row_facts = rule.attributes().difference(SUBJECT_ATTRIBUTES)
    if rule.reads_subject_facts and not row_facts:
        return personal
    return protection is not None and bool(row_facts & protection.row_facts.keys())


def types_needing_facts(schema: GraphQLSchema, model: ProtectionModel, rules: Iterable[RowRule]) -> frozenset[str]:
    """The object types whose rows must carry their subjects' facts: those a facts-reading rule concerns, and,
    to a fixed point, those with a field leading to rows that inherit their subjects and need them."""
    reading = [rule for rule in rules if rule.reads_facts_object]
    if not reading:
        return frozenset()
    objects = [t for name, t in schema.type_map.items()
               if isinstance(t, GraphQLObjectType) and not name.startswith("__")]
    needs = {t.name for t in objects
             if any(concerns(rule, t.name, model.of(t.name), model.holds_personal(t.name)) for rule in reading)}
    heirs: dict[str, set[str]] = {}  # type -> the inheriting object types its fields lead to
    for t in objects:
        for definition in t.fields.values():
            for child in concrete_types(schema, get_named_type(definition.type)):
                protection = model.of(child.name)
                if protection is not None and protection.inherit:
                    heirs.setdefault(t.name, set()).add(child.name)
    changed = True
    while changed:
        changed = False
        for name, children in heirs.items():
            if name not in needs and children & needs:
                needs.add(name)
                changed = True
    return frozenset(needs)
