"""Policy engines: embedded regopy (default), an OPA server over its REST Data API, and allow-all (tests only).

Every engine answers one question per request, ``evaluate(input) -> decision document`` (the value of
``data.lienthong.authz.decision``), and raises :class:`PolicyUnavailable` on any failure: never fail open.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol

import regopy

from subgraphs.common.settings import parse_choice, parse_environment

from .bundle import DECISION_PATH, PolicyBundle, compute_version, load_bundle, policy_fingerprint
from .types import PolicyUnavailable

log = logging.getLogger("gateway.policy")

#: Vets a new policy before a reload serves it: None to accept, else the reason it is refused.
Vet = Callable[[PolicyBundle], "str | None"]


class PolicyEngine(Protocol):
    """One decision per call; ``version`` identifies the policy the decisions come from."""

    name: str

    @property
    def version(self) -> str: ...

    def refresh(self) -> None:
        """Pick up policy changes (called before each decision, so that the cache key has the new version)."""
        ...

    async def evaluate(self, policy_input: Mapping[str, Any]) -> dict[str, Any]: ...

    async def close(self) -> None: ...


class RegoEvaluator:
    """A compiled regopy bundle; synchronous, serialised by a lock (an interpreter is not thread-safe)."""

    def __init__(self, bundle: PolicyBundle) -> None:
        builder = regopy.Interpreter()
        try:
            for name, source in bundle.modules:
                builder.add_module(name, source)
            builder.add_data(bundle.data)
            self._compiled = builder.build(None, [DECISION_PATH])
        except regopy.RegoError as exc:
            raise PolicyUnavailable(f"policy does not compile: {exc}") from exc
        if not self._compiled.ok():
            raise PolicyUnavailable("policy does not compile")
        self._builder = builder  # keeps the compiled bundle's owner alive
        self._runner = regopy.Interpreter()
        self._lock = threading.Lock()
        self.bundle = bundle
        self.evaluations = 0

    def evaluate(self, policy_input: Mapping[str, Any]) -> dict[str, Any]:
        """Evaluate the decision rule for ``policy_input``."""
        with self._lock:
            self.evaluations += 1
            try:
                self._runner.set_input(dict(policy_input))
                output = self._runner.query_bundle_entrypoint(self._compiled, DECISION_PATH)
            except regopy.RegoError as exc:
                raise PolicyUnavailable(f"policy evaluation failed: {exc}") from exc
            if not output.ok() or not output.results or not output.results[0].expressions:
                raise PolicyUnavailable(f"policy evaluation returned no decision: {output}")
            result = output.results[0].expressions[0]
        if not isinstance(result, dict):
            raise PolicyUnavailable(f"policy decision is not an object: {result!r}")
        return result


class EmbeddedEngine:
    """In-process regopy engine. Evaluation runs in a worker thread with a timeout; the policy directory is
    re-read when its content hash changes (checked at most every ``reload_interval`` seconds)."""

    name = "embedded"

    def __init__(
        self, directory: Path | str | None = None, *, timeout: float = 2.0, reload_interval: float | None = 2.0,
        vet: Vet | None = None, background: bool = False,
    ) -> None:
        self._evaluator = RegoEvaluator(load_bundle(directory))
        self._timeout = timeout
        # every evaluation on one thread of its own: the interpreter is serialised anyway (RegoEvaluator's
        # lock), and rego-cpp's allocator keeps memory per thread: spread over the default executor's threads,
        # the e2e gateway's resident memory grew by gigabytes of native allocations
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rego")
        self._reload_interval = reload_interval
        self._checked_at = time.monotonic()
        self._evaluations_before_reload = 0
        self._vet = vet  # make_engine: the Rego tests must pass (gateway.policy.testing)
        # background: vetting and compiling (a second or two) run in a thread, not in the request that noticed
        # the change (which, like every request until the new version is ready, is decided by the old one)
        self._background = background
        self._reloader: threading.Thread | None = None
        self._seen = policy_fingerprint(self._evaluator.bundle.directory)  # tests included
        #: the last change refused by a reload (version, reason, at), until a later change is accepted
        self.rejected: dict[str, str] | None = None
        self.loaded_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")

    @property
    def version(self) -> str:
        return self._evaluator.bundle.version

    @property
    def bundle(self) -> PolicyBundle:
        return self._evaluator.bundle

    @property
    def evaluations(self) -> int:
        """How many times the Rego decision was evaluated (for tests and metrics)."""
        return self._evaluations_before_reload + self._evaluator.evaluations

    def reload_if_changed(self) -> bool:
        """Recompile when the policy files changed. A new policy that does not load, does not compile or (with
        ``vet``) fails its Rego tests is refused: the last good one keeps serving, ``rejected`` says why, and the
        same files are not tried again until they change (a fixed test counts as a change)."""
        directory = self._evaluator.bundle.directory
        seen = policy_fingerprint(directory)
        if seen == self._seen:
            return False
        try:
            bundle = load_bundle(directory)
            if bundle.version == self.version:  # only the tests changed: the policy served is the same
                self._seen, self.rejected = seen, None
                return False
            reason = self._vet(bundle) if self._vet is not None else None
            evaluator = RegoEvaluator(bundle) if reason is None else None
        except (PolicyUnavailable, ValueError, OSError) as exc:
            bundle, reason, evaluator = None, str(exc), None
        self._seen = seen
        if evaluator is None:
            version = bundle.version if bundle is not None else compute_version(directory)
            self.rejected = {"version": version, "reason": str(reason)[:1000],
                             "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
            log.warning("policy %s refused, still serving %s: %s", version, self.version, reason)
            return False
        self._evaluations_before_reload += self._evaluator.evaluations
        log.info("policy %s loaded (was %s)", evaluator.bundle.version, self.version)
        self._evaluator = evaluator
        self.rejected = None
        self.loaded_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        return True

    def refresh(self) -> None:
        if self._reload_interval is None or time.monotonic() - self._checked_at < self._reload_interval:
            return
        self._checked_at = time.monotonic()
        if not self._background:
            self.reload_if_changed()  # never raises for a bad policy: refused, the last good one serves
            return
        if self._reloader is not None and self._reloader.is_alive():
            return
        if policy_fingerprint(self._evaluator.bundle.directory) != self._seen:
            self._reloader = threading.Thread(target=self.reload_if_changed, name="policy-reload", daemon=True)
            self._reloader.start()

    def wait_for_reload(self, timeout: float | None = None) -> None:
        """Block until a background reload in progress has finished (tests, shutdown)."""
        reloader = self._reloader
        if reloader is not None:
            reloader.join(timeout)

    def status(self) -> dict[str, Any]:
        """For ``/readyz``: the version served and the last refused change, if any."""
        return {"engine": self.name, "version": self.version, "loadedAt": self.loaded_at, "rejected": self.rejected}

    async def evaluate(self, policy_input: Mapping[str, Any]) -> dict[str, Any]:
        try:
            return await asyncio.wait_for(
                asyncio.get_running_loop().run_in_executor(self._thread, self._evaluator.evaluate, policy_input),
                timeout=self._timeout,
            )
        except TimeoutError as exc:
            raise PolicyUnavailable(f"policy evaluation timed out after {self._timeout}s") from exc

    async def close(self) -> None:
        # a closed engine may still be asked (a test, a late request): a fresh executor starts its thread lazily
        self._thread.shutdown(wait=False)
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rego")


class OpaServerEngine:
    """An OPA server queried through opa-python-client: ``POST /v1/data/lienthong/authz/decision
    {"input": ...}`` → ``{"result": ...}``. The server must load ``policies/*.rego`` and the data files at
    the root of ``data`` (see policies/README.md); ``version`` is the local policy directory's hash."""

    name = "opa"

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 8181,
        *,
        timeout: float = 2.0,
        directory: Path | str | None = None,
        ssl: bool = False,
        token: str | None = None,
    ) -> None:
        from opa_client import create_opa_client

        self._client = create_opa_client(
            async_mode=True, host=host, port=port, timeout=timeout, ssl=ssl, token=token, retries=0
        )
        self._timeout = timeout
        self._version = compute_version(Path(directory) if directory else load_bundle(None).directory)
        self._session_ready = False
        self.evaluations = 0

    @property
    def version(self) -> str:
        return self._version

    def refresh(self) -> None:
        return None

    async def evaluate(self, policy_input: Mapping[str, Any]) -> dict[str, Any]:
        self.evaluations += 1
        try:
            async with asyncio.timeout(self._timeout):
                if not self._session_ready:
                    await self._client._init_session()
                    self._session_ready = True
                package, rule = DECISION_PATH.rsplit("/", 1)
                answer = await self._client.query_rule(dict(policy_input), package.replace("/", "."), rule)
        except Exception as exc:  # connection refused, HTTP error, timeout, bad JSON: all fail closed
            raise PolicyUnavailable(f"OPA server unavailable: {type(exc).__name__}: {exc}") from exc
        result = answer.get("result") if isinstance(answer, dict) else None
        if not isinstance(result, dict):
            raise PolicyUnavailable("OPA returned no decision (is the policy loaded at lienthong/authz?)")
        return result

    async def close(self) -> None:
        if self._session_ready:
            await self._client.close_connection()
            self._session_ready = False


class AllowAllEngine:
    """Allows every field (tests of other stages only). Refuses to exist outside ``GATEWAY_ENV=test``."""

    name = "allow-all"

    def __init__(self, gateway_env: str) -> None:
        if gateway_env != "test":
            raise RuntimeError(
                f"GATEWAY_POLICY_ENGINE=allow-all is only allowed with GATEWAY_ENV=test (GATEWAY_ENV={gateway_env!r})"
            )
        self.evaluations = 0

    @property
    def version(self) -> str:
        return "allow-all"

    def refresh(self) -> None:
        return None

    async def evaluate(self, policy_input: Mapping[str, Any]) -> dict[str, Any]:
        self.evaluations += 1
        fields = {
            f["coordinate"]: {"effect": "allow", "mask": None, "reason": "allow-all engine (GATEWAY_ENV=test)"}
            for f in policy_input.get("fields", [])
        }
        return {"allow": True, "refusal": None, "fields": fields, "row_rules": []}

    async def close(self) -> None:
        return None


def make_engine(env: Mapping[str, str]) -> PolicyEngine:
    """The engine named by ``GATEWAY_POLICY_ENGINE`` (``embedded`` default, ``opa``, ``allow-all``).

    Honoured: ``GATEWAY_POLICY_DIR`` (default ``policies/``), ``GATEWAY_POLICY_TIMEOUT`` (seconds, 2),
    ``GATEWAY_POLICY_RELOAD_INTERVAL`` (embedded: seconds between checks for changed files, 2; ``off``; a change
    is served only when its Rego tests pass),
    ``GATEWAY_OPA_URL`` (``http://127.0.0.1:8181``), ``GATEWAY_ENV``.
    """
    kind = parse_choice(env, "GATEWAY_POLICY_ENGINE", ("embedded", "opa", "allow-all"), "embedded")
    timeout = float(env.get("GATEWAY_POLICY_TIMEOUT", "2"))
    directory = env.get("GATEWAY_POLICY_DIR") or None
    if kind == "embedded":
        from .testing import failure_summary, run_bundle_tests

        interval = env.get("GATEWAY_POLICY_RELOAD_INTERVAL", "2").strip().lower()
        return EmbeddedEngine(directory, timeout=timeout,
                              reload_interval=None if interval in ("off", "") else float(interval),
                              vet=lambda bundle: failure_summary(run_bundle_tests(bundle)), background=True)
    if kind == "opa":
        from urllib.parse import urlsplit

        url = urlsplit(env.get("GATEWAY_OPA_URL", "http://127.0.0.1:8181"))
        return OpaServerEngine(
            url.hostname or "127.0.0.1",
            url.port or 8181,
            timeout=timeout,
            directory=directory,
            ssl=url.scheme == "https",
            token=env.get("GATEWAY_OPA_TOKEN") or None,
        )
    if kind == "allow-all":
        return AllowAllEngine(parse_environment(env))
    raise RuntimeError(f"unknown GATEWAY_POLICY_ENGINE {kind!r} (embedded, opa, allow-all)")
