"""Our gateway as an outside user runs it: ``python -m gateway serve`` on a supergraph Apollo composed.

The in-process runs of ``test_federation.py`` build the gateway the way the harness does; this one goes through
the CLI, the environment (``GATEWAY_SUPERGRAPH``, ``GATEWAY_PORT``, ...) and a real socket, on one case, and
compares its answers with Apollo Gateway's by the same rule.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conformance.federation.compare import compare_bodies
from tests.conformance.federation.harness import OURS_HEADERS, Federation
from tests.conformance.federation.runtime import free_port

pytestmark = pytest.mark.node
ROOT = Path(__file__).resolve().parents[3]
CASE = "simple_entity_call"


def _post(url: str, body: dict[str, object], headers: dict[str, str]) -> tuple[int, object]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"content-type": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


def _wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"gateway exited with {process.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise AssertionError(f"gateway not healthy at {url}:\n{log.read_text(errors='replace')[-3000:]}")


def test_cli_serves_an_apollo_composed_supergraph(federation: Federation, tmp_path: Path) -> None:
    run = federation.run(CASE)
    assert run.supergraph is not None, run.apollo_error
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_") and not k.endswith("_URL")}
    env.update(GATEWAY_ENV="test", GATEWAY_POLICY_ENGINE="allow-all", GATEWAY_SUPERGRAPH=str(run.supergraph),
               GATEWAY_HOST="127.0.0.1", GATEWAY_PORT=str(port), LT_DATA_DIR=str(tmp_path / "data"),
               GATEWAY_AUDIT_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'audit.db'}")
    log = tmp_path / "gateway.log"
    with open(log, "wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "gateway", "serve"], cwd=ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
    try:
        _wait_healthy(f"http://127.0.0.1:{port}/healthz", process, log)
        differences = {}
        for op in run.case.operations:
            status, body = _post(f"http://127.0.0.1:{port}/graphql", {"query": op.query, "variables": op.variables},
                                 OURS_HEADERS)
            reference = op.expected if op.expected is not None else run.apollo[op.name].as_json
            reasons = [f"HTTP {status}"] if status != 200 else []
            reasons += compare_bodies(body if isinstance(body, dict) else {"raw": body}, reference)
            if reasons:
                differences[op.name] = reasons
        assert not differences, differences
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
