"""GraphiQL in a real browser (Playwright + Debian's Chromium) against a real development stack.

The page renders from the gateway's own files under its CSP, a caller and a purpose picked in the Caller panel
fill the headers with a fresh dev token, the default query runs and the Policy panel lists the field the default
policy withholds (``Person.religion`` for a procuracy in criminal proceedings). Every request of the page goes
to the gateway's origin. A screenshot goes to ``build/screenshots/graphiql.png`` (git-ignored; with
``LT_UPDATE_DOCS_SCREENSHOT=1`` it is also copied to ``docs/graphiql.png``, the README's), the page's load times
to ``build/screenshots/graphiql-timing.json``.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import DevStack

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "build" / "screenshots"
LEGAL_BASIS = "Quyết định khởi tố vụ án 12/2025/QĐ-VKS"  # not Latin-1: the page must send it as UTF-8
HTML_TIMEOUT_MS = 20_000


@dataclass
class PageLog:
    """What the page did: every request URL, console errors, CSP violations, uncaught errors."""

    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def attach(self, page: Any) -> None:
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.page_errors.append(str(e)))

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text:
            self.csp_violations.append(message.text)
        elif message.type == "error":
            self.console_errors.append(message.text)

    def foreign(self, origin: str) -> list[str]:
        """Requests that left the gateway's origin (``data:`` URLs are not requests to anyone)."""
        return [u for u in self.requests if not (u.startswith(origin + "/") or u.startswith("data:"))]


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1400, "height": 860}, device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(HTML_TIMEOUT_MS)
    yield page
    context.close()


def _introspection(response: Any) -> bool:
    return response.request.method == "POST" and "IntrospectionQuery" in (response.request.post_data or "")


def _open(page: Any, url: str) -> dict[str, float]:
    """Navigate to GraphiQL; the load times (ms from navigation start) once the schema has loaded."""
    with page.expect_response(_introspection) as introspection:
        response = page.goto(url, wait_until="load")
    assert response is not None and response.status == 200
    assert introspection.value.status == 200, introspection.value.text()
    page.wait_for_selector(".graphiql-container .graphiql-query-editor .CodeMirror")
    timing = page.evaluate("""() => {
        const nav = performance.getEntriesByType("navigation")[0];
        return {domContentLoaded: nav.domContentLoadedEventEnd, load: nav.loadEventEnd,
                schemaLoaded: performance.now()};
    }""")
    return {k: round(float(v), 1) for k, v in timing.items()}


def test_graphiql_picks_a_caller_runs_a_query_and_shows_what_was_withheld(chromium: Any, dev_stack: DevStack,
                                                                          page: Any) -> None:
    # ``chromium`` first: without a browser the test fails at once, before the stack is started.
    log = PageLog()
    log.attach(page)
    cold = _open(page, dev_stack.url)
    assert page.title() == "Liên thông — GraphiQL"
    csp = page.evaluate("""async () => (await fetch(location.href, {headers: {accept: "text/html"}}))
                           .headers.get("content-security-policy")""")
    assert "script-src 'self'" in csp and "default-src 'none'" in csp

    # The Caller panel is open in development; pick the procuracy, a purpose and a legal basis.
    page.select_option("select[name=caller]", "vksnd-ha-noi")
    page.select_option("select[name=purpose]", "criminal_proceedings")
    page.fill("input[name=legalBasis]", LEGAL_BASIS)
    with page.expect_response(lambda r: r.url.endswith("/graphiql/dev-token")) as minted:
        page.click("button.lt-fill")
    assert minted.value.status == 200
    page.wait_for_selector("text=Headers filled for kiem-sat-vien-01")
    headers = page.inner_text(".graphiql-editor-tool .graphiql-editor:not(.hidden)")
    assert "criminal_proceedings" in headers and "Bearer eyJ" in headers, headers

    # Run the default query: the answer opens the Policy panel with the withheld religion of each person.
    with page.expect_response(lambda r: r.request.method == "POST" and "People" in (r.request.post_data or "")) \
            as answered:
        page.click(".graphiql-execute-button")
    body = answered.value.json()
    assert answered.value.status == 200, body
    assert body["extensions"]["policy"]["purpose"] == "criminal_proceedings", body
    people = body["data"]["searchPersons"]["edges"]
    assert people and all(p["node"]["fullName"] and p["node"]["religion"] is None for p in people), body
    panel = page.wait_for_selector("[data-testid=policy-masked]")
    text = panel.inner_text()
    assert "Person.religion" in text and "withheld" in text and "searchPersons.edges[0].node.religion" in text
    assert "RELIGION" in text  # the reason, as the policy gave it
    summary = page.inner_text("[data-testid=policy-summary]")
    assert summary.startswith(f"{len(people)} withheld"), summary

    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "graphiql.png"))
    if os.environ.get("LT_UPDATE_DOCS_SCREENSHOT") == "1":
        shutil.copyfile(SHOTS / "graphiql.png", ROOT / "docs" / "graphiql.png")

    warm = _open(page, dev_stack.url)  # same context: the versioned assets come from the browser cache
    (SHOTS / "graphiql-timing.json").write_text(json.dumps({"cold_ms": cold, "warm_ms": warm}, indent=2) + "\n")
    print(f"GraphiQL load (ms from navigation start): cold {cold}, warm {warm}")

    assert log.foreign(dev_stack.origin) == [], log.requests
    assert log.csp_violations == [] and log.page_errors == [], (log.csp_violations, log.page_errors)
    assert log.console_errors == [], log.console_errors


def test_outside_development_the_page_has_no_picker_and_never_mints(chromium: Any, tmp_path: Path) -> None:
    """A production gateway (in-process, over the fixture subgraphs): placeholders only, no token request."""
    from gateway.auth import AuthSettings
    from gateway.server import create_app
    from tests.fixtures.harness import start_cluster
    from tests.fixtures.serve import serve

    cluster = start_cluster(tmp_path / "keys")
    try:
        auth = AuthSettings(env="production", jwks_file=tmp_path / "jwks.json", dev_key_file=tmp_path / "dev.json")
        with serve(create_app(cluster.gateway(env="production", auth=auth))) as base:
            context = chromium.new_context()
            page = context.new_page()
            log = PageLog()
            log.attach(page)
            page.goto(f"{base}/graphql", wait_until="load")
            page.wait_for_selector(".graphiql-container .graphiql-query-editor .CodeMirror")
            page.wait_for_selector(".lt-policy")  # the Policy panel is there; the Caller picker is not
            assert page.query_selector(".lt-caller") is None
            assert page.get_by_label("Show Caller").count() == 0
            headers = page.inner_text(".graphiql-editor-tool .graphiql-editor:not(.hidden)")
            assert "Bearer <token>" in headers and "eyJ" not in headers, headers
            page.wait_for_timeout(300)
            assert not [u for u in log.requests if "dev-token" in u], log.requests
            assert log.foreign(base) == [] and log.csp_violations == [] and log.page_errors == [], log
            context.close()
    finally:
        cluster.close()
