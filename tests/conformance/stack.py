"""Start the conformance stack: seeded data, the three subgraphs, Apollo Gateway and our gateway.

Everything listens on free loopback ports, uses keys and a SQLite database under one temporary directory, and is
stopped (by process id) when the context manager exits.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
NODE_DIR = ROOT / "tests" / "node"
SUBGRAPHS = ("population", "civil_status", "sentences")
PEOPLE = 300
SEED = 7


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Stack:
    """Running services: ``apollo_url`` always, ``ours_url`` when our gateway started (else ``ours_reason``)."""

    workdir: Path
    env: dict[str, str]
    subgraph_urls: dict[str, str]
    apollo_url: str = ""
    ours_url: str | None = None
    ours_reason: str = ""
    ours_headers: dict[str, str] = field(default_factory=dict)
    logs: dict[str, Path] = field(default_factory=dict)

    def log_tail(self, name: str, lines: int = 40) -> str:
        path = self.logs.get(name)
        if path is None or not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def post(url: str, body: dict[str, Any], headers: dict[str, str] | None = None, timeout: float = 30.0) -> tuple[int, Any]:
    """POST JSON; returns (status, decoded body or raw text)."""
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"content-type": "application/json", **(headers or {})},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    try:
        return status, json.loads(raw)
    except json.JSONDecodeError:
        return status, raw.decode(errors="replace")


def _wait_http(url: str, process: subprocess.Popen[bytes], what: str, log: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers HTTP: up
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    raise RuntimeError(f"{what} did not come up at {url} within {timeout:.0f}s:\n{log.read_text(errors='replace')[-3000:]}")


@contextmanager
def _process(stack: Stack, name: str, argv: list[str], env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    log = stack.workdir / f"{name}.log"
    stack.logs[name] = log
    with open(log, "wb") as out:
        process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def seed(workdir: Path, env: dict[str, str], people: int = PEOPLE, seed_value: int = SEED) -> None:
    """``python -m subgraphs.seed`` into ``env["DATABASE_URL"]``."""
    result = subprocess.run(
        [sys.executable, "-m", "subgraphs.seed", "--people", str(people), "--seed", str(seed_value),
         "--database-url", env["DATABASE_URL"]],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"seeding failed:\n{result.stdout}\n{result.stderr}")


def start_subgraphs(workdir: Path, services: ExitStack, people: int = PEOPLE, seed_value: int = SEED) -> Stack:
    """Keys and a seeded SQLite database under ``workdir``, the three subgraphs on free ports (stopped when
    ``services`` closes). The returned stack's ``env`` is what every process of the stack runs with."""
    from gateway.keys import key_paths, load_or_create_internal_key

    env = {k: v for k, v in os.environ.items() if not k.endswith("_URL") and not k.startswith("GATEWAY_")}
    env.update(LT_DATA_DIR=str(workdir / "data"), DATABASE_URL=f"sqlite+aiosqlite:///{workdir / 'lt.db'}",
               PYTHONUNBUFFERED="1")
    load_or_create_internal_key(*key_paths(env))
    seed(workdir, env, people, seed_value)
    urls = {}
    for name in SUBGRAPHS:
        port = free_port()
        env[f"{name.upper()}_PORT"] = str(port)
        env[f"{name.upper()}_HOST"] = "127.0.0.1"
        urls[name] = f"http://127.0.0.1:{port}/graphql"
    stack = Stack(workdir=workdir, env=env, subgraph_urls=urls)
    for name in SUBGRAPHS:
        process = services.enter_context(_process(stack, name, [sys.executable, "-m", f"subgraphs.{name}"], env))
        _wait_http(urls[name].replace("/graphql", "/healthz"), process, name, stack.logs[name])
    return stack


