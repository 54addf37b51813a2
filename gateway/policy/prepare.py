"""``prepare``: the execution document, and a typed account of what it changed (:class:`Prepared`).

- A field withheld for every type it can come from, or a root call the policy refused, is pruned (never
  fetched): it becomes ``_lt_w<n>: __typename`` (same directives), so the document stays valid, and
  :attr:`Prepared.withheld` says which field and response key that alias stands for.
- Every row of a type that declares data subjects (docs/PROTECTION.md) gets, under reserved aliases, each
  subject's key and, when the decision has a rule over subject facts, the subject's facts object; every
  ``@protectionFact`` field is added too. The planner fetches them like any other field, in the same batched
  fetches as the client's fields. Client aliases starting with ``_lt_`` are refused (collect), so nothing a
  client writes can displace them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    NamedTypeNode,
    NameNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    is_abstract_type,
    print_ast,
)

from .model import SUBJECT_FACTS, ProtectionModel
from .row_scope import types_needing_facts
from .types import RESERVED_PREFIX, FieldDecision
from .walk import concrete_types

TYPE_ALIAS = RESERVED_PREFIX + "type"  # __typename of a row of an abstract type
ROW_FACT_PREFIX = RESERVED_PREFIX + "rf_"  # _lt_rf_<fact name>: a @protectionFact field
WITHHELD_PREFIX = RESERVED_PREFIX + "w"

# Aliases name what they select (field, entity type), so that the rows of two types in one abstract selection
# never give one response key two types (a union of Person and ForeignOffender: personalId is an ID!,
# identificationCode a String!), while what every implementation selects alike is still selected once.


def self_key_alias(key_field: str) -> str:
    """The row's own key (an entity that is its own subject)."""
    return f"{RESERVED_PREFIX}sk_{key_field}"


def facts_alias(entity: str) -> str:
    """A subject's facts object."""
    return f"{RESERVED_PREFIX}sf_{entity}"


def subject_alias(field_name: str, entity: str) -> str:
    """A subject field of the row (qualified by the entity type: the same field name may return another)."""
    return f"{RESERVED_PREFIX}s_{entity}_{field_name}"


@dataclass(frozen=True, slots=True)
class Withheld:
    """A pruned selection: the field it was and the client's response key; ``reason`` when a root call was
    refused for its arguments (otherwise the decision's effect on the coordinate gives the reason)."""

    field_name: str
    response_key: str
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Prepared:
    """``prepare``'s hand-off to planning (``document``) and to ``apply`` (the rest)."""

    document: DocumentNode
    withheld: Mapping[str, Withheld] = field(default_factory=dict)
    facts: bool = False  # subject facts were injected (some row rule reads them)


class Preparer:
    """Builds execution documents from the protection model's declarations."""

    def __init__(self, model: ProtectionModel) -> None:
        self.model = model

    def prepare(self, document: DocumentNode, decision: FieldDecision, schema: GraphQLSchema) -> Prepared:
        """Prune withheld fields and refused root calls, inject subjects and row facts."""
        run = _Run(self.model, schema, decision, types_needing_facts(schema, self.model, decision.result.row_rules))
        definitions: list[Any] = []
        for definition in document.definitions:
            if isinstance(definition, OperationDefinitionNode):
                root = schema.get_root_type(definition.operation)
                if root is None:
                    definitions.append(definition)
                    continue
                selection_set = run.selection_set(definition.selection_set, root, root=True)
                definitions.append(_copy(definition, selection_set=selection_set))
            elif isinstance(definition, FragmentDefinitionNode):
                target = schema.get_type(definition.type_condition.name.value)
                if target is None:
                    definitions.append(definition)
                    continue
                definitions.append(_copy(definition, selection_set=run.selection_set(definition.selection_set,
                                                                                     target)))
            else:
                definitions.append(definition)
        return Prepared(DocumentNode(definitions=tuple(definitions)), dict(run.withheld), bool(run.facts))


