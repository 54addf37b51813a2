"""Every supergraph Apollo composition 2.x writes loads (join v0.2-v0.5 under link v1.0, join v0.1 under @core),
with the API schema the Federation spec asks for; features the router cannot honour are refused by name.

The supergraphs are composed here, by ``@apollo/composition`` (``tests/node``), from small subgraphs of several
federation versions (the version chooses the join spec version of the output: 2.0-2.6 -> v0.3, 2.7 -> v0.4,
2.8+ -> v0.5) and from Federation 1 subgraphs (``extend type``). Composition 2.x never writes join v0.1/v0.2 or
``@core``: those supergraphs (the format of Federation 1's composition and of the early Federation 2 previews)
are written by hand below, in that format.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from graphql import graphql_sync, print_schema

from gateway.supergraph import Supergraph, SupergraphError, load_supergraph_sdl
from tests.node.node_env import NODE_DIR, node_modules

ROOT = Path(__file__).resolve().parents[1]


def _fed2(version: str, imports: str, body: str) -> str:
    return f'extend schema @link(url: "https://specs.apollo.dev/federation/v{version}", import: [{imports}])\n{body}'


SUBGRAPHS: dict[str, dict[str, str]] = {
    # federation 2.0: keys (compound, several, resolvable: false), shareable, requires, provides, external
    "fed2_0": {
        "products": _fed2("2.0", '"@key", "@shareable"', """
            type Query { products: [Product] @shareable, search: [Result] }
            union Result = Product | Store
            type Product @key(fields: "id") @key(fields: "sku store { id }") {
              id: ID! sku: String! store: Store! name: String @shareable price: Int weight: Int }
            type Store @key(fields: "id") { id: ID! city: String }
            enum Size { S M L }
            input Page { first: Int after: String }"""),
        "shipping": _fed2("2.0", '"@key", "@shareable", "@external", "@requires", "@provides"', """
            type Query { products: [Product] @shareable, cheapest: Product @provides(fields: "name") }
            type Product @key(fields: "id") {
              id: ID! name: String @external price: Int @external weight: Int @external
              cost: Int @requires(fields: "price weight") }
            type Store @key(fields: "id", resolvable: false) { id: ID! }"""),
    },
    # federation 2.3: @interfaceObject (join v0.3)
    "fed2_3": {
        "media": _fed2("2.3", '"@key"', """
            type Query { media: [Media] }
            interface Media @key(fields: "id") { id: ID! title: String }
            type Book implements Media @key(fields: "id") { id: ID! title: String pages: Int }
            type Film implements Media @key(fields: "id") { id: ID! title: String minutes: Int }"""),
        "ratings": _fed2("2.3", '"@key", "@interfaceObject"', """
            type Query { topRated: [Media] }
            type Media @key(fields: "id") @interfaceObject { id: ID! stars: Int }"""),
    },
    # federation 2.7: progressive @override (join v0.4, overrideLabel)
    "fed2_7": {
        "old": _fed2("2.7", '"@key"', """
            type Query { item(id: ID!): Item }
            type Item @key(fields: "id") { id: ID! price: Int stock: Int }"""),
        "new": _fed2("2.7", '"@key", "@override"', """
            type Item @key(fields: "id") { id: ID! price: Int @override(from: "old", label: "percent(25)")
              stock: Int @override(from: "old") }"""),
    },
    # entity extension (`extend type ... @key`) and enum values defined in only some subgraphs
    "extension": {
        "ranks": _fed2("2.3", '"@key", "@shareable"', """
            type Query { ranks: [Rank!]! }
            type Rank @key(fields: "code") { code: ID! title: String! grade: Grade! @shareable }
            enum Grade { LOW HIGH }"""),
        "uniforms": _fed2("2.3", '"@key", "@external", "@shareable"', """
            type Query { top: Rank }
            extend type Rank @key(fields: "code") { code: ID! @external insignia: String! }
            type Badge { grade: Grade }
            enum Grade { LOW HIGH TOP }"""),
    },
    # federation 2.8: @context / @fromContext (join v0.5 contextArguments)
    "fed2_8": {
        "users": _fed2("2.8", '"@key", "@context", "@fromContext"', """
            type Query { user(id: ID!): User }
            type User @key(fields: "id") @context(name: "userContext") { id: ID! locale: String cart: Cart }
            type Cart @key(fields: "id") { id: ID!
              total(locale: String @fromContext(field: "$userContext { locale }")): String }"""),
    },
    # federation 2.9: demand control (@cost, @listSize: the cost spec has no `for:`)
    "fed2_9": {
        "catalog": _fed2("2.9", '"@key", "@cost", "@listSize"', """
            type Query { things(first: Int): [Thing] @listSize(slicingArguments: ["first"]) }
            type Thing @key(fields: "id") { id: ID! heavy: Int @cost(weight: 20) }"""),
    },
    # @inaccessible everywhere the spec allows it, with @tag
    "inaccessible": {
        "a": _fed2("2.0", '"@key", "@inaccessible", "@tag", "@shareable"', """
            type Query { visible: Thing hidden: Secret @inaccessible
              find(term: String, internal: Boolean @inaccessible): [Found] color(c: Color): Color @tag(name: "public") }
            type Thing @key(fields: "id") @tag(name: "t") { id: ID! name: String secretNote: String @inaccessible
              shape: Shape }
            type Secret @inaccessible { code: String }
            union Found = Thing | Secret
            interface Shape { sides: Int }
            interface Hidden @inaccessible { sides: Int }
            type Square implements Shape & Hidden { sides: Int }
            enum Color { RED GREEN @inaccessible BLUE }
            input Filter { a: Int b: Int @inaccessible }
            type Mutation { apply(f: Filter): Int }"""),
    },
    # Federation 1 subgraphs (no @link: `extend type`, @external key fields), upgraded by composition
    "fed1": {
        "products": """
            type Query { topProducts: [Product] }
            type Product @key(fields: "upc") { upc: String! name: String price: Int weight: Int }""",
        "reviews": """
            extend type Product @key(fields: "upc") { upc: String! @external price: Int @external
              weight: Int @external shipping: Int @requires(fields: "price weight") reviews: [Review] }
            type Review { body: String author: User @provides(fields: "name") }
            extend type User @key(fields: "id") { id: ID! @external name: String @external }""",
        "accounts": """
            type User @key(fields: "id") { id: ID! name: String }
            extend type Query { me: User }""",
    },
    # features a router must refuse unless it implements them (for: SECURITY / EXECUTION)
    "authenticated": {
        "a": _fed2("2.5", '"@key", "@authenticated"', 'type Query { me: String @authenticated }'),
    },
    "policy": {
        "a": _fed2("2.6", '"@key", "@policy"', 'type Query { me: String @policy(policies: [["admin"]]) }'),
    },
    "cache_tag": {
        "a": _fed2("2.12", '"@key", "@cacheTag"', """
            type Query { p: P }
            type P @key(fields: "id") @cacheTag(format: "p-{$key.id}") { id: ID! }"""),
    },
}

_COMPOSE_ALL = """
import { composeServices } from "@apollo/composition";
import { parse } from "graphql";
let input = "";
for await (const chunk of process.stdin) input += chunk;
const out = {};
for (const [key, services] of Object.entries(JSON.parse(input))) {
  const result = composeServices(services.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) })));
  out[key] = result.errors ? { errors: result.errors.map((e) => e.message) } : { sdl: result.supergraphSdl };
}
process.stdout.write(JSON.stringify(out));
"""


@cache
def _composed() -> dict[str, str]:
    """Every fixture composed by @apollo/composition, in one Node process (it takes seconds to start)."""
    node_modules()
    request = {key: [{"name": n, "url": f"http://127.0.0.1:1/{n}", "sdl": sdl} for n, sdl in graphs.items()]
               for key, graphs in SUBGRAPHS.items()}
    done = subprocess.run(["node", "--input-type=module", "-e", _COMPOSE_ALL], cwd=NODE_DIR, input=json.dumps(request),
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    failed = {key: r["errors"] for key, r in results.items() if "errors" in r}
    assert not failed, f"composition failed: {failed}"
    return {key: r["sdl"] for key, r in results.items()}


def composed(key: str) -> str:
    return _composed()[key]


def load(key: str) -> Supergraph:
    return load_supergraph_sdl(composed(key))


def link_of(sdl: str, spec: str) -> str:
    return next(line.strip() for line in sdl.splitlines() if f"specs.apollo.dev/{spec}/" in line)


# --- Federation 2 supergraphs, join v0.3 .. v0.5 -------------------------------------------------------------


def test_fed2_0_join_v0_3() -> None:
    sdl = composed("fed2_0")
    assert "join/v0.3" in link_of(sdl, "join")
    sg = load_supergraph_sdl(sdl)
    assert sg.join_version == (0, 3) and not sg.fed1
    product = sg.types["Product"]
    assert product.kind == "OBJECT" and product.graphs == ["products", "shipping"]
    assert [k.fields for k in product.keys["products"]] == ["id", "sku store { id }"]
    assert product.resolvers("name") == ["products"]  # external in shipping (provided on Query.cheapest)
    assert product.resolvers("id") == ["products", "shipping"]
    cost = product.field_in("cost", "shipping")
    assert cost is not None and cost.requires_fields == "price weight" and cost.requires is not None
    cheapest = sg.types["Query"].field_in("cheapest", "shipping")
    assert cheapest is not None and cheapest.provides_fields == "name"
    assert sg.types["Store"].resolvable_keys("shipping") == [] and sg.types["Store"].keys["shipping"]
    assert sorted(sg.possible_types_in("Result", "products")) == ["Product", "Store"]
    assert sg.types["Size"].kind == "ENUM" and sg.types["Page"].kind == "INPUT_OBJECT"
    api = print_schema(sg.api_schema)
    for hidden in ("join__", "link__", "@link", "_entities", "FieldSet"):
        assert hidden not in api


def test_fed2_3_interface_object() -> None:
    sg = load("fed2_3")
    media = sg.types["Media"]
    assert media.kind == "INTERFACE" and media.interface_object_in == {"ratings"}
    assert media.resolvers("stars") == ["ratings"]
    assert sorted(media.members["media"]) == ["Book", "Film"]
    # Book.stars exists only through the interface object: no subgraph resolves it on Book itself
    book = sg.types["Book"]
    assert "stars" in sg.api_schema.get_type("Book").fields  # type: ignore[union-attr]
    assert book.resolvers("stars") == [] and book.fields["stars"].no_direct_resolver
    assert book.resolvers("title") == ["media"]


def test_fed2_7_progressive_override_join_v0_4() -> None:
    sdl = composed("fed2_7")
    assert "join/v0.4" in link_of(sdl, "join")
    sg = load_supergraph_sdl(sdl)
    item = sg.types["Item"]
    price_new, price_old = item.field_in("price", "new"), item.field_in("price", "old")
    assert price_new is not None and price_new.override == "old" and price_new.override_label == "percent(25)"
    assert price_old is not None and price_old.override_label == "percent(25)" and not price_old.used_overridden
    # a plain @override: the old graph's field is dropped (it would be kept as usedOverridden if a key needed it)
    assert item.field_in("stock", "old") is None and item.field_in("stock", "new").override == "old"  # type: ignore[union-attr]
    assert item.resolvers("stock") == ["new"]


def test_fed2_8_context_join_v0_5() -> None:
    sdl = composed("fed2_8")
    assert "join/v0.5" in link_of(sdl, "join") and "context/v0.1" in link_of(sdl, "context")
    sg = load_supergraph_sdl(sdl)
    assert sg.types["User"].contexts == ["users__userContext"]
    assert sg.contexts == {"users__userContext": ["User"]}
    total = sg.types["Cart"].field_in("total", "users")
    assert total is not None and len(total.context_arguments) == 1
    argument = total.context_arguments[0]
    assert (argument.name, argument.type, argument.context) == ("locale", "String", "users__userContext")
    assert "locale" in argument.selection
    # the argument the router fills is not the client's to give
    assert sg.api_schema.get_type("Cart").fields["total"].args == {}  # type: ignore[union-attr]
    assert "context" not in print_schema(sg.api_schema)


def test_extension_keys_and_enum_values_per_graph() -> None:
    sg = load("extension")
    rank = sg.types["Rank"]
    assert rank.extension_in == {"uniforms"} and rank.keys["uniforms"][0].fields == "code"
    assert rank.resolvers("code") == ["ranks", "uniforms"]
    grade = sg.types["Grade"]
    assert grade.kind == "ENUM" and grade.graphs == ["ranks", "uniforms"]
    assert grade.enum_values == {"LOW": ["ranks", "uniforms"], "HIGH": ["ranks", "uniforms"], "TOP": ["uniforms"]}


def test_join_directive_is_recorded() -> None:
    """join v0.4+ ``@join__directive`` (what composition writes for directives it passes through, e.g.
    connectors) on the schema, a type and a field."""
    sdl = composed("fed2_8")
    sdl = sdl.replace("@link(url: \"https://specs.apollo.dev/link/v1.0\")",
                      "@link(url: \"https://specs.apollo.dev/link/v1.0\")\n"
                      "  @join__directive(graphs: [USERS], name: \"source\", args: {name: \"rest\"})", 1)
    sdl = sdl.replace("type User\n", "type User\n  @join__directive(graphs: [USERS], name: \"audit\", "
                                     "args: {level: 2})\n", 1)
    sdl = sdl.replace("  locale: String", "  locale: String @join__directive(graphs: [USERS], name: \"trim\")", 1)
    sg = load_supergraph_sdl(sdl)
    assert [(d.name, d.graphs, d.args) for d in sg.join_directives] == [("source", ("users",), {"name": "rest"})]
    assert [(d.name, d.args) for d in sg.types["User"].join_directives] == [("audit", {"level": 2})]
    assert [d.name for d in sg.types["User"].fields["locale"].join_directives] == ["trim"]
    assert "source" not in print_schema(sg.api_schema)


def test_fed2_9_cost_loads() -> None:
    sg = load("fed2_9")
    assert sg.join_version == (0, 5)
    assert sg.types["Thing"].fields["heavy"].directives["cost"] == [{"weight": 20}]
    assert "listSize" in sg.types["Query"].fields["things"].directives
    assert "@cost" not in print_schema(sg.api_schema) and "@listSize" not in print_schema(sg.api_schema)


# --- @inaccessible and the API schema ---------------------------------------------------------------------


def test_inaccessible_elements_are_absent_from_the_api_schema() -> None:
    sg = load("inaccessible")
    api = sg.api_schema
    query = api.query_type
    assert query is not None and "hidden" not in query.fields and "visible" in query.fields
    assert list(query.fields["find"].args) == ["term"]
    assert api.get_type("Secret") is None and api.get_type("Hidden") is None
    assert [t.name for t in api.get_type("Found").types] == ["Thing"]  # type: ignore[union-attr]
    assert [i.name for i in api.get_type("Square").interfaces] == ["Shape"]  # type: ignore[union-attr]
    assert "secretNote" not in api.get_type("Thing").fields  # type: ignore[union-attr]
    assert list(api.get_type("Color").values) == ["RED", "BLUE"]  # type: ignore[union-attr]
    assert list(api.get_type("Filter").fields) == ["a"]  # type: ignore[union-attr]
    assert sg.inaccessible_enum_values == {"Color": frozenset({"GREEN"})}
    assert sg.inaccessible_types == {"Secret", "Hidden"}
    assert sg.types["Thing"].fields["secretNote"].inaccessible and sg.types["Secret"].inaccessible
    assert sg.types["Thing"].directives["tag"] == [{"name": "t"}]
    # the full schema keeps them: the planner may still need inaccessible fields (keys, requires)
    assert "secretNote" in sg.schema.get_type("Thing").fields  # type: ignore[union-attr]
    sdl = print_schema(api)
    for hidden in ("@inaccessible", "@tag", "inaccessible", "GREEN"):
        assert hidden not in sdl


def test_inaccessible_elements_are_absent_from_introspection() -> None:
    sg = load("inaccessible")
    result = graphql_sync(sg.api_schema, """{
      secret: __type(name: "Secret") { name }
      color: __type(name: "Color") { enumValues(includeDeprecated: true) { name } }
      found: __type(name: "Found") { possibleTypes { name } }
      thing: __type(name: "Thing") { fields { name } }
      query: __type(name: "Query") { fields { name args { name } } }
      schema: __schema { types { name } directives { name } }
    }""")
    assert result.errors is None
    data = result.data or {}
    assert data["secret"] is None
    assert [v["name"] for v in data["color"]["enumValues"]] == ["RED", "BLUE"]
    assert [t["name"] for t in data["found"]["possibleTypes"]] == ["Thing"]
    assert "secretNote" not in {f["name"] for f in data["thing"]["fields"]}
    fields = {f["name"]: [a["name"] for a in f["args"]] for f in data["query"]["fields"]}
    assert "hidden" not in fields and fields["find"] == ["term"]
    types = {t["name"] for t in data["schema"]["types"]}
    assert not {"Secret", "Hidden", "join__Graph", "link__Purpose", "join__FieldSet"} & types
    directives = {d["name"] for d in data["schema"]["directives"]}
    assert {"include", "skip", "deprecated"} <= directives
    assert not {"tag", "inaccessible", "link", "join__field", "join__type"} & directives


# --- Federation 1 ---------------------------------------------------------------------------------------------


def test_fed1_subgraphs_composed_by_composition_2() -> None:
    sg = load("fed1")
    assert sg.join_version == (0, 3)
    product = sg.types["Product"]
    assert product.graphs == ["products", "reviews"]
    assert product.resolvers("upc") == ["products", "reviews"]
    assert product.resolvers("price") == ["products"]
    shipping = product.field_in("shipping", "reviews")
    assert shipping is not None and shipping.requires_fields == "price weight"
    assert sg.types["User"].resolvers("name") == ["accounts"]


FED1_CORE_SUPERGRAPH = '''
schema
  @core(feature: "https://specs.apollo.dev/core/v0.2")
  @core(feature: "https://specs.apollo.dev/join/v0.1", for: EXECUTION)
  @core(feature: "https://specs.apollo.dev/tag/v0.1")
{
  query: Query
}

directive @core(as: String, feature: String!, for: core__Purpose) repeatable on SCHEMA
directive @join__field(graph: join__Graph, provides: join__FieldSet, requires: join__FieldSet) on FIELD_DEFINITION
directive @join__graph(name: String!, url: String!) on ENUM_VALUE
directive @join__owner(graph: join__Graph!) on INTERFACE | OBJECT
directive @join__type(graph: join__Graph!, key: join__FieldSet) repeatable on INTERFACE | OBJECT
directive @tag(name: String!) repeatable on FIELD_DEFINITION | INTERFACE | OBJECT | UNION

type Product
  @join__owner(graph: PRODUCTS)
  @join__type(graph: PRODUCTS, key: "upc")
  @join__type(graph: REVIEWS, key: "upc")
{
  upc: String! @join__field(graph: PRODUCTS)
  name: String @join__field(graph: PRODUCTS) @tag(name: "public")
  price: Int @join__field(graph: PRODUCTS)
  weight: Int @join__field(graph: PRODUCTS)
  dimensions: Dimensions @join__field(graph: PRODUCTS)
  shipping: Int @join__field(graph: REVIEWS, requires: "price weight")
  reviews: [Review] @join__field(graph: REVIEWS)
}

type Dimensions {
  width: Int
  height: Int
}

type Review
  @join__owner(graph: REVIEWS)
  @join__type(graph: REVIEWS, key: "id")
{
  id: ID!
  body: String
  author: User @join__field(graph: REVIEWS, provides: "name")
}

type User
  @join__owner(graph: ACCOUNTS)
  @join__type(graph: ACCOUNTS, key: "id")
  @join__type(graph: REVIEWS, key: "id")
{
  id: ID! @join__field(graph: ACCOUNTS)
  name: String @join__field(graph: ACCOUNTS)
}

type Query {
  me: User @join__field(graph: ACCOUNTS)
  topProducts(first: Int = 5): [Product] @join__field(graph: PRODUCTS)
}

enum core__Purpose {
  EXECUTION
  SECURITY
}

scalar join__FieldSet

enum join__Graph {
  ACCOUNTS @join__graph(name: "accounts", url: "http://accounts:4001/graphql")
  PRODUCTS @join__graph(name: "products", url: "http://products:4003/graphql")
  REVIEWS @join__graph(name: "reviews", url: "http://reviews:4002/graphql")
}
'''


def test_fed1_join_v0_1_under_core_v0_2() -> None:
    sg = load_supergraph_sdl(FED1_CORE_SUPERGRAPH)
    assert sg.fed1 and sg.join_version == (0, 1)
    assert sg.features[0] == ("https://specs.apollo.dev/core/v0.2", None)
    product, review = sg.types["Product"], sg.types["Review"]
    assert product.owner == "products" and review.owner == "reviews"
    # plain fields of an owned type belong to its owner; key fields to every graph declaring the key
    assert review.resolvers("body") == ["reviews"]
    assert sorted(product.resolvers("upc")) == ["products", "reviews"]
    assert product.resolvers("price") == ["products"]
    assert product.field_in("price", "reviews").external  # type: ignore[union-attr]  (required by shipping)
    assert sg.types["User"].field_in("name", "reviews").external  # type: ignore[union-attr]  (provided)
    assert sorted(sg.types["User"].resolvers("id")) == ["accounts", "reviews"]
    # a value type is in the graphs that reach it; the root type in every graph
    assert sg.types["Dimensions"].graphs == ["products"]
    assert sg.types["Query"].graphs == ["accounts", "products", "reviews"]
    assert sg.types["Query"].resolvers("me") == ["accounts"]
    api = print_schema(sg.api_schema)
    assert "core__" not in api and "@core" not in api and "join__" not in api and "@tag" not in api
    assert sg.types["Product"].fields["name"].directives["tag"] == [{"name": "public"}]


def test_fed1_join_v0_1_under_core_v0_1() -> None:
    sdl = (FED1_CORE_SUPERGRAPH.replace("core/v0.2", "core/v0.1").replace(", for: EXECUTION", "")
           .replace("as: String, feature: String!, for: core__Purpose", "feature: String!"))
    sg = load_supergraph_sdl(sdl)
    assert sg.fed1 and sg.types["Review"].resolvers("body") == ["reviews"]
    with pytest.raises(SupergraphError, match=r"core v0\.1 has no `for:`"):
        load_supergraph_sdl(FED1_CORE_SUPERGRAPH.replace("core/v0.2", "core/v0.1"))


FED1_SUBGRAPHS = {
    "accounts": """
        type User @key(fields: "id") { id: ID! name: String }
        extend type Query { me: User }""",
    "products": """
        type Product @key(fields: "upc") { upc: String! name: String price: Int weight: Int dimensions: Dimensions }
        type Dimensions { width: Int height: Int }
        extend type Query { topProducts(first: Int = 5): [Product] }""",
    "reviews": """
        extend type Product @key(fields: "upc") {
          upc: String! @external price: Int @external weight: Int @external
          shipping: Int @requires(fields: "price weight") reviews: [Review] }
        type Review @key(fields: "id") { id: ID! body: String author: User @provides(fields: "name") }
        extend type User @key(fields: "id") { id: ID! @external name: String @external }""",
}
USERS = {"u1": {"id": "u1", "name": "Ada"}, "u2": {"id": "u2", "name": "Binh"}}
PRODUCTS = {"p1": {"upc": "p1", "name": "Lamp", "price": 100, "weight": 2, "dimensions": {"width": 3, "height": 4}},
            "p2": {"upc": "p2", "name": "Desk", "price": 50, "weight": 10, "dimensions": {"width": 9, "height": 7}}}
REVIEWS = {"p1": [{"id": "r1", "body": "bright", "author": USERS["u1"]}],
           "p2": [{"id": "r2", "body": "sturdy", "author": USERS["u2"]}, {"id": "r3", "body": "big", "author": None}]}


def _fed1_resolvers() -> dict[str, dict[str, dict[str, Any]]]:
    def shipping(product: dict[str, Any], info: Any) -> int:
        return product["price"] * product["weight"] // 10  # both come from the representation (@requires)

    return {
        "accounts": {"Query": {"me": lambda *_: USERS["u1"]},
                     "User": {"__resolveReference": lambda ref, info: USERS.get(ref["id"])}},
        "products": {"Query": {"topProducts": lambda _, info, first=5: list(PRODUCTS.values())[:first]},
                     "Product": {"__resolveReference": lambda ref, info: PRODUCTS.get(ref["upc"])}},
        "reviews": {"Product": {"__resolveReference": lambda ref, info: {**ref, "reviews": REVIEWS.get(ref["upc"])},
                                "shipping": shipping}},
    }


def test_fed1_join_v0_1_supergraph_is_served(tmp_path: Path) -> None:
    """Our gateway answers over the hand-made Federation 1 supergraph (owners, value types, keys, requires,
    provides as join v0.1 leaves them implicit), with subgraphs written in Federation 1 style."""
    from tests.conformance.federation.case import Case as FedCase
    from tests.conformance.federation.case import Op as FedOp
    from tests.conformance.federation.case import Subgraph as FedSubgraph
    from tests.conformance.federation.harness import OURS_HEADERS, Federation
    from tests.conformance.federation.runtime import SubgraphHost, serve

    resolvers = _fed1_resolvers()
    case = FedCase("fed1core", ("Fed 1 supergraph",), tuple(
        FedSubgraph(name, sdl, resolvers[name]) for name, sdl in FED1_SUBGRAPHS.items()), (FedOp("q", "{ me { id } }"),))
    host = SubgraphHost([case])
    with serve(host.app()) as base:
        sdl = FED1_CORE_SUPERGRAPH
        for name in FED1_SUBGRAPHS:
            sdl = re.sub(rf'name: "{name}", url: "[^"]*"', f'name: "{name}", url: "{base}/fed1core/{name}/graphql"', sdl)
        path = tmp_path / "supergraph.graphql"
        path.write_text(sdl, encoding="utf-8")
        app = Federation(tmp_path, []).gateway_app(path)
        with serve(app) as gateway:
            import httpx

            def ask(query: str) -> Any:
                reply = httpx.post(f"{gateway}/graphql", json={"query": query}, headers=OURS_HEADERS, timeout=20)
                body = reply.json()
                body.pop("extensions", None)
                return body

            assert ask("{ me { name } topProducts { name dimensions { width } } }") == {"data": {
                "me": {"name": "Ada"},
                "topProducts": [{"name": "Lamp", "dimensions": {"width": 3}}, {"name": "Desk", "dimensions": {"width": 9}}]}}
            assert ask("{ topProducts(first: 2) { upc shipping reviews { body author { name } } } }") == {"data": {
                "topProducts": [
                    {"upc": "p1", "shipping": 20, "reviews": [{"body": "bright", "author": {"name": "Ada"}}]},
                    {"upc": "p2", "shipping": 50, "reviews": [{"body": "sturdy", "author": {"name": "Binh"}},
                                                             {"body": "big", "author": None}]}]}}


def test_join_v0_2() -> None:
    """The join v0.2 format (no unionMember, enumValue, isInterfaceObject): members come from the graphs."""
    sdl = re.sub(r"directive @join__(unionMember|enumValue)\(.*\n", "", composed("fed2_0"))
    sdl = re.sub(r"\s*@join__(unionMember|enumValue)\([^)]*\)", "", sdl)
    sdl = sdl.replace("join/v0.3", "join/v0.2").replace(", isInterfaceObject: Boolean! = false", "")
    assert "unionMember" not in sdl and "enumValue" not in sdl
    sg = load_supergraph_sdl(sdl)
    assert sg.join_version == (0, 2)
    assert sorted(sg.possible_types_in("Result", "products")) == ["Product", "Store"]
    assert sg.types["Product"].resolvers("name") == ["products"]


# --- link v1: renamed imports and prefixes ----------------------------------------------------------------


def test_join_under_another_prefix_and_renamed_imports() -> None:
    sdl = composed("inaccessible")
    renamed = (sdl.replace('join/v0.3", for: EXECUTION', 'join/v0.3", as: "j", for: EXECUTION')
               .replace("join__", "j__")
               .replace("@inaccessible", "@hidden")
               .replace('"https://specs.apollo.dev/inaccessible/v0.2", for: SECURITY',
                        '"https://specs.apollo.dev/inaccessible/v0.2", import: [{name: "@inaccessible", '
                        'as: "@hidden"}], for: SECURITY')
               .replace('"https://specs.apollo.dev/tag/v0.3"', '"https://specs.apollo.dev/tag/v0.3", as: "label"')
               .replace("@tag(", "@label("))
    assert "j__type" in renamed and "@hidden" in renamed
    original, sg = load_supergraph_sdl(sdl), load_supergraph_sdl(renamed)
    assert print_schema(sg.api_schema) == print_schema(original.api_schema)
    assert sg.inaccessible_enum_values == original.inaccessible_enum_values
    assert sg.types["Thing"].keys["a"][0].fields == "id" and sg.types["Thing"].directives["tag"] == [{"name": "t"}]
    assert sg.types["Secret"].inaccessible


def test_link_itself_renamed() -> None:
    sdl = composed("fed2_7").replace('@link(url: "https://specs.apollo.dev/link/v1.0")',
                                     '@ln(url: "https://specs.apollo.dev/link/v1.0", as: "ln")').replace("@link(", "@ln(")
    sdl = sdl.replace("directive @ln(", "directive @ln(as: String, ").replace("link__", "ln__")
    sg = load_supergraph_sdl(sdl)
    assert sg.join_version == (0, 4) and "ln__" not in print_schema(sg.api_schema)


# --- the model against Apollo's own reading of the same supergraph ------------------------------------------

_EXTRACT = """
import { Supergraph } from "@apollo/federation-internals";
let input = "";
for await (const chunk of process.stdin) input += chunk;
const out = {};
for (const [key, sdl] of Object.entries(JSON.parse(input))) {
  const rows = [];
  for (const subgraph of Supergraph.build(sdl, { supportedFeatures: null }).subgraphs().values()) {
    const meta = subgraph.metadata();
    for (const type of subgraph.schema.types()) {
      if ((type.kind !== "ObjectType" && type.kind !== "InterfaceType") || type.name.startsWith("_")) continue;
      for (const field of type.fields()) {
        if (field.name.startsWith("_")) continue;
        const requires = field.appliedDirectivesOf(meta.requiresDirective())[0];
        const provides = field.appliedDirectivesOf(meta.providesDirective())[0];
        rows.push([subgraph.name, type.name, field.name, field.hasAppliedDirective(meta.externalDirective()),
                   requires ? requires.arguments().fields : null, provides ? provides.arguments().fields : null]);
      }
      for (const key of type.appliedDirectivesOf(meta.keyDirective())) {
        rows.push([subgraph.name, type.name, "@key", key.arguments().resolvable !== false, key.arguments().fields, null]);
      }
    }
  }
  out[key] = rows;
}
process.stdout.write(JSON.stringify(out));
"""


Row = tuple[str, str, str, bool, str | None, str | None]


def _ours(sg: Supergraph) -> set[Row]:
    """(graph, type, field, external, requires, provides) for every field each graph has, and (graph, type,
    "@key", resolvable, fields, None) for every key, as our model reads them."""
    rows: set[Row] = set()
    for meta in sg.types.values():
        if meta.kind not in ("OBJECT", "INTERFACE"):
            continue
        rows |= {(g, meta.name, "@key", k.resolvable, k.fields, None) for g, keys in meta.keys.items() for k in keys}
        for fmeta in meta.fields.values():
            if fmeta.name.startswith("_") or fmeta.no_direct_resolver:
                continue
            graphs = fmeta.graphs or {g: None for g in meta.graphs}
            for graph, info in graphs.items():
                external = info is not None and (info.external or (info.used_overridden and not info.override_label))
                rows.add((graph, meta.name, fmeta.name, external, info.requires_fields if info else None,
                          info.provides_fields if info else None))
    return rows


def _agree_with_apollo(sdls: dict[str, str]) -> None:
    done = subprocess.run(["node", "--input-type=module", "-e", _EXTRACT], cwd=NODE_DIR, input=json.dumps(sdls),
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    for key, rows in json.loads(done.stdout).items():
        apollo = {(g, t, f, bool(e), r, p) for g, t, f, e, r, p in rows}
        ours = _ours(load_supergraph_sdl(sdls[key]))
        assert ours == apollo, f"{key}: only ours {sorted(ours - apollo)}; only Apollo {sorted(apollo - ours)}"


def test_model_agrees_with_apollo_extraction() -> None:
    """For every fixture supergraph, which subgraph has which field, external or not, with which @requires and
    @provides, and which keys: our model says what Apollo's own extraction of subgraphs from the supergraph
    says (join v0.1 included)."""
    sdls = {key: composed(key) for key in SUBGRAPHS if key not in ("authenticated", "policy", "cache_tag")}
    sdls["fed1_core"] = FED1_CORE_SUPERGRAPH
    _agree_with_apollo(sdls)


def test_model_agrees_with_apollo_extraction_on_the_conformance_cases() -> None:
    """The same on every supergraph of the federation conformance suite (composed here from its cases)."""
    from tests.conformance.federation.case import load_cases

    node_modules()
    request = {case.name: [{"name": s.name, "url": f"http://127.0.0.1:1/{s.name}", "sdl": s.sdl}
                           for s in case.subgraphs] for case in load_cases()}
    done = subprocess.run(["node", "--input-type=module", "-e", _COMPOSE_ALL], cwd=NODE_DIR, input=json.dumps(request),
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    sdls = {key: r["sdl"] for key, r in json.loads(done.stdout).items() if "sdl" in r}  # broken cases: their test
    assert sdls
    _agree_with_apollo(sdls)


# --- refusals ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "feature"), [
    ("authenticated", "https://specs.apollo.dev/authenticated/v0.1 for: SECURITY"),
    ("policy", "https://specs.apollo.dev/policy/v0.1 for: SECURITY"),
    ("cache_tag", "https://specs.apollo.dev/cacheTag/v0.1 for: EXECUTION"),
])
def test_unimplemented_security_and_execution_features_are_refused(key: str, feature: str) -> None:
    with pytest.raises(SupergraphError) as exc:
        load(key)
    assert feature in str(exc.value) and "refuse" in str(exc.value)


def test_refusals_name_the_feature() -> None:
    base = composed("fed2_0")
    unknown = base.replace('@link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)',
                           '@link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)\n'
                           '  @link(url: "https://example.gov.vn/magic/v1.0", for: EXECUTION)')
    with pytest.raises(SupergraphError, match=r"example\.gov\.vn/magic/v1\.0 for: EXECUTION"):
        load_supergraph_sdl(unknown)
    # a feature linked without a purpose may be ignored
    harmless = unknown.replace('magic/v1.0", for: EXECUTION', 'magic/v1.0"')
    assert load_supergraph_sdl(harmless).join_version == (0, 3)
    with pytest.raises(SupergraphError, match=r"join/v0\.9 for: EXECUTION: version v0\.9"):
        load_supergraph_sdl(base.replace("join/v0.3", "join/v0.9"))
    with pytest.raises(SupergraphError, match=r"link/v2\.0"):
        load_supergraph_sdl(base.replace("link/v1.0", "link/v2.0"))
    no_join = base.replace('@link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)', "")
    with pytest.raises(SupergraphError, match="links no join spec"):
        load_supergraph_sdl(no_join)


@pytest.mark.parametrize(("broken", "message"), [
    (("@join__type(graph: PRODUCTS, key: \"id\")", "@join__type(key: \"id\")"), "graph None"),
    (("@join__field(graph: SHIPPING, requires:", "@join__field(graph: NOWHERE, requires:"), "NOWHERE"),
    (('SHIPPING @join__graph(name: "shipping", url: "http://127.0.0.1:1/shipping")', "SHIPPING"),
     "SHIPPING has no @join__graph"),
    (('requires: "price weight"', 'requires: "price {"'), "Product.cost @requires"),
    (("type Query", "type Query @join__type"), "Query: @join__type"),
])
def test_broken_supergraphs_are_errors_not_tracebacks(broken: tuple[str, str], message: str) -> None:
    sdl = composed("fed2_0")
    assert broken[0] in sdl
    with pytest.raises(SupergraphError, match=message.replace("(", r"\(")):
        load_supergraph_sdl(sdl.replace(broken[0], broken[1], 1))


def test_serve_prints_the_refusal_and_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "supergraph.graphql"
    path.write_text(composed("authenticated"), encoding="utf-8")
    env = {**os.environ, "GATEWAY_SUPERGRAPH": str(path), "GATEWAY_ENV": "test", "LT_DATA_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "gateway", "serve", "--port", "1"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2, done.stderr
    assert "authenticated/v0.1" in done.stderr and "Traceback" not in done.stderr


def test_repository_supergraph() -> None:
    sg = load_supergraph_sdl((ROOT / "schema.graphql").read_text(encoding="utf-8"))
    assert sg.join_version == (0, 5) and {"population", "civil_status", "sentences"} <= set(sg.graphs)
    assert sg.categories.get("Person.personalId") == "IDENTIFIER"


@pytest.mark.parametrize("key", ["fed2_0", "fed2_3", "fed2_8", "inaccessible", "fed1"])
def test_damaged_supergraphs_are_refused_with_a_specific_message(key: str) -> None:
    """Join and link arguments dropped or replaced by nonsense: the supergraph loads or is refused by a
    SupergraphError naming what is wrong (never another exception, never the generic fallback message)."""
    import random

    pattern = re.compile(r"(graph|key|name|url|member|interface|requires|provides|for): (\"[^\"]*\"|[A-Z_]+)")
    sdl = composed(key)
    rng = random.Random(key)
    for _ in range(40):
        text = sdl
        for _ in range(rng.randint(1, 4)):
            match = rng.choice(list(pattern.finditer(text)))
            replacement = rng.choice(["", f'{match[1]}: "zz {{"', f"{match[1]}: NOPE", f"{match[1]}: 3"])
            text = text[:match.start()] + replacement + text[match.end():]
        try:
            load_supergraph_sdl(text)
        except SupergraphError as exc:
            assert not str(exc).startswith("cannot load the supergraph:"), exc
