"""Every supergraph Apollo composition 2.x writes loads (join v0.2-v0.5 under link v1.0, join v0.1 under @core),
with the API schema the Federation spec asks for; features the router cannot honour are refused by name.

Fixtures: ``tests/supergraph_fixtures.py``; Federation 1 (join v0.1) in ``test_supergraph_fed1.py``; the model
checked against Apollo's own extraction in ``test_supergraph_extraction.py``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from graphql import graphql_sync, print_schema

from gateway.supergraph import SupergraphError, load_supergraph_sdl
from tests.supergraph_fixtures import composed, link_of, load

ROOT = Path(__file__).resolve().parents[1]


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
