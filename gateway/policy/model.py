"""The protection model: what the subgraph schemas declare about every type and field (docs/PROTECTION.md).

Read once from the supergraph SDL: each field's category and value kind (``@personalData``), each type's data
subjects (``@dataSubject``) and row facts (``@protectionFact``). The policy stages read these, never field names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from graphql import (
    DirectiveNode,
    DocumentNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    TypeNode,
    parse,
    value_from_ast_untyped,
)

#: Category of a field without ``@personalData``: the most restricted one.
UNCLASSIFIED = "UNCLASSIFIED"
#: Kind of a field whose ``@personalData`` gives none: masks treat it as the most restricted kind.
UNKNOWN_KIND = "unknown"
#: The fields of a protection facts object (the contract of docs/PROTECTION.md §2).
SUBJECT_FACTS: tuple[str, ...] = ("birthDate", "deceased", "missing", "restricted", "residenceProvinceCode")

_TYPE_DEFS = (ObjectTypeDefinitionNode, ObjectTypeExtensionNode, InterfaceTypeDefinitionNode,
              InterfaceTypeExtensionNode)


class ProtectionModelError(ValueError):
    """The declarations are inconsistent (a subject field that is no entity, an entity without facts...)."""


@dataclass(frozen=True, slots=True)
class FieldClass:
    """A field's declared category and value kind (lower case, as policy reads it)."""

    category: str
    kind: str


@dataclass(frozen=True, slots=True)
class SubjectField:
    """A field of a row type whose entity (or entities, for a list) is a data subject of the row."""

    field: str
    role: str
    entity: str  # the entity type the field returns
    key: str  # that entity's key field
    facts: str  # that entity's facts field


@dataclass(frozen=True, slots=True)
class TypeProtection:
    """What one object type declares: subjects (its own key, entity fields, or its parent's) and row facts."""

    name: str
    self_key: str | None = None  # the row is about itself: its key field
    self_facts: str | None = None  # ... and the field holding its facts
    subject_fields: tuple[SubjectField, ...] = ()
    inherit: bool = False
    row_facts: Mapping[str, str] = field(default_factory=dict)  # fact name -> field name

    @property
    def has_subjects(self) -> bool:
        return self.self_key is not None or bool(self.subject_fields) or self.inherit

    @property
    def declares_own_subjects(self) -> bool:
        return self.self_key is not None or bool(self.subject_fields)


@dataclass(frozen=True, slots=True)
class ProtectionModel:
    """Declarations by coordinate and by type name."""

    fields: Mapping[str, FieldClass]
    types: Mapping[str, TypeProtection]
    personal_types: frozenset[str] = frozenset()  # types with a field that is not PUBLIC
    categories: Mapping[str, str] = field(default_factory=dict)  # coordinate -> category, for collect

    def category(self, coordinate: str) -> str:
        found = self.fields.get(coordinate)
        return found.category if found is not None else UNCLASSIFIED

    def kind(self, coordinate: str) -> str:
        found = self.fields.get(coordinate)
        return found.kind if found is not None else UNKNOWN_KIND

    def of(self, type_name: str) -> TypeProtection | None:
        return self.types.get(type_name)

    def holds_personal(self, type_name: str) -> bool:
        """Whether a type has a field that is not PUBLIC (then it must declare its subjects)."""
        return type_name in self.personal_types

    @classmethod
    def from_sdl(cls, sdl: str) -> ProtectionModel:
        """Read the declarations from (supergraph or subgraph) SDL."""
        return cls.from_document(parse(sdl, no_location=True))

    @classmethod
    def from_document(cls, document: DocumentNode) -> ProtectionModel:
        fields: dict[str, FieldClass] = {}
        raw_subjects: dict[str, list[dict[str, object]]] = {}
        row_facts: dict[str, dict[str, str]] = {}
        field_types: dict[str, dict[str, str]] = {}
        for definition in document.definitions:
            if not isinstance(definition, _TYPE_DEFS):
                continue
            type_name = definition.name.value
            for directive in definition.directives or ():
                if _name(directive) == "dataSubject":
                    raw_subjects.setdefault(type_name, []).append(_args(directive))
            for fnode in definition.fields or ():
                coordinate = f"{type_name}.{fnode.name.value}"
                field_types.setdefault(type_name, {})[fnode.name.value] = _named(fnode.type)
                if not type_name.startswith(("join__", "link__", "_")) and not fnode.name.value.startswith("_"):
                    fields.setdefault(coordinate, FieldClass(UNCLASSIFIED, UNKNOWN_KIND))
                for directive in fnode.directives or ():
                    args = _args(directive)
                    if _name(directive) == "personalData" and args.get("category"):
                        kind = args.get("kind")
                        # replaces the UNCLASSIFIED placeholder
                        fields[coordinate] = FieldClass(str(args["category"]),
                                                        str(kind).lower() if kind else UNKNOWN_KIND)
                    elif _name(directive) == "protectionFact" and args.get("name"):
                        row_facts.setdefault(type_name, {})[str(args["name"])] = fnode.name.value
        types = _types(raw_subjects, row_facts, field_types)
        personal = frozenset(c.split(".", 1)[0] for c, f in fields.items() if f.category != "PUBLIC")
        return cls(fields, types, personal, {c: f.category for c, f in fields.items()})


