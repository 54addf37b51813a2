"""Run the federation cases: one subgraph host, one Node process (Apollo composition + Apollo Gateway for every
case), and our gateway in process per case (its ASGI app on a uvicorn thread).

Each case runs once (cases run a few at a time, see ``Federation.prefetch``): its subgraph state is emptied, every operation goes to Apollo Gateway in order, the state is
emptied again, every operation goes to our gateway in order. Runs are sequential, so the number of requests a
case's subgraphs received during one operation is that gateway's fetch count for it.
"""

from __future__ import annotations

import json
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.node.node_env import NODE_DIR, node_modules

from .case import Case, Op
from .runtime import SubgraphHost, serve

OURS_HEADERS = {"authorization": "Bearer test:alice:court-1"}
NODE_START_TIMEOUT_S = 120.0
REQUEST_TIMEOUT_S = 20.0
PARALLEL_CASES = 4


@dataclass
class Answer:
    """One gateway's answer to one operation and the subgraph requests it made."""

    status: int
    body: Any
    fetches: int

    @property
    def as_json(self) -> dict[str, Any]:
        return self.body if isinstance(self.body, dict) else {"raw": self.body}


@dataclass
class CaseRun:
    """A case's answers from both gateways (``apollo_error`` / ``ours_error``: why a gateway could not run it)."""

    case: Case
    supergraph: Path | None
    apollo: dict[str, Answer] = field(default_factory=dict)
    ours: dict[str, Answer] = field(default_factory=dict)
    apollo_error: str = ""
    ours_error: str = ""


