"""The notifier as a process (subgraphs/common/exchange/notify_server.py), started like the exchange runners:
``python -m subgraphs.common.exchange.notify`` serves ``/healthz`` (200 with NATS unreachable: the events wait in
the stream) and ``/metrics`` on ``LT_NOTIFY_PORT``; the subscriptions file ``make run`` writes is the one the
notifier reads; a broken subscriptions file refuses to start with a message."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from subgraphs.common.exchange.notify import load_subscriptions
from subgraphs.common.exchange.notify_server import NotifyAddress, write_subscriptions
from tests.fixtures.serve import free_port


def test_the_subscriptions_make_run_writes_are_read_back(tmp_path: Path) -> None:
    path = write_subscriptions(tmp_path / "notify", [("vksnd-ha-noi", "enforcement_supervision", "GRANT-1", "tok.en"),
                                                     ("tand-ha-noi", "criminal_proceedings", None, "other")])
    [procuracy, court] = load_subscriptions(path)
    assert procuracy.headers() == {"authorization": "Bearer tok.en", "x-purpose": "enforcement_supervision",
                                   "x-legal-basis": "GRANT-1"}
    assert court.headers() == {"authorization": "Bearer other", "x-purpose": "criminal_proceedings"}
    assert (tmp_path / "notify" / "vksnd-ha-noi.token").stat().st_mode & 0o077 == 0  # the owner's only


def test_the_address_follows_the_gateway_port() -> None:
    assert NotifyAddress.from_env({}) == NotifyAddress("127.0.0.1", 4010)
    assert NotifyAddress.from_env({"GATEWAY_PORT": "5000"}).port == 5010
    assert NotifyAddress.from_env({"LT_NOTIFY_PORT": "4999", "LT_NOTIFY_HOST": "0.0.0.0"}) == NotifyAddress(
        "0.0.0.0", 4999)


def _start(tmp_path: Path, subscriptions: Path, port: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ, LT_NOTIFY_PORT=str(port), NATS_URL=f"nats://127.0.0.1:{free_port()}",  # nobody there
               LT_EXCHANGE_STREAM="LT_TEST_NOTIFY_PROCESS", LT_EXCHANGE_SUBJECTS="lt_test_notify_process")
    return subprocess.Popen([sys.executable, "-m", "subgraphs.common.exchange.notify", "--subscriptions",
                             str(subscriptions), "--gateway", f"http://127.0.0.1:{free_port()}/graphql"],
                            env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_the_notifier_serves_health_and_metrics_without_nats(tmp_path: Path) -> None:
    subscriptions = write_subscriptions(tmp_path / "notify", [("vksnd-ha-noi", "enforcement_supervision", None, "t")])
    port = free_port()
    process = _start(tmp_path, subscriptions, port)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"notifier not up: {process.communicate()[1].decode()[-2000:]}")
                time.sleep(0.1)
        assert health.status_code == 200
        assert health.json() == {"status": "ok", "exchange": "notifier", "subscriptions": 1, "nats": "unreachable"}
        metrics = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2).text
        assert "lienthong_notify_subscriptions 1.0" in metrics and "lienthong_notify_nats_connected 0.0" in metrics
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_broken_subscriptions_file_refuses_to_start(tmp_path: Path) -> None:
    broken = tmp_path / "subscriptions.json"
    broken.write_text('{"agency": "not a list"}')
    process = _start(tmp_path, broken, free_port())
    _, err = process.communicate(timeout=20)
    assert process.returncode == 2 and b"a JSON list of subscriptions" in err