def _types(raw_subjects: dict[str, list[dict[str, object]]], row_facts: dict[str, dict[str, str]],
           field_types: dict[str, dict[str, str]]) -> dict[str, TypeProtection]:
    entities: dict[str, tuple[str, str]] = {}  # entity type -> (key, facts field)
    for type_name, decls in raw_subjects.items():
        for decl in decls:
            if decl.get("facts"):
                key = str(decl.get("field") or "")
                if key not in field_types.get(type_name, {}):
                    raise ProtectionModelError(f"{type_name}: @dataSubject(field: {key!r}) is not a field of it")
                facts = str(decl["facts"])
                if facts not in field_types.get(type_name, {}):
                    raise ProtectionModelError(f"{type_name}: @dataSubject(facts: {facts!r}) is not a field of it")
                entities[type_name] = (key, facts)
    out: dict[str, TypeProtection] = {}
    for type_name in set(raw_subjects) | set(row_facts):
        self_key = self_facts = None
        subject_fields: list[SubjectField] = []
        inherit = False
        seen: set[str] = set()
        for decl in raw_subjects.get(type_name, ()):
            if decl.get("inherit") is True:
                inherit = True
                continue
            name = str(decl.get("field") or "")
            if not name:
                raise ProtectionModelError(f"{type_name}: @dataSubject needs `field` or `inherit: true`")
            if decl.get("facts"):
                self_key, self_facts = entities[type_name]
                continue
            if name in seen:
                continue  # the same declaration composed from several subgraphs
            seen.add(name)
            target = field_types.get(type_name, {}).get(name)
            if target is None:
                raise ProtectionModelError(f"{type_name}: @dataSubject(field: {name!r}) is not a field of it")
            if target not in entities:
                raise ProtectionModelError(
                    f"{type_name}.{name}: a subject field must return an entity that declares its facts "
                    f"(@dataSubject(field:, facts:)); {target} does not"
                )
            key, facts = entities[target]
            subject_fields.append(SubjectField(name, str(decl.get("role") or "SUBJECT"), target, key, facts))
        out[type_name] = TypeProtection(type_name, self_key, self_facts, tuple(subject_fields), inherit,
                                        dict(row_facts.get(type_name, {})))
    return out


def _name(directive: DirectiveNode) -> str:
    return directive.name.value.split("__")[-1]


def _args(directive: DirectiveNode) -> dict[str, object]:
    return {a.name.value: value_from_ast_untyped(a.value) for a in directive.arguments or ()}


def _named(type_node: TypeNode) -> str:
    while hasattr(type_node, "type"):
        type_node = type_node.type  # type: ignore[attr-defined]
    return type_node.name.value  # type: ignore[attr-defined]