class Federation:
    """The running pieces shared by every test of the suite; ``run(case)`` is computed once per case."""

    def __init__(self, workdir: Path, cases: list[Case]) -> None:
        self.workdir = workdir
        self.cases = {case.name: case for case in cases}
        self.host = SubgraphHost(cases)
        self.stack = ExitStack()
        self.runs: dict[str, CaseRun] = {}
        self.composed: dict[str, dict[str, Any]] = {}
        self.apollo_base = ""
        self.subgraph_base = ""
        self.client = httpx.Client(timeout=REQUEST_TIMEOUT_S)
        self.minter: Any = None  # gateway.keys.InternalTokenMinter, made on first use
        self.lock = threading.Lock()
        self.case_locks: dict[str, threading.Lock] = {}

    def start(self) -> None:
        """Serve the subgraphs, compose every case and start Apollo Gateway for each (one Node process)."""
        self.subgraph_base = self.stack.enter_context(serve(self.host.app()))
        manifest = {"cases": [
            {"name": case.name, "subgraphs": [
                {"name": s.name, "url": self.subgraph_url(case.name, s.name), "sdl": s.sdl} for s in case.subgraphs
            ]} for case in self.cases.values()
        ]}
        manifest_path = self.workdir / "manifest.json"
        manifest_path.write_text(json.dumps(manifest))
        outdir = self.workdir / "supergraphs"
        outdir.mkdir(exist_ok=True)
        node_modules()
        log = open(self.workdir / "node.log", "wb")  # closed with the stack
        self.stack.callback(log.close)
        process = subprocess.Popen(
            ["node", str(NODE_DIR / "federation-gateways.mjs"), str(manifest_path), str(outdir)],
            cwd=NODE_DIR, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
        )
        self.stack.callback(_stop, process)
        ready = _read_line(process, NODE_START_TIMEOUT_S)
        if not ready:
            raise RuntimeError(f"federation-gateways.mjs did not start:\n{(self.workdir / 'node.log').read_text()}")
        announced = json.loads(ready)
        self.composed = announced["cases"]
        self.apollo_base = f"http://127.0.0.1:{announced['port']}"

    def close(self) -> None:
        self.client.close()
        self.stack.close()

    def subgraph_url(self, case: str, subgraph: str) -> str:
        return f"{self.subgraph_base}/{case}/{subgraph}/graphql"

    def supergraph_path(self, case: str) -> Path | None:
        path = self.composed.get(case, {}).get("supergraph")
        return Path(path) if path else None

    def prefetch(self, names: list[str], workers: int = PARALLEL_CASES) -> None:
        """Run the cases ``names`` on a few threads at once: cases share nothing (each has its own subgraphs, logs
        and state, and its operations stay sequential), and most of a run is spent waiting on sockets."""
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(self.run, names))

    def run(self, name: str) -> CaseRun:
        """Both gateways' answers to every operation of case ``name`` (cached)."""
        with self.lock:
            case_lock = self.case_locks.setdefault(name, threading.Lock())
        with case_lock:
            if name not in self.runs:
                self.runs[name] = self._run(self.cases[name])
            return self.runs[name]

    def _run(self, case: Case) -> CaseRun:
        composed = self.composed.get(case.name, {})
        run = CaseRun(case, self.supergraph_path(case.name))
        if not composed.get("ok"):
            run.apollo_error = f"composition/Apollo Gateway failed: {json.dumps(composed.get('errors'))}"
        else:
            self.host.reset_state(case.name)
            url = f"{self.apollo_base}/{case.name}/graphql"
            run.apollo = {op.name: self._send(case.name, url, op, {}) for op in case.operations}
        if run.supergraph is None:
            run.ours_error = run.apollo_error or "no supergraph"
            return run
        try:
            app = self.gateway_app(run.supergraph)
        except Exception as exc:  # a supergraph our gateway cannot load is this case's finding
            run.ours_error = f"our gateway did not load the supergraph: {type(exc).__name__}: {exc}"
            return run
        self.host.reset_state(case.name)
        try:
            with serve(app) as base:
                run.ours = {op.name: self._send(case.name, f"{base}/graphql", op, OURS_HEADERS)
                            for op in case.operations}
        except Exception as exc:  # e.g. the app's startup failing
            run.ours_error = f"our gateway failed: {type(exc).__name__}: {exc}"
        return run

    def gateway_app(self, supergraph_path: Path) -> Any:
        """The ASGI app of our gateway over ``supergraph_path`` (its subgraph URLs are already the host's).

        The gateway is imported here, not at module level, so that a gateway that does not even import is
        reported per case while Apollo's answers (the cases' own validity) are still checked."""
        from gateway.config import GatewaySettings
        from gateway.keys import InternalTokenMinter, load_or_create_internal_key
        from gateway.server import Gateway, create_app
        from gateway.server.trivial import AllowAllPolicy, HeaderAuthenticator, NullAudit
        from gateway.supergraph import load_supergraph

        with self.lock:  # cases run on several threads: one creates the key file, the others must not read it half-written
            if self.minter is None:
                keys = self.workdir / "keys"
                keys.mkdir(exist_ok=True)
                self.minter = InternalTokenMinter(
                    load_or_create_internal_key(keys / "signing.jwk.json", keys / "jwks.json"))
        settings = GatewaySettings(env="test", policy_engine="allow-all", supergraph_path=supergraph_path)
        supergraph = load_supergraph(supergraph_path, settings)
        gateway = Gateway(settings, supergraph, authenticator=HeaderAuthenticator(), policy=AllowAllPolicy(),
                          audit=NullAudit(), minter=self.minter)
        return create_app(gateway)

    def _send(self, case: str, url: str, op: Op, headers: dict[str, str]) -> Answer:
        before = self.host.requests(case)
        try:
            response = self.client.post(url, json={"query": op.query, "variables": op.variables},
                                        headers={"content-type": "application/json", **headers})
            status, text = response.status_code, response.text
        except httpx.HTTPError as exc:
            status, text = 0, f"{type(exc).__name__}: {exc}"
        try:
            body: Any = json.loads(text)
        except json.JSONDecodeError:
            body = text
        return Answer(status, body, self.host.requests(case) - before)


def _read_line(process: subprocess.Popen[bytes], timeout: float) -> str:
    """The first stdout line of ``process`` within ``timeout`` seconds ("" if it exits or times out)."""
    line: list[bytes] = []
    reader = threading.Thread(target=lambda: line.append(process.stdout.readline()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    reader.join(timeout)
    return line[0].decode().strip() if line else ""


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Close stdin (the script exits on it), then terminate, then kill: only the process we started."""
    if process.stdin:
        process.stdin.close()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process.stdout:
        process.stdout.close()
