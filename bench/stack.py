"""Start and stop the bench stack: three counting subgraphs, our gateway, Apollo Gateway.

Every server gets its own process (and process group), its log under the run directory, and ports away from the
developer defaults (see :attr:`bench.options.BenchOptions.ports`). A target that cannot start (its code has not
landed yet, Node packages missing...) is recorded as unavailable with the reason, and the harness measures the
others instead of failing the whole run.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from gateway.keys import key_paths

from .dataset import SUBGRAPHS, Dataset, recreate_postgres
from .options import REPO_ROOT, BenchOptions
from .proc import Service
from .profile import profiled_argv

NODE = shutil.which("node") or "/usr/bin/node"
APOLLO_RUNNER = REPO_ROOT / "tests" / "node" / "apollo-gateway.mjs"  # owned by composition; reused as is
PSEUDONYM_KEY = "bench-pseudonym-key-not-a-secret-0123456789"


def subgraph_url(port: int) -> str:
    return f"http://127.0.0.1:{port}/graphql"


def rewrite_graph_urls(supergraph_sdl: str, urls: dict[str, str]) -> str:
    """Point ``join__Graph`` enum values (``@join__graph(name: "population", url: "...")``) at ``urls``."""
    def replace(match: re.Match[str]) -> str:
        name = match.group(2)
        key = name.replace("-", "_")
        return f'{match.group(1)}{urls.get(key, match.group(3))}"' if key in urls else match.group(0)

    return re.sub(r'(@join__graph\(\s*name:\s*"([^"]+)"\s*,\s*url:\s*")([^"]*)"', replace, supergraph_sdl)


@dataclass
class Stack(AbstractContextManager["Stack"]):
    """The processes of one harness run; a context manager that stops them all on exit."""

    options: BenchOptions
    dataset: Dataset
    run_dir: Path
    base_env: dict[str, str]
    services: dict[str, Service] = field(default_factory=dict)
    unavailable: dict[str, str] = field(default_factory=dict)  # target -> why it was not started
    supergraph: Path | None = None

    # -- environment -------------------------------------------------------------------------------------------
    def env(self) -> dict[str, str]:
        return {**self.base_env, **self.dataset.env()}

    def subgraph_urls(self) -> dict[str, str]:
        return {name: subgraph_url(self.options.ports[name]) for name in SUBGRAPHS}

    def _add(self, service: Service, timeout_s: float = 90.0) -> Service:
        self.services[service.name] = service
        service.start()
        service.wait_ready(timeout_s)
        return service

    # -- subgraphs ---------------------------------------------------------------------------------------------
    def start_subgraphs(self) -> None:
        """The three subgraphs, each behind :mod:`bench.subgraph_host`'s request/statement counter."""
        for name in SUBGRAPHS:
            port = self.options.ports[name]
            env = {**self.env(), f"{name.upper()}_HOST": "127.0.0.1", f"{name.upper()}_PORT": str(port)}
            service = Service(
                name=name,
                argv=[sys.executable, "-m", "bench.subgraph_host", name],
                env=env,
                log=self.run_dir / "logs" / f"{name}.log",
                health_url=f"http://127.0.0.1:{port}/healthz",
                cwd=REPO_ROOT,
            )
            service.start()
            self.services[name] = service
        for name in SUBGRAPHS:
            self.services[name].wait_ready(90.0)

    def counter_urls(self) -> dict[str, str]:
        return {n: f"http://127.0.0.1:{self.options.ports[n]}/_bench/counters" for n in SUBGRAPHS}

    def subgraph_pids(self) -> dict[str, int]:
        return {n: self.services[n].pid for n in SUBGRAPHS if n in self.services}

    # -- supergraph --------------------------------------------------------------------------------------------
    def compose(self) -> Path | None:
        """``python -m gateway compose`` against the running bench subgraphs -> ``<run>/schema.graphql``."""
        out = self.run_dir / "schema.graphql"
        env = {**self.env()}
        for name, url in self.subgraph_urls().items():
            env[f"{name.upper()}_URL"] = env[f"{name.upper()}_ROUTING_URL"] = url
        # `python -m gateway compose` once the gateway CLI exists; the compose package's own entry until then
        module = "gateway" if (REPO_ROOT / "gateway" / "__main__.py").exists() else "gateway.compose"
        argv = [sys.executable, "-m", module, "compose", "--output", str(out)]
        proc = subprocess.run(argv, env=env, cwd=REPO_ROOT, capture_output=True, text=True, check=False)
        (self.run_dir / "logs").mkdir(parents=True, exist_ok=True)
        (self.run_dir / "logs" / "compose.log").write_text(proc.stdout + proc.stderr)
        if proc.returncode != 0 or not out.exists():
            reason = f"`python -m gateway compose` failed ({proc.returncode}): {proc.stderr.strip()[-400:]}"
            self.unavailable.setdefault("ours", reason)
            self.unavailable.setdefault("apollo", reason)
            return None
        out.write_text(rewrite_graph_urls(out.read_text(), self.subgraph_urls()))
        self.supergraph = out
        return out

    # -- our gateway -------------------------------------------------------------------------------------------
    def profile_stem(self) -> Path:
        """Output path (sans suffix) of this run's profile, under ``bench/out/profiles/``."""
        return self.options.out_dir / "profiles" / f"{self.run_dir.name}-{self.options.profile}"

    def ours_env(self, extra_env: Mapping[str, str] | None = None) -> dict[str, str] | None:
        """The environment our gateway runs with (production settings, the bench's keys, store and subgraphs), or
        None when it cannot run (the reason in ``unavailable``); also what :mod:`bench.inprocess` builds its app
        from."""
        if self.supergraph is None:
            return None
        port = self.options.ports["ours"]
        trusted = self.register_trusted_documents()
        # production never creates the audit signing key itself: provision it like an operator would
        subprocess.run([sys.executable, "-m", "gateway", "audit", "keygen", "--if-absent"], check=True,
                       cwd=REPO_ROOT, capture_output=True, env={**self.env(), "GATEWAY_ENV": "production"})
        try:
            store = self.store_database()
        except Exception as exc:  # psycopg.OperationalError: no PostgreSQL to hold the store
            self.unavailable["ours"] = f"no PostgreSQL for the gateway store: {type(exc).__name__}: {exc}"
            return None
        return {
            **self.env(),
            # production settings; its caller keys are the bench's development key pair, named explicitly
            "GATEWAY_ENV": "production",
            # production keeps the gateway store (grants registry) on PostgreSQL only
            "GATEWAY_STORE_DATABASE_URL": store,
            # production requires registered operations: the query mix is registered like a deployment would
            "GATEWAY_TRUSTED_DOCUMENTS_FILE": str(trusted),
            # the load is the measurement, not an abuse: per-agency budgets would only throttle it
            "GATEWAY_RATE_LIMIT": "off",
            "GATEWAY_JWKS_FILE": str(self.dataset.directory / "keys" / "dev-jwks.json"),
            "GATEWAY_HOST": "127.0.0.1",
            "GATEWAY_PORT": str(port),
            "GATEWAY_SUPERGRAPH": str(self.supergraph),
            "GATEWAY_POLICY_ENGINE": "embedded",
            "GATEWAY_AUDIT_DATABASE_URL": f"sqlite+aiosqlite:///{self.run_dir / 'audit.db'}",
            "GATEWAY_PSEUDONYM_KEY": PSEUDONYM_KEY,
            **{f"{n.upper()}_URL": u for n, u in self.subgraph_urls().items()},
            **(extra_env or {}),
        }

    def start_ours(self, extra_env: Mapping[str, str] | None = None) -> Service | None:
        """Our gateway in production mode: embedded policy engine, real audit store (SQLite in the run directory);
        ``extra_env`` adds settings (``bench.scaling``: ``GATEWAY_WORKERS``).

        Caller tokens must exist first (:func:`bench.tokens.mint_caller_tokens` creates the key they are signed
        with): production never creates a development key, it only trusts the JWKS file it is given."""
        env = self.ours_env(extra_env)
        if env is None:
            return None
        port = self.options.ports["ours"]
        try:
            argv = profiled_argv(self.options.profile, self.profile_stem())
        except RuntimeError as exc:
            self.unavailable["ours"] = str(exc)
            return None
        service = Service("ours", argv, env, self.run_dir / "logs" / "gateway.log",
                          f"http://127.0.0.1:{port}/healthz", cwd=REPO_ROOT)
        try:
            return self._add(service)
        except RuntimeError as exc:
            service.stop()
            self.unavailable["ours"] = f"our gateway did not start: {str(exc)[-600:]}"
            return None

    def store_database(self) -> str:
        """A fresh PostgreSQL database for our gateway's store (production refuses SQLite for it), named by the
        gateway's port so that two bench runs on other ports do not share it; its async URL."""
        name = f"lt_bench_store_{self.options.ports['ours']}"
        recreate_postgres(name)
        return f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"

    def register_trusted_documents(self) -> Path:
        """Register the query mix as trusted documents for every caller (``gateway documents register``), as an
        operator does before production traffic; returns the store file."""
        from .queries import QUERIES

        folder = self.run_dir / "documents"
        folder.mkdir(parents=True, exist_ok=True)
        files = []
        for key, query in QUERIES.items():
            path = folder / f"bench_{key}.graphql"
            path.write_text(query.document, encoding="utf-8")
            files.append(str(path))
        store = self.run_dir / "trusted-documents.json"
        subprocess.run([sys.executable, "-m", "gateway", "documents", "register", "--all-agencies", *files],
                       check=True, cwd=REPO_ROOT, capture_output=True,
                       env={**self.env(), "GATEWAY_TRUSTED_DOCUMENTS_FILE": str(store)})
        return store

    # -- Apollo Gateway ----------------------------------------------------------------------------------------
    def apollo_runner(self) -> Path | None:
        """The composition engineer's runner (``tests/node/apollo-gateway.mjs``), installing its packages if needed."""
        if not APOLLO_RUNNER.exists():
            return None
        if not (APOLLO_RUNNER.parent / "node_modules" / "@apollo" / "gateway").exists():
            subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=APOLLO_RUNNER.parent,
                           capture_output=True, check=False, timeout=600)
        return APOLLO_RUNNER if (APOLLO_RUNNER.parent / "node_modules" / "@apollo" / "gateway").exists() else None

    def start_apollo(self) -> Service | None:
        """Apollo Gateway (Node, pinned by tests/node/package-lock.json) on the same supergraph."""
        if self.supergraph is None:
            return None
        runner = self.apollo_runner()
        if runner is None:
            self.unavailable["apollo"] = f"no Apollo Gateway runner with installed packages at {APOLLO_RUNNER}"
            return None
        port = self.options.ports["apollo"]
        argv = [NODE, str(runner), "--supergraph", str(self.supergraph), "--host", "127.0.0.1",
                "--port", str(port), "--jwk", str(key_paths(self.env())[0])]
        for name, url in self.subgraph_urls().items():
            argv += ["--url", f"{name}={url}"]
        service = Service("apollo", argv, {**self.env(), "NODE_ENV": "production"},
                          self.run_dir / "logs" / "apollo.log", health_url=None, ready_marker="ready http",
                          cwd=runner.parent)
        try:
            return self._add(service)
        except RuntimeError as exc:
            service.stop()
            self.unavailable["apollo"] = f"Apollo Gateway did not start: {str(exc)[-600:]}"
            return None

    # -- the floor -------------------------------------------------------------------------------------------------
    def start_floor(self) -> Service | None:
        """``python -m bench.floor``: the plainest code per (query, subgraph), on the same databases."""
        port = self.options.ports["floor"]
        service = Service("floor", [sys.executable, "-m", "bench.floor", "--port", str(port)], self.env(),
                          self.run_dir / "logs" / "floor.log", f"http://127.0.0.1:{port}/healthz", cwd=REPO_ROOT)
        try:
            return self._add(service)
        except RuntimeError as exc:
            service.stop()
            self.unavailable["floor"] = f"the floor did not start: {str(exc)[-600:]}"
            return None

    def floor_url(self, query: str, subgraph: str) -> str:
        return f"http://127.0.0.1:{self.options.ports['floor']}/floor/{query}/{subgraph}"

    # -- teardown ----------------------------------------------------------------------------------------------
    def stop(self) -> None:
        """Stop gateways first (so a profiler writes its report), then the subgraphs."""
        for name in ("ours", "apollo", "floor", *SUBGRAPHS):
            if name in self.services:
                self.services[name].stop()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
