"""Federation 1 supergraphs load and are served: subgraphs in Fed 1 style composed by composition 2.x (join
v0.3), and the hand-made join v0.1 supergraph under ``@core`` v0.2 / v0.1 (owners, value types, key fields,
requires and provides left implicit by that format)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from graphql import print_schema

from gateway.supergraph import SupergraphError, load_supergraph_sdl
from tests.supergraph_fixtures import FED1_CORE_SUPERGRAPH, FED1_SUBGRAPHS, fed1_resolvers, load


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


def test_fed1_join_v0_1_supergraph_is_served(tmp_path: Path) -> None:
    """Our gateway answers over the hand-made Federation 1 supergraph (owners, value types, keys, requires,
    provides as join v0.1 leaves them implicit), with subgraphs written in Federation 1 style."""
    from tests.conformance.federation.case import Case as FedCase
    from tests.conformance.federation.case import Op as FedOp
    from tests.conformance.federation.case import Subgraph as FedSubgraph
    from tests.conformance.federation.harness import OURS_HEADERS, Federation
    from tests.conformance.federation.runtime import SubgraphHost, serve

    resolvers = fed1_resolvers()
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
