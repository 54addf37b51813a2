"""Small two-subgraph cases around the composed classification directives (``@personalData``, ``@dataSubject``,
``@protectionFact``), shared by the Python tests (expected output or error) and the Apollo tests (same verdict
from ``@apollo/composition``)."""

from __future__ import annotations

from dataclasses import dataclass

from gateway.compose import SubgraphSource

HEADER = '''extend schema @link(url: "https://specs.apollo.dev/federation/v2.11", import: ["@composeDirective", "@key", "@shareable"]) @link(url: "https://specs.lienthong.gov.vn/classification/v1.0", import: ["@personalData", "@dataSubject", "@protectionFact"]) @composeDirective(name: "@personalData") @composeDirective(name: "@dataSubject") @composeDirective(name: "@protectionFact")

directive @personalData(category: DataCategory!, kind: ValueKind = null) on FIELD_DEFINITION
directive @dataSubject(field: String = null, role: SubjectRole! = SUBJECT, facts: String = null, inherit: Boolean! = false) repeatable on OBJECT | INTERFACE
directive @protectionFact(name: String!) on FIELD_DEFINITION
enum DataCategory { PUBLIC IDENTIFIER BASIC }
enum SubjectRole { SUBJECT PARTY }
enum ValueKind { NAME IDENTIFIER CODE REFERENCE }
'''
BASE = 'type Query { x: X @personalData(category: BASIC, kind: REFERENCE) }\n'


@dataclass(frozen=True)
class Case:
    """``a`` and ``b`` are appended to :data:`HEADER` (``b`` may be ``None``: one subgraph). ``expect`` lists
    lines the supergraph must contain; ``error`` is ``(code, message fragment)`` when composition must fail."""

    id: str
    a: str
    b: str | None = None
    expect: tuple[str, ...] = ()
    error: tuple[str, str] | None = None
    apollo_agrees: bool = True  # False: Apollo lets it through (or crashes); we refuse on purpose
    b_header: str = HEADER

    def sources(self) -> list[SubgraphSource]:
        result = [SubgraphSource("a", "http://a/graphql", HEADER + self.a)]
        if self.b is not None:
            result.append(SubgraphSource("b", "http://b/graphql", self.b_header + self.b))
        return result


X_KEY = 'type X @key(fields: "id")'
ID_FIELD = "id: ID! @personalData(category: IDENTIFIER, kind: IDENTIFIER)"

COMPOSING = [
    Case(
        "repeatable-same-application-written-differently",
        BASE + f'{X_KEY} @dataSubject(inherit: true, field: "id") @dataSubject(role: PARTY) {{ {ID_FIELD} }}',
        f'{X_KEY} @dataSubject(field: "id", role: SUBJECT, facts: null, inherit: true) @dataSubject '
        f"{{ {ID_FIELD} n: Int @personalData(category: BASIC, kind: null) }}",
        expect=(
            '  @dataSubject(inherit: true, field: "id")\n  @dataSubject(role: PARTY)\n  @dataSubject\n{',
            "  n: Int @join__field(graph: B) @personalData(category: BASIC, kind: null)",
        ),
    ),
    Case(
        "entity-with-and-without-the-directive",
        BASE + f'{X_KEY} @dataSubject(field: "id", facts: "f") {{ {ID_FIELD} f: Int @personalData(category: BASIC) }}',
        f"{X_KEY} {{ {ID_FIELD} n: Int @personalData(category: BASIC) }}",
        expect=('  @join__type(graph: B, key: "id")\n  @dataSubject(field: "id", facts: "f")\n{',),
    ),
    Case(
        "interface-application-and-fact",
        'type Query { e: E @personalData(category: BASIC, kind: REFERENCE) }\n'
        'interface E @dataSubject(field: "p") { p: P @personalData(category: BASIC, kind: REFERENCE) '
        'code: String @personalData(category: PUBLIC, kind: CODE) @protectionFact(name: "province") }\n'
        'type B implements E @dataSubject(field: "p") @dataSubject(field: "q", role: PARTY) '
        '{ p: P @personalData(category: BASIC, kind: REFERENCE) '
        'q: P @personalData(category: BASIC, kind: REFERENCE) '
        'code: String @personalData(category: PUBLIC, kind: CODE) @protectionFact(name: "province") }\n'
        'type P { n: String @personalData(category: BASIC, kind: NAME) }',
        expect=(
            'interface E\n  @join__type(graph: A)\n  @dataSubject(field: "p")\n{',
            '  @join__type(graph: A)\n  @dataSubject(field: "p")\n  @dataSubject(field: "q", role: PARTY)\n{',
            '  code: String @personalData(category: PUBLIC, kind: CODE) @protectionFact(name: "province")',
        ),
    ),
    Case(
        "non-repeatable-explicit-null-equals-omitted",
        BASE + f'{X_KEY} {{ {ID_FIELD} s: String @shareable @personalData(category: BASIC) }}',
        f'{X_KEY} {{ {ID_FIELD} s: String @shareable @personalData(category: BASIC, kind: null) }}',
        expect=("  s: String @personalData(category: BASIC)\n",),
    ),
    Case(
        "enum-argument-given-as-string",
        'type Query { x: Int @personalData(category: "BASIC") }',
        expect=("  x: Int @personalData(category: BASIC)\n",),
    ),
]

