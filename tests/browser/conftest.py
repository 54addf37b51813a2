"""A development stack (seeded subgraphs + gateway, real processes) and Debian's Chromium under Playwright.

The four processes start at once (the gateway does not need its subgraphs up to start), so the stack is ready in
a few seconds. Chromium is ``/usr/bin/chromium`` (``LT_CHROMIUM`` to override): Playwright's own browser
download cannot work here. Without it the tests FAIL, saying how to install it; they never skip.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conformance.stack import ROOT, SUBGRAPHS, Stack, _process, _wait_http, free_port, seed

CHROMIUM = Path(os.environ.get("LT_CHROMIUM", "/usr/bin/chromium"))
PEOPLE = 120
SEED = 11


@dataclass
class DevStack:
    """The running development gateway: its ``/graphql`` URL and origin, the seeded database."""

    url: str
    origin: str
    data_db: Path


@pytest.fixture(scope="module")
def dev_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevStack]:
    """Seed, then start the three subgraphs and a ``GATEWAY_ENV=development`` gateway; stopped by process id."""
    from gateway.keys import key_paths, load_or_create_internal_key

    workdir = tmp_path_factory.mktemp("browser")
    env = {k: v for k, v in os.environ.items() if not k.endswith("_URL") and not k.startswith("GATEWAY_")}
    env.update(LT_DATA_DIR=str(workdir / "data"), DATABASE_URL=f"sqlite+aiosqlite:///{workdir / 'lt.db'}",
               PYTHONUNBUFFERED="1")
    load_or_create_internal_key(*key_paths(env))
    seed(workdir, env, PEOPLE, SEED)
    urls = {}
    for name in SUBGRAPHS:
        port = free_port()
        env.update({f"{name.upper()}_PORT": str(port), f"{name.upper()}_HOST": "127.0.0.1"})
        urls[name] = f"http://127.0.0.1:{port}/graphql"
    port = free_port()
    gateway_env = {**env, **{f"{n.upper()}_URL": u for n, u in urls.items()},
                   "GATEWAY_ENV": "development", "GATEWAY_POLICY_ENGINE": "embedded", "GATEWAY_PORT": str(port),
                   "GATEWAY_HOST": "127.0.0.1", "GATEWAY_SUPERGRAPH": str(ROOT / "schema.graphql"),
                   "GATEWAY_POLICY_RELOAD_INTERVAL": "off",
                   "GATEWAY_AUDIT_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'audit.db'}"}
    stack = Stack(workdir=workdir, env=env, subgraph_urls=urls)
    with ExitStack() as services:
        started: list[tuple[str, str, Any]] = []
        for name in SUBGRAPHS:
            process = services.enter_context(_process(stack, name, [sys.executable, "-m", f"subgraphs.{name}"], env))
            started.append((name, urls[name].replace("/graphql", "/healthz"), process))
        process = services.enter_context(
            _process(stack, "gateway", [sys.executable, "-m", "gateway", "serve"], gateway_env))
        started.append(("gateway", f"http://127.0.0.1:{port}/healthz", process))
        for name, health, process in started:
            _wait_http(health, process, name, stack.logs[name], timeout=90)
        yield DevStack(f"http://127.0.0.1:{port}/graphql", f"http://127.0.0.1:{port}", workdir / "lt.db")


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """A headless Chromium (Debian's), or a test failure that says how to get one."""
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: `apt-get install -y chromium` (.ci/run does it "
                    "when missing), or set LT_CHROMIUM to a Chromium binary. The GraphiQL browser test needs it.",
                    pytrace=False)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the playwright package is missing: `make install` (it is in the dev extra)", pytrace=False)
    version = subprocess.run([str(CHROMIUM), "--version"], capture_output=True, text=True, check=False)
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                                 args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        except Exception as exc:  # the message names what Chromium printed
            pytest.fail(f"Chromium at {CHROMIUM} ({version.stdout.strip()}) did not start: {exc}", pytrace=False)
        yield browser
        browser.close()
