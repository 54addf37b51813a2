"""Process supervision for ``python -m gateway dev``: children that die are restarted with backoff.

The local federation is a handful of child processes (three subgraphs and the gateway). One of them dying must
not stop the others: the gateway keeps answering with the data of the subgraphs still up (``SUBGRAPH_UNAVAILABLE``
at the paths of the one that is down) while the dead child is started again. Restarts back off exponentially
(``initial``, doubled per consecutive failure, capped at ``maximum``) so that a child that cannot start (a port
taken, a broken database) does not spin; a child that stayed up for ``stable_after`` seconds is considered
healthy again and its next failure starts from ``initial``.

:class:`Supervisor` is driven by its caller (``tick()`` from a loop), holds no threads and no global state, and
takes its clock, its health probe and its way of spawning processes as parameters, so that it can be tested
without real processes.
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol


class Process(Protocol):
    """What the supervisor needs of a child process (``subprocess.Popen`` has it)."""

    pid: int
    returncode: int | None

    def poll(self) -> int | None: ...

    def terminate(self) -> None: ...

    def kill(self) -> None: ...

    def wait(self, timeout: float | None = None) -> int: ...


Spawn = Callable[[Sequence[str], Mapping[str, str]], Process]
Probe = Callable[[str], bool]


@dataclass(frozen=True, slots=True)
class Backoff:
    """Delay before the n-th consecutive restart: ``initial * factor**(n-1)``, at most ``maximum`` seconds."""

    initial: float = 0.5
    factor: float = 2.0
    maximum: float = 15.0
    stable_after: float = 30.0

    def delay(self, failures: int) -> float:
        """Seconds to wait before restarting a child that failed ``failures`` (>= 1) times in a row."""
        return min(self.maximum, self.initial * self.factor ** max(0, failures - 1))


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    """One child: its name, command line, environment and the URL of its ``/healthz``."""

    name: str
    argv: tuple[str, ...]
    health_url: str
    env: Mapping[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Service:
    """The supervisor's view of one child (state machine: starting -> up -> waiting -> starting ...)."""

    spec: ServiceSpec
    process: Process | None = None
    state: str = "stopped"  # stopped | starting | up | waiting
    started_at: float = 0.0
    restart_at: float = 0.0
    failures: int = 0  # consecutive failures since the child was last stable
    restarts: int = 0  # restarts over the supervisor's life (for the log and tests)


def healthy(url: str, timeout: float = 1.0) -> bool:
    """True when ``url`` answers HTTP 200 (a local health endpoint the supervisor started)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError):
        return False


def popen(argv: Sequence[str], env: Mapping[str, str]) -> Process:
    """Start a child that shares the supervisor's terminal (its output goes where ours goes)."""
    return subprocess.Popen(list(argv), env=dict(env))


class Supervisor:
    """Starts children, notices those that exit, restarts them with :class:`Backoff`, stops them all."""

    def __init__(self, specs: Sequence[ServiceSpec], *, backoff: Backoff | None = None,
                 spawn: Spawn = popen, probe: Probe = healthy, clock: Callable[[], float] = time.monotonic,
                 log: Callable[[str], None] | None = None) -> None:
        self.services = {spec.name: Service(spec) for spec in specs}
        self.backoff = backoff or Backoff()
        self._spawn = spawn
        self._probe = probe
        self._clock = clock
        self._log = log or (lambda line: print(f"dev: {line}", file=sys.stderr, flush=True))

    def start(self, name: str) -> Service:
        """Start child ``name`` now (it counts as up once its ``/healthz`` answers)."""
        service = self.services[name]
        service.process = self._spawn(service.spec.argv, service.spec.env)
        service.state = "starting"
        service.started_at = self._clock()
        self._log(f"started {name} (pid {service.process.pid})")
        return service

    def wait_healthy(self, names: Sequence[str], timeout: float, interval: float = 0.2,
                     sleep: Callable[[float], None] = time.sleep) -> bool:
        """Wait until every named child answers its health check; False (saying why) if one exits first or
        the time runs out. Used at start-up, where a child that cannot start is an error, not a restart."""
        deadline = self._clock() + timeout
        pending = [self.services[n] for n in names]
        while pending:
            for service in list(pending):
                assert service.process is not None
                if service.process.poll() is not None:
                    self._log(f"{service.spec.name} exited with status {service.process.returncode}")
                    return False
                if self._probe(service.spec.health_url):
                    service.state = "up"
                    pending.remove(service)
            if not pending:
                return True
            if self._clock() >= deadline:
                for service in pending:
                    self._log(f"{service.spec.name} did not become healthy within {timeout:.0f}s")
                return False
            sleep(interval)
        return True

    def tick(self) -> None:
        """One supervision step: notice exits, schedule and perform restarts, notice recoveries."""
        now = self._clock()
        for name, service in self.services.items():
            if service.state in ("starting", "up") and service.process is not None:
                status = service.process.poll()
                if status is not None:
                    self._exited(service, status, now)
                    continue
                if service.state == "starting" and self._probe(service.spec.health_url):
                    service.state = "up"
                    if service.restarts:
                        self._log(f"{name} is healthy again (restart {service.restarts})")
                if service.state == "up" and service.failures and now - service.started_at >= self.backoff.stable_after:
                    service.failures = 0  # stable again: the next failure backs off from the start
            elif service.state == "waiting" and now >= service.restart_at:
                service.restarts += 1
                self.start(name)

    def _exited(self, service: Service, status: int, now: float) -> None:
        if now - service.started_at >= self.backoff.stable_after:
            service.failures = 0
        service.failures += 1
        delay = self.backoff.delay(service.failures)
        service.state = "waiting"
        service.restart_at = now + delay
        self._log(f"{service.spec.name} exited with status {status}; restarting in {delay:.1f}s "
                  f"(failure {service.failures} in a row); the others keep running")

    def stop_all(self, grace: float = 15.0) -> None:
        """Terminate every running child, kill those still alive after ``grace`` seconds (longer than the
        10 s a server with several workers gives its in-flight requests, so that it stops its own workers)."""
        running = [s for s in self.services.values() if s.process is not None and s.process.poll() is None]
        for service in running:
            assert service.process is not None
            service.process.terminate()
        deadline = self._clock() + grace
        for service in running:
            assert service.process is not None
            try:
                service.process.wait(timeout=max(0.1, deadline - self._clock()))
            except subprocess.TimeoutExpired:
                service.process.kill()
                service.process.wait()
        for service in self.services.values():
            service.state = "stopped"
