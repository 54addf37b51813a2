"""Measure one (query, target) pair: preflight, warm-up, then a timed wrk run between two counter snapshots."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from .counters import PerRequest, Probe, per_request
from .queries import BenchQuery
from .report import Measurement, Skipped
from .wrk import WrkRun, lua_script


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where and how to send one query to one target."""

    target: str
    url: str
    headers: Mapping[str, str]
    pid: int | None  # the process whose CPU is "target CPU"
    metrics_url: str | None = None


class PreflightError(Exception):
    """The target does not answer the query correctly: it is not measured."""


def post(url: str, body: bytes, headers: Mapping[str, str], timeout: float = 60.0) -> tuple[int, dict]:
    """POST ``body``; (HTTP status, decoded JSON or ``{}``)."""
    req = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, {}


def summarize_answer(status: int, answer: Mapping[str, object]) -> str:
    """``"200, data, errors: FORBIDDEN_FIELD x3"``: what a preflight answer looked like."""
    codes: Counter[str] = Counter()
    for error in answer.get("errors") or []:  # type: ignore[union-attr]
        ext = error.get("extensions") or {} if isinstance(error, dict) else {}
        codes[str(ext.get("code", "no code"))] += 1
    data = answer.get("data")
    shape = "data" if isinstance(data, dict) and any(v is not None for v in data.values()) else "no data"
    errs = ", ".join(f"{c} x{n}" for c, n in sorted(codes.items()))
    return f"{status}, {shape}" + (f", errors: {errs}" if errs else "")


def preflight(endpoint: Endpoint, bodies: Sequence[bytes], sample_dir: Path, query: str) -> str:
    """Send a few bodies once; refuse to measure a target that answers with HTTP errors or without data."""
    summaries = []
    for i, body in enumerate(bodies[:3]):
        status, answer = post(endpoint.url, body, endpoint.headers)
        if i == 0:
            sample_dir.mkdir(parents=True, exist_ok=True)
            (sample_dir / f"{query}-{endpoint.target}.json").write_text(
                json.dumps(answer, indent=1, ensure_ascii=False)[:200_000]
            )
        summary = summarize_answer(status, answer)
        if status != 200 or "no data" in summary:
            raise PreflightError(f"answer to a {query} request: {summary}: {json.dumps(answer)[:400]}")
        summaries.append(summary)
    return "; ".join(sorted(set(summaries)))


def sequential_costs(endpoint: Endpoint, bodies: Sequence[bytes], probe: Probe, count: int = 20) -> PerRequest:
    """Fetches, SQL statements and policy evaluations per request, counted exactly: ``count`` requests sent one
    after the other, nothing else in flight between the two snapshots (under load, requests straddling a
    snapshot would blur these small integers)."""
    sample = list(bodies[:count])
    probe.wait_quiet()
    before = probe.snapshot()
    for body in sample:
        post(endpoint.url, body, endpoint.headers)
    after = probe.snapshot()
    return per_request(before, after, len(sample))


def measure(
    query: BenchQuery,
    endpoint: Endpoint,
    bodies: Sequence[bytes],
    probe: Probe,
    *,
    work_dir: Path,
    duration_s: float,
    warmup_s: float,
    connections: int,
    threads: int,
    tag: str = "",
) -> Measurement | Skipped:
    """Preflight, warm up (unmeasured), then measure ``duration_s`` seconds of ``query`` against ``endpoint``."""
    try:
        checked = preflight(endpoint, bodies, work_dir / "samples", query.key)
    except (PreflightError, OSError) as exc:
        return Skipped(query.key, endpoint.target, f"preflight failed, not measured: {exc}")
    wrk_dir = work_dir / "wrk"
    wrk_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{query.key}-{endpoint.target}{tag}"
    bodies_file = wrk_dir / f"{stem}.bodies"
    bodies_file.write_bytes(b"\n".join(bodies) + b"\n")
    script = wrk_dir / f"{stem}.lua"
    script.write_text(lua_script(bodies_file, endpoint.headers))
    if warmup_s > 0:
        WrkRun(endpoint.url, script, warmup_s, connections, threads).run(wrk_dir / f"{stem}.warmup.log")
    counts = sequential_costs(endpoint, bodies, probe)
    probe.wait_quiet()  # warm-up requests abandoned by wrk may still be running
    before = probe.snapshot()
    result = WrkRun(endpoint.url, script, duration_s, connections, threads).run(wrk_dir / f"{stem}.log")
    after = probe.snapshot()
    under_load = per_request(before, after, result.requests)
    cost = replace(
        counts,
        target_cpu_ms=under_load.target_cpu_ms,
        subgraphs_cpu_ms=under_load.subgraphs_cpu_ms,
        subgraphs_cpu_ms_by=under_load.subgraphs_cpu_ms_by,
    )
    return Measurement(query.key, endpoint.target, result, cost, checked)
