"""Processes the harness starts: launch with a log file, wait for ``/healthz``, stop by pid; CPU time from /proc.

CPU time is read from ``/proc/<pid>/stat`` (utime + stime, in clock ticks) for a process and all its living
descendants, so a server that forks workers (or Node's helper processes, if any) is counted whole.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def parse_stat_cpu_ticks(stat_line: str) -> int:
    """utime + stime (fields 14 and 15) of a ``/proc/<pid>/stat`` line; the command name may hold spaces."""
    fields = stat_line[stat_line.rindex(")") + 2 :].split()
    # fields[0] is field 3 (state), so field N is fields[N - 3]
    return int(fields[14 - 3]) + int(fields[15 - 3])


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                kids.extend(int(k) for k in fh.read().split())
    except OSError:
        pass
    return kids


def process_tree(pid: int) -> list[int]:
    """``pid`` and its living descendants."""
    seen, todo = [], [pid]
    while todo:
        current = todo.pop()
        seen.append(current)
        todo.extend(_children(current))
    return seen


def cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) used so far by ``pid`` and its living descendants."""
    ticks = 0
    for member in process_tree(pid):
        try:
            with open(f"/proc/{member}/stat") as fh:
                ticks += parse_stat_cpu_ticks(fh.read())
        except OSError:
            continue  # exited between listing and reading
    return ticks / CLOCK_TICKS


def http_ok(url: str, timeout: float = 2.0) -> bool:
    """True when ``url`` answers 200."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


@dataclass
class Service:
    """A server process started by the harness; its output goes to ``log``."""

    name: str
    argv: Sequence[str]
    env: Mapping[str, str] = field(repr=False)
    log: Path = field(default=Path())
    health_url: str | None = None  # GET answering 200 when ready; or else:
    ready_marker: str | None = None  # a line the server prints when ready
    cwd: Path | None = None
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> Service:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as out:
            # own process group, so stop() can signal the server and anything it spawned, and nothing else
            self.process = subprocess.Popen(
                list(self.argv), env=dict(self.env), stdout=out, stderr=subprocess.STDOUT, cwd=self.cwd,
                start_new_session=True,
            )
        return self

    @property
    def pid(self) -> int:
        if self.process is None:
            raise RuntimeError(f"{self.name} not started")
        return self.process.pid

    def wait_ready(self, timeout_s: float = 60.0) -> None:
        """Wait until the health URL answers; raise with the log's tail if the process dies or times out."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited ({self.process.returncode}):\n{self.tail()}")
            if self.health_url and http_ok(self.health_url):
                return
            if self.ready_marker and self.ready_marker in self.tail(200):
                return
            time.sleep(0.25)
        raise RuntimeError(f"{self.name} not ready after {timeout_s:.0f}s:\n{self.tail()}")

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, sig: int = signal.SIGINT, timeout_s: float = 20.0) -> None:
        """Stop the server (SIGINT, so profilers and uvicorn shut down cleanly), then SIGKILL its group."""
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, sig)
            self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)
        except ProcessLookupError:
            pass
