"""Node.js side of the test suite: Apollo's composition and Apollo Gateway as reference implementations.

``node_modules()`` installs ``tests/node/node_modules`` with ``npm ci`` on first use (the lock file pins
``@apollo/composition``, ``@apollo/gateway`` and ``@apollo/server``) and returns the directory; tests that need
it skip, printing why, only when ``node``/``npm`` are not installed at all.
"""

from __future__ import annotations

import fcntl
import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest

NODE_DIR = Path(__file__).resolve().parent
MODULES = NODE_DIR / "node_modules"
MARKER = MODULES / "@apollo" / "gateway" / "package.json"


def node_modules() -> Path:
    """``tests/node/node_modules``, installed if missing; ``pytest.skip`` if Node.js or npm is absent."""
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if missing:
        reason = f"{' and '.join(missing)} not installed: Apollo reference tests skipped"
        print(f"SKIP: {reason}")
        pytest.skip(reason)
    if not MARKER.exists():
        with open(Path(tempfile.gettempdir()) / "lienthong-npm-install.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # one install even if several test processes ask at once
            if not MARKER.exists():
                result = subprocess.run(
                    ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                    cwd=NODE_DIR,
                    capture_output=True,
                    text=True,
                    timeout=600,
                    check=False,
                )
                if result.returncode != 0:
                    raise RuntimeError(f"npm ci failed in {NODE_DIR}:\n{result.stdout}\n{result.stderr}")
    return MODULES


def run_node(script: str, *args: str, timeout: float = 120.0, input: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``tests/node/<script>`` with ``args``."""
    node_modules()
    return subprocess.run(
        ["node", str(NODE_DIR / script), *args],
        cwd=NODE_DIR,
        capture_output=True,
        text=True,
        timeout=timeout,
        input=input,
        check=False,
    )


def apollo_compose(sdl_dir: Path) -> dict[str, Any]:
    """Compose ``population/civil_status/sentences.graphql`` in ``sdl_dir`` with ``@apollo/composition``."""
    result = run_node("compose.mjs", "--dir", str(sdl_dir))
    if result.returncode != 0:
        raise RuntimeError(f"compose.mjs failed:\n{result.stderr}")
    return json.loads(result.stdout)
