"""Issue 11 (e): trusted documents (safelisting) per agency, Apollo's persisted-query shape, the CLI."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gateway.__main__ import main
from gateway.config import GatewaySettings
from gateway.server import create_app
from gateway.server.trivial import NullAudit
from gateway.trusted import TrustedDocumentStore
from gateway.trusted.store import document_sha256
from tests.fixtures.harness import AUTH, Cluster, start_cluster

CARD = '{ person(id: "1") { name } }'
OTHER_COURT = {**AUTH, "authorization": "Bearer test:bob:court-2"}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    logging.getLogger("strawberry.execution").setLevel(logging.CRITICAL)
    c = start_cluster(tmp_path_factory.mktemp("keys"))
    yield c
    c.close()


async def _client(cluster: Cluster, audit=None, **overrides):
    cluster.reset()
    gateway = cluster.gateway(audit=audit, **overrides)
    await gateway.start()
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(gateway)), base_url="http://gw")
    return gateway, client


def pq(sha: str) -> dict:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha}}


def code(reply: httpx.Response) -> str:
    return reply.json()["errors"][0]["extensions"]["code"]


def test_store_register_list_remove(tmp_path: Path):
    store = TrustedDocumentStore(tmp_path / "docs.json")
    entry = store.register(CARD, ["court-1"], "Card")
    assert entry.sha256 == document_sha256(CARD) and entry.trusted_for("court-1") and not entry.trusted_for(None)
    store.register(CARD, ["court-3"])
    again = TrustedDocumentStore(tmp_path / "docs.json").get(entry.sha256)
    assert again is not None and again.agencies == {"court-1", "court-3"} and again.name == "Card"
    assert store.remove(entry.sha256, ["court-3"]) and store.get(entry.sha256).agencies == {"court-1"}
    assert store.remove(entry.sha256) and store.documents() == [] and not store.remove(entry.sha256)
    star = store.register("{ slowPing }", ["*"])
    assert star.trusted_for(None) and star.trusted_for("anyone")
    (tmp_path / "bad.json").write_text(json.dumps({"documents": {"0" * 64: {"body": CARD}}}))
    with pytest.raises(ValueError, match="does not hash"):
        TrustedDocumentStore(tmp_path / "bad.json")


async def test_required_trusted_documents_per_agency(cluster: Cluster, tmp_path: Path):
    store_path = tmp_path / "docs.json"
    TrustedDocumentStore(store_path).register(CARD, ["court-1"], "Card")
    audit = NullAudit()
    gateway, client = await _client(cluster, audit, trusted_documents="require", trusted_documents_file=store_path)
    try:
        sha = document_sha256(CARD)
        r = await client.post("/graphql", json={"query": CARD}, headers=AUTH)
        assert r.status_code == 200 and r.json()["data"] == {"person": {"name": "Person 1"}}
        r = await client.post("/graphql", json={"extensions": pq(sha)}, headers=AUTH)  # hash only
        assert r.status_code == 200 and r.json()["data"] == {"person": {"name": "Person 1"}}
        r = await client.get("/graphql", params={"extensions": json.dumps(pq(sha))}, headers=AUTH)
        assert r.status_code == 200 and r.json()["data"] == {"person": {"name": "Person 1"}}
        # another agency, an unregistered document, an unknown hash: refused before parsing, nothing fetched
        cluster.reset()
        for body, headers in (({"query": CARD}, OTHER_COURT), ({"extensions": pq(sha)}, OTHER_COURT),
                              ({"query": '{ person(id: "2") { name } }'}, AUTH),
                              ({"extensions": pq("ab" * 32)}, AUTH)):
            r = await client.post("/graphql", json=body, headers=headers)
            assert (r.status_code, code(r)) == (400, "PERSISTED_QUERY_NOT_FOUND"), r.json()
        assert sum(len(s.queries) for s in cluster.states.values()) == 0
        assert audit.records[-1].error_codes == ["PERSISTED_QUERY_NOT_FOUND"]
        # registered after start: picked up without a restart (the file is re-read when it changes)
        TrustedDocumentStore(store_path).register(CARD, ["court-2"])
        gateway.trusted.store._checked = float("-inf")  # skip the one-second re-check interval
        r = await client.post("/graphql", json={"query": CARD}, headers=OTHER_COURT)
        assert r.status_code == 200
        r = await client.post("/graphql", json={"query": CARD, "extensions": pq("ab" * 32)}, headers=AUTH)
        assert (r.status_code, code(r)) == (400, "BAD_USER_INPUT")  # hash does not match the text
    finally:
        await client.aclose()
        await gateway.close()


async def test_development_runs_any_operation_and_speaks_apq(cluster: Cluster, tmp_path: Path):
    gateway, client = await _client(cluster, trusted_documents_file=tmp_path / "none.json")
    try:
        query = '{ person(id: "3") { name } }'
        sha = document_sha256(query)
        assert (await client.post("/graphql", json={"query": query}, headers=AUTH)).status_code == 200
        r = await client.post("/graphql", json={"extensions": pq(sha)}, headers=AUTH)
        assert (r.status_code, code(r)) == (400, "PERSISTED_QUERY_NOT_FOUND")
        r = await client.post("/graphql", json={"query": query, "extensions": pq(sha)}, headers=AUTH)
        assert r.status_code == 200
        r = await client.post("/graphql", json={"extensions": pq(sha)}, headers=AUTH)
        assert r.status_code == 200 and r.json()["data"] == {"person": {"name": "Person 3"}}
        r = await client.post("/graphql", json={"extensions": {"persistedQuery": {"version": 2}}}, headers=AUTH)
        assert (r.status_code, code(r)) == (400, "BAD_USER_INPUT")
    finally:
        await client.aclose()
        await gateway.close()


def test_defaults():
    assert GatewaySettings.from_env({}).trusted_documents == "off"
    assert GatewaySettings.from_env({"GATEWAY_ENV": "Production"}).trusted_documents == "require"
    assert GatewaySettings.from_env({"GATEWAY_ENV": "production", "GATEWAY_TRUSTED_DOCUMENTS": "OFF"}
                                    ).trusted_documents == "off"
    settings = GatewaySettings.from_env({"LT_DATA_DIR": "/srv/lt"})
    assert settings.trusted_documents_file == Path("/srv/lt/trusted-documents.json")


def test_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("LT_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("GATEWAY_TRUSTED_DOCUMENTS_FILE", raising=False)
    monkeypatch.delenv("GATEWAY_ENV", raising=False)
    card = tmp_path / "card.graphql"
    card.write_text(CARD)
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"format": "apollo-persisted-query-manifest", "version": 1, "operations": [
        {"id": document_sha256("{ slowPing }"), "name": "Ping", "type": "query", "body": "{ slowPing }"}]}))
    assert main(["documents", "register", str(card), "--agency", "tand-ha-noi", "--agency", "vksnd-ha-noi"]) == 0
    assert main(["documents", "register", str(manifest), "--all-agencies"]) == 0
    capsys.readouterr()
    assert main(["documents", "list", "--agency", "tand-ha-noi"]) == 0
    listing = capsys.readouterr().out
    assert f"{document_sha256(CARD)}  card  tand-ha-noi,vksnd-ha-noi" in listing and "Ping  *" in listing
    assert main(["documents", "register", str(card), "--agency", "nowhere"]) == 2
    (tmp_path / "broken.graphql").write_text("{ person(")
    assert main(["documents", "register", str(tmp_path / "broken.graphql"), "--agency", "tand-ha-noi"]) == 1
    assert main(["documents", "remove", document_sha256(CARD), "--agency", "tand-ha-noi"]) == 0
    assert main(["documents", "list", "--agency", "tand-ha-noi"]) == 0
    assert "card" not in capsys.readouterr().out.split("removed")[-1]
    assert main(["documents", "remove", "0" * 64]) == 1
    assert (tmp_path / "trusted-documents.json").exists()
