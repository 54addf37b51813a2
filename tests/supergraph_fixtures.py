"""Fixture supergraphs of the supergraph tests: small subgraphs of several federation versions composed here by
``@apollo/composition`` (``tests/node``; the federation version chooses the join spec version of the output:
2.0-2.6 -> v0.3, 2.7 -> v0.4, 2.8+ -> v0.5), Federation 1 subgraphs (``extend type``), and the hand-made
Federation 1 supergraph (join v0.1 under ``@core``) with Fed 1 style subgraphs to serve it. Composition 2.x never
writes join v0.1/v0.2 or ``@core``: those formats (Federation 1's composition, the early Federation 2
previews) are written by hand.
"""

from __future__ import annotations

import json
import subprocess
from functools import cache
from typing import Any

from gateway.supergraph import Supergraph, load_supergraph_sdl
from tests.node.node_env import NODE_DIR, node_modules


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

COMPOSE_ALL = """
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
    done = subprocess.run(["node", "--input-type=module", "-e", COMPOSE_ALL], cwd=NODE_DIR, input=json.dumps(request),
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


def fed1_resolvers() -> dict[str, dict[str, dict[str, Any]]]:
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