FAILING = [
    Case(
        "undefined-enum-of-directive-argument",
        "type Query { x: Int @personalData(category: BASIC) }",
        "type Query { y: Int @personalData(category: BASIC) }",
        error=("INVALID_GRAPHQL", "[b] Unknown type ValueKind"),
        b_header=HEADER.replace("enum ValueKind { NAME IDENTIFIER CODE REFERENCE }\n", ""),
    ),
    Case(
        "applied-but-not-defined",
        'type Query { x: Int @personalData(category: BASIC) }',
        'type Y @dataSubject(inherit: true) { y: Int @personalData(category: BASIC) }\n'
        'type Query { y: Y @personalData(category: BASIC) }',
        error=("INVALID_GRAPHQL", '[b] Unknown directive "@dataSubject".'),
        b_header=HEADER.replace(' @composeDirective(name: "@dataSubject")', "")
        .replace('"@dataSubject", ', "")
        .replace(HEADER.splitlines()[3] + "\n", ""),
    ),
    Case(
        "wrong-location",
        'type Query { x: Int @personalData(category: BASIC) @dataSubject }',
        error=("INVALID_GRAPHQL", '[a] Directive "@dataSubject" may not be used on FIELD_DEFINITION.'),
    ),
    Case(
        "non-repeatable-twice",
        'type Query { x: Int @personalData(category: BASIC) @personalData(category: BASIC) }',
        error=("INVALID_GRAPHQL", '[a] The directive "@personalData" can only be used once at this location.'),
    ),
    Case(
        "unknown-argument",
        'type Query { x: Int @personalData(category: BASIC, level: 2) }',
        error=("INVALID_GRAPHQL", '[a] Unknown argument "level" on directive "@personalData".'),
    ),
    Case(
        "missing-required-argument",
        'type Query { x: Int @personalData(kind: CODE) }',
        error=("INVALID_GRAPHQL", '[a] Directive "@personalData" argument "category" of type "DataCategory!" is '
               "required, but it was not provided."),
    ),
    Case(
        "unknown-enum-value",
        'type Query { x: Int @personalData(category: SECRET) }',
        error=("INVALID_GRAPHQL", '[a] Invalid value for "@personalData(category:)" of type "DataCategory!" in '
               'application of "@personalData" to "Query.x".'),
    ),
    Case(
        "wrong-scalar",
        BASE + 'type X @dataSubject(field: 3) { y: Int @personalData(category: BASIC) }',
        error=("INVALID_GRAPHQL", '[a] Invalid value for "@dataSubject(field:)" of type "String" in application of '
               '"@dataSubject" to "X".'),
    ),
    Case(
        "null-for-non-null-argument",
        BASE + 'type X @dataSubject(role: null) { y: Int @personalData(category: BASIC) }',
        error=("INVALID_GRAPHQL", '[a] Invalid value for "@dataSubject(role:)" of type "SubjectRole!"'),
        apollo_agrees=False,  # @apollo/composition 2.14 throws an uncaught exception here
    ),
    Case(
        "null-for-required-argument",
        'type Query { x: Int @personalData(category: null) }',
        error=("INVALID_GRAPHQL", '[a] Invalid value for "@personalData(category:)" of type "DataCategory!"'),
        apollo_agrees=False,  # @apollo/composition 2.14 composes it, printing category: null
    ),
]

