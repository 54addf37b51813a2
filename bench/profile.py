"""``--profile pyinstrument|py-spy``: run our gateway under a sampling profiler while wrk loads it.

* pyinstrument (dev dependency, in the venv) runs the gateway in-process and records a session
  (``<name>.pyisession``) when the gateway exits on SIGINT; :func:`render` turns it into HTML and text.
* py-spy (not a project dependency: ``pip install py-spy`` to use it) samples the gateway from outside and writes a
  flame graph (SVG) and, with ``--format speedscope``, a JSON profile; it needs ptrace (root here).

Profiles go to ``bench/out/profiles/`` (git-ignored). Timings taken while profiling are not written to RESULTS.md:
the profiler's own overhead is in them.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

GATEWAY_MODULE = ["-m", "gateway", "serve"]


def py_spy() -> str | None:
    """The py-spy executable (venv first, then PATH), or None."""
    venv = Path(sys.executable).parent / "py-spy"
    return str(venv) if venv.exists() else shutil.which("py-spy")


def profiled_argv(profiler: str | None, stem: Path) -> list[str]:
    """The gateway's command line, wrapped in ``profiler`` (or not). ``stem`` is the output path sans suffix."""
    if profiler is None:
        return [sys.executable, *GATEWAY_MODULE]
    stem.parent.mkdir(parents=True, exist_ok=True)
    if profiler == "pyinstrument":
        return [sys.executable, "-m", "pyinstrument", "--renderer", "pyisession",
                "--outfile", f"{stem}.pyisession", *GATEWAY_MODULE]
    if profiler == "py-spy":
        exe = py_spy()
        if exe is None:
            raise RuntimeError("py-spy is not installed (it is not a project dependency): pip install py-spy")
        return [exe, "record", "--idle", "--rate", "200", "--format", "speedscope", "--output",
                f"{stem}.speedscope.json", "--", sys.executable, *GATEWAY_MODULE]
    raise ValueError(f"unknown profiler {profiler!r}")


def render(profiler: str | None, stem: Path) -> list[Path]:
    """After the gateway stopped: render a pyinstrument session to HTML and text; list the profile files."""
    if profiler == "pyinstrument":
        session = Path(f"{stem}.pyisession")
        if session.exists():
            for renderer, suffix, extra in (("html", ".html", []), ("text", ".txt", ["--no-color"])):
                subprocess.run(
                    [sys.executable, "-m", "pyinstrument", "--load", str(session), "--renderer", renderer,
                     "--outfile", f"{stem}{suffix}", *extra],
                    check=False, capture_output=True,
                )
    return sorted(p for p in stem.parent.glob(f"{stem.name}*") if p.is_file())