@dataclass
class _Run:
    model: ProtectionModel
    schema: GraphQLSchema
    decision: FieldDecision
    facts: frozenset[str]  # the row types whose subjects' facts are selected (row_scope.types_needing_facts)
    withheld: dict[str, Withheld] = field(default_factory=dict)

    def prune(self, selection: FieldNode, name: str, key: str, reason: str | None) -> FieldNode:
        alias = f"{WITHHELD_PREFIX}{len(self.withheld)}"
        self.withheld[alias] = Withheld(name, key, reason)
        return _copy(_field("__typename", alias), directives=selection.directives)

    def selection_set(self, selection_set: SelectionSetNode, parent: GraphQLNamedType, root: bool = False
                      ) -> SelectionSetNode:
        out: list[Any] = []
        fields = getattr(parent, "fields", {})  # unions have none
        calls = self.decision.result.root_fields if root else {}
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                name = selection.name.value
                key = selection.alias.value if selection.alias else name
                definition = fields.get(name) if not name.startswith("__") else None
                refused = calls.get(key)
                if definition is None:
                    out.append(selection)
                elif refused is not None and refused.effect == "withhold":
                    out.append(self.prune(selection, name, key, refused.reason))
                elif self.withheld_everywhere(parent, name):
                    out.append(self.prune(selection, name, key, None))
                elif selection.selection_set is not None:
                    child = self.selection_set(selection.selection_set, get_named_type(definition.type))
                    out.append(_copy(selection, selection_set=child))
                else:
                    out.append(selection)
            elif isinstance(selection, InlineFragmentNode):
                target = (self.schema.get_type(selection.type_condition.name.value)
                          if selection.type_condition else parent)
                if target is None:
                    out.append(selection)
                    continue
                out.append(_copy(selection, selection_set=self.selection_set(selection.selection_set, target)))
            else:
                out.append(selection)
        out.extend(self.injections(parent))
        return SelectionSetNode(selections=tuple(out))

    def withheld_everywhere(self, parent: GraphQLNamedType, name: str) -> bool:
        """True when every concrete type that can answer ``parent.name`` has it withheld by the field rules."""
        coordinates = [f"{t.name}.{name}" for t in concrete_types(self.schema, parent) if name in t.fields]
        if not coordinates:
            return False
        fields = self.decision.result.fields
        return all((e := fields.get(c)) is not None and e.effect == "withhold" for c in coordinates)

    def injections(self, parent: GraphQLNamedType) -> list[Any]:
        if isinstance(parent, GraphQLObjectType):
            return self.row_fields(parent)
        if not is_abstract_type(parent):
            return []
        nodes: list[Any] = [_field("__typename", TYPE_ALIAS)]
        # what every implementation injects alike is selected once on the interface: 14 civil status event
        # types each repeating it doubled the subgraph's work
        concrete = {t.name: self.row_fields(t) for t in concrete_types(self.schema, parent)}
        shared: list[FieldNode] = []
        if isinstance(parent, GraphQLInterfaceType) and concrete:
            first = next(iter(concrete.values()))
            shared = [n for n in first
                      if n.name.value in parent.fields and all(_same(n, others) for others in concrete.values())]
        nodes.extend(shared)
        covered = {n.alias.value for n in shared if n.alias}
        for type_name, injected in concrete.items():
            rest = [n for n in injected if not n.alias or n.alias.value not in covered]
            if rest:
                nodes.append(InlineFragmentNode(type_condition=NamedTypeNode(name=_name(type_name)), directives=(),
                                                selection_set=SelectionSetNode(selections=tuple(rest))))
        return nodes

    def row_fields(self, type_: GraphQLObjectType) -> list[FieldNode]:
        """The reserved selections a row of ``type_`` carries: subject keys (+ facts) and row facts."""
        protection = self.model.of(type_.name)
        if protection is None:
            return []
        nodes: list[FieldNode] = []
        facts = type_.name in self.facts
        if protection.self_key is not None and protection.self_key in type_.fields:
            nodes.append(_field(protection.self_key, self_key_alias(protection.self_key)))
            if facts and protection.self_facts in type_.fields:
                nodes.append(_facts(protection.self_facts, type_.name))
        for subject in protection.subject_fields:
            if subject.field not in type_.fields:
                continue
            inner: list[Any] = [_field(subject.key)]
            if facts:
                inner.append(_facts(subject.facts, subject.entity))
            nodes.append(_field(subject.field, subject_alias(subject.field, subject.entity),
                                SelectionSetNode(selections=tuple(inner))))
        for fact, field_name in sorted(protection.row_facts.items()):
            if field_name in type_.fields:
                nodes.append(_field(field_name, ROW_FACT_PREFIX + fact))
        return nodes


def _facts(field_name: str | None, entity: str) -> FieldNode:
    selections = tuple(_field(name) for name in SUBJECT_FACTS)
    return _field(str(field_name), facts_alias(entity), SelectionSetNode(selections=selections))


def _same(node: FieldNode, others: list[FieldNode]) -> bool:
    text = print_ast(node)
    return any(print_ast(o) == text for o in others)


def _name(value: str) -> NameNode:
    return NameNode(value=value)


def _field(name: str, alias: str | None = None, selection_set: SelectionSetNode | None = None) -> FieldNode:
    return FieldNode(alias=_name(alias) if alias else None, name=_name(name), arguments=(), directives=(),
                     selection_set=selection_set)


def _copy(node: Any, **changes: Any) -> Any:
    """A shallow copy of an AST node with some attributes replaced (the input document is never mutated)."""
    values = {key: getattr(node, key) for key in node.keys if key != "loc"}
    values.update(changes)
    return type(node)(**values)
