"""Facts about the machine and the code a run measured: CPU, cores, versions, commit, load."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

from .options import REPO_ROOT


def _run(argv: list[str], cwd: Path = REPO_ROOT) -> str:
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, cwd=cwd, check=False, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return (proc.stdout or proc.stderr).strip()


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def memory_gib() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def commit() -> str:
    sha = _run(["git", "rev-parse", "HEAD"])
    dirty = _run(["git", "status", "--porcelain", "--untracked-files=no"])
    return f"{sha}{' (work tree has uncommitted changes)' if dirty else ''}"


def apollo_versions(runner: Path | None) -> str:
    if runner is None:
        return "n/a"
    versions = []
    for pkg in ("@apollo/gateway", "@apollo/server", "graphql"):
        manifest = runner.parent / "node_modules" / pkg / "package.json"
        try:
            versions.append(f"{pkg} {json.loads(manifest.read_text())['version']}")
        except (OSError, ValueError, KeyError):
            continue
    return ", ".join(versions) or "n/a"


def describe(runner: Path | None = None) -> dict[str, str]:
    """The machine section of RESULTS.md."""
    load = os.getloadavg()
    return {
        "CPU": f"{cpu_model()}, {os.cpu_count()} cores",
        "memory": memory_gib(),
        "kernel": platform.release(),
        "Python": sys.version.split()[0],
        "Node": _run(["node", "--version"]) or "n/a",
        "Apollo packages": apollo_versions(runner),
        "wrk": (_run(["wrk", "--version"]).splitlines() or ["n/a"])[0].split(" Copyright")[0],
        "load average at start (1/5/15 min)": f"{load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}",
        "commit": commit(),
    }