def start_gateway(stack: Stack, services: ExitStack, name: str, settings: dict[str, str],
                  supergraph: Path = ROOT / "schema.graphql") -> str:
    """``python -m gateway serve`` on a free port over ``stack``'s subgraphs, with ``settings`` (``GATEWAY_*``)
    added to the stack's environment; returns its ``/graphql`` URL once ``/healthz`` answers (RuntimeError with
    the log tail if it does not). Stopped when ``services`` closes."""
    env = dict(stack.env)
    port = free_port()
    env.update(GATEWAY_PORT=str(port), GATEWAY_HOST="127.0.0.1", GATEWAY_SUPERGRAPH=str(supergraph))
    env.update({f"{graph.upper()}_URL": url for graph, url in stack.subgraph_urls.items()})
    env.update(settings)
    process = services.enter_context(_process(stack, name, [sys.executable, "-m", "gateway", "serve"], env))
    _wait_http(f"http://127.0.0.1:{port}/healthz", process, name, stack.logs[name])
    return f"http://127.0.0.1:{port}/graphql"


@contextmanager
def start_stack(workdir: Path, supergraph: Path) -> Iterator[Stack]:
    """Seed, start subgraphs, Apollo Gateway and (if available) our gateway; stop them all on exit."""
    with ExitStack() as services:
        stack = start_subgraphs(workdir, services)
        env, urls = stack.env, stack.subgraph_urls
        apollo_port = free_port()
        overrides = [arg for name in SUBGRAPHS for arg in ("--url", f"{name}={urls[name]}")]
        process = services.enter_context(
            _process(stack, "apollo", ["node", str(NODE_DIR / "apollo-gateway.mjs"), "--supergraph", str(supergraph),
                                       "--port", str(apollo_port), *overrides], env)
        )
        stack.apollo_url = f"http://127.0.0.1:{apollo_port}/graphql"
        _wait_http(f"http://127.0.0.1:{apollo_port}/.well-known/apollo/server-health", process, "apollo gateway",
                   stack.logs["apollo"])
        _start_ours(stack, services, supergraph)
        yield stack


def _start_ours(stack: Stack, services: ExitStack, supergraph: Path) -> None:
    """Our gateway, if its CLI exists yet: ``GATEWAY_ENV=test GATEWAY_POLICY_ENGINE=allow-all ... serve``."""
    if not (ROOT / "gateway" / "__main__.py").exists():
        stack.ours_reason = "gateway/__main__.py does not exist yet (`python -m gateway serve` unavailable)"
        return
    env = dict(stack.env)
    port = free_port()
    env.update(GATEWAY_ENV="test", GATEWAY_POLICY_ENGINE="allow-all", GATEWAY_PORT=str(port),
               GATEWAY_HOST="127.0.0.1", GATEWAY_SUPERGRAPH=str(supergraph),
               GATEWAY_AUDIT_DATABASE_URL=f"sqlite+aiosqlite:///{stack.workdir / 'audit.db'}")
    env.update({f"{name.upper()}_URL": url for name, url in stack.subgraph_urls.items()})
    token = subprocess.run(
        [sys.executable, "-m", "gateway", "token", "--agency", "tandtc", "--sub", "conformance"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )
    if token.returncode != 0 or not token.stdout.strip():
        stack.ours_reason = f"`python -m gateway token` failed: {token.stderr.strip()[-500:]}"
        return
    process = services.enter_context(_process(stack, "ours", [sys.executable, "-m", "gateway", "serve"], env))
    try:
        _wait_http(f"http://127.0.0.1:{port}/healthz", process, "our gateway", stack.logs["ours"])
    except RuntimeError as exc:
        stack.ours_reason = str(exc)
        return
    stack.ours_url = f"http://127.0.0.1:{port}/graphql"
    # The dev JWT of `python -m gateway token`; while the core wires its placeholder test authenticator
    # (gateway.server.trivial: ``Bearer test:<sub>:<agency>``), fall back to that form.
    for bearer in (token.stdout.strip().splitlines()[-1], "test:conformance:tandtc"):
        stack.ours_headers = {
            "authorization": f"Bearer {bearer}",
            "x-purpose": "criminal_proceedings",
            "x-legal-basis": "conformance-test",
        }
        status, _ = post(stack.ours_url, {"query": "{ __typename }"}, stack.ours_headers)
        if status != 401:
            return
