"""Our composition against Apollo's on the three real subgraphs, and Apollo Gateway loading schema.graphql."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import pytest

from gateway.compose import SubgraphSource, compose
from gateway.compose.cli import register
from tests.compose.directive_cases import COMPOSING, FAILING, Case
from tests.compose.equivalence import differences
from tests.compose.live_sdl import SUBGRAPH_NAMES, write_live_sdl
from tests.node.node_env import apollo_compose, run_node

pytestmark = pytest.mark.node
ROOT = Path(__file__).resolve().parents[2]
URLS = {
    "population": "http://127.0.0.1:4001/graphql",
    "civil_status": "http://127.0.0.1:4002/graphql",
    "sentences": "http://127.0.0.1:4003/graphql",
    "gateway": "http://127.0.0.1:4000/graphql",
}


@pytest.fixture(scope="module")
def live_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_live_sdl(tmp_path_factory.mktemp("sdl"))


@pytest.fixture(scope="module")
def apollo(live_dir: Path) -> dict:
    return apollo_compose(live_dir)


@pytest.fixture(scope="module")
def ours(live_dir: Path) -> str:
    sources = [SubgraphSource(n, URLS[n], (live_dir / f"{n}.graphql").read_text()) for n in SUBGRAPH_NAMES]
    return compose(sources).supergraph_sdl


def test_apollo_composes_the_real_subgraphs_without_errors(apollo: dict) -> None:
    assert apollo["ok"], apollo.get("errors")
    assert not [h for h in apollo["hints"] if h["level"] not in ("WARN", "INFO", "DEBUG")]


def test_our_supergraph_is_equivalent_to_apollos(apollo: dict, ours: str) -> None:
    """Same API schema and the same join metadata on every type, field, enum value and union member."""
    assert differences(ours, apollo["supergraphSdl"]) == []


def test_our_supergraph_is_byte_identical_to_apollos(apollo: dict, ours: str) -> None:
    assert ours == apollo["supergraphSdl"]


@pytest.mark.parametrize("name", ["rich", "protection"])
def test_apollo_and_we_agree_on_the_fixtures(name: str) -> None:
    """The checked-in ``supergraph.graphql`` of each fixture is what Apollo composes now (and ours, in
    tests/compose/test_compose.py)."""
    fixtures = Path(__file__).parent / "fixtures" / name
    apollo = apollo_compose(fixtures)
    assert apollo["ok"], apollo.get("errors")
    assert (fixtures / "supergraph.graphql").read_text() == apollo["supergraphSdl"]


def apollo_compose_sources(sources: list[SubgraphSource], tmp_path: Path) -> dict:
    args = []
    for source in sources:
        path = tmp_path / f"{source.name}.graphql"
        path.write_text(source.sdl)
        args.append(f"{source.name}={source.url}={path}")
    result = run_node("compose.mjs", *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("case", COMPOSING, ids=lambda c: c.id)
def test_apollo_composes_the_directive_cases_as_we_do(case: Case, tmp_path: Path) -> None:
    apollo = apollo_compose_sources(case.sources(), tmp_path)
    assert apollo["ok"], apollo.get("errors")
    assert compose(case.sources()).supergraph_sdl == apollo["supergraphSdl"]


@pytest.mark.parametrize("case", [c for c in FAILING if c.apollo_agrees], ids=lambda c: c.id)
def test_apollo_refuses_the_invalid_directive_cases_as_we_do(case: Case, tmp_path: Path) -> None:
    apollo = apollo_compose_sources(case.sources(), tmp_path)
    assert not apollo["ok"]
    assert case.error is not None
    code, fragment = case.error
    assert any(e["code"] == code and fragment in e["message"] for e in apollo["errors"]), apollo["errors"]


def test_apollo_and_we_agree_on_the_core_fixture_subgraphs(tmp_path: Path) -> None:
    """The gateway core's fixture subgraphs composed live by Apollo (tests/fixtures/supergraph.graphql is the
    checked-in copy, which its owner regenerates)."""
    from tests.fixtures.compose_fixtures import URLS as FIXTURE_URLS
    from tests.fixtures.serve import subgraph_sdl
    from tests.fixtures.subgraphs import SCHEMAS

    sources = [SubgraphSource(n, FIXTURE_URLS[n], subgraph_sdl(n)) for n in SCHEMAS]
    apollo = apollo_compose_sources(sources, tmp_path)
    assert apollo["ok"], apollo.get("errors")
    assert compose(sources).supergraph_sdl == apollo["supergraphSdl"]


def test_apollo_gateway_loads_committed_schema() -> None:
    result = run_node("apollo-gateway.mjs", "--supergraph", str(ROOT / "schema.graphql"), "--check")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_committed_schema_is_up_to_date(live_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``python -m gateway compose --check`` against the live subgraph SDL (written to files)."""
    for name in SUBGRAPH_NAMES:
        monkeypatch.delenv(f"{name.upper()}_ROUTING_URL", raising=False)
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["compose", "--check", "--from-files", str(live_dir), "--output", str(ROOT / "schema.graphql")])
    out, err = io.StringIO(), io.StringIO()
    assert args.handler(args, out=out, err=err) == 0, out.getvalue() + err.getvalue()
