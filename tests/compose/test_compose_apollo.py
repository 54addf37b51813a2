"""Our composition against Apollo's on the three real subgraphs, and Apollo Gateway loading schema.graphql."""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import pytest

from gateway.compose import SubgraphSource, compose
from gateway.compose.cli import register
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


def test_apollo_and_we_agree_on_the_rich_fixture() -> None:
    fixtures = Path(__file__).parent / "fixtures" / "rich"
    apollo = apollo_compose(fixtures)
    assert apollo["ok"], apollo.get("errors")
    assert (fixtures / "supergraph.graphql").read_text() == apollo["supergraphSdl"]


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
