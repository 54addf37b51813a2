"""gateway.admin_cli: the exit codes and messages of the administrative commands, and what it closes."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.admin_cli import run_command
from gateway.audit import AuditUnavailable
from gateway.store import StoreUnavailable


class _Closable:
    def __init__(self) -> None:
        self.closed = False

    async def close(self) -> None:
        self.closed = True


def test_results_refusals_and_outages(capsys: pytest.CaptureFixture[str]) -> None:
    store, audit = _Closable(), _Closable()

    async def opened() -> tuple[Any, ...]:
        return store, audit, "registry"

    async def ok(registry: str) -> Any:
        return {"registry": registry}

    assert run_command("things", opened, ok, []) == 0
    assert '"registry": "registry"' in capsys.readouterr().out and store.closed and audit.closed

    async def bad(_registry: str) -> Any:
        raise ValueError("nope")

    assert run_command("things", opened, bad, [(ValueError, 1, lambda exc: f"x: {exc}")]) == 1
    assert capsys.readouterr().err == "things: x: nope\n"

    async def unaudited(_registry: str) -> Any:
        raise AuditUnavailable("down")

    assert run_command("things", opened, unaudited, []) == 2
    assert "things: not changed, the audit trail is unavailable: down" in capsys.readouterr().err

    async def no_store() -> tuple[Any, ...]:
        raise StoreUnavailable("no database")

    assert run_command("things", no_store, ok, []) == 2
    assert capsys.readouterr().err == "things: no database\n"
    with pytest.raises(KeyError):  # an unknown failure is a bug: not hidden behind an exit code
        run_command("things", opened, lambda _r: _raise(KeyError("k")), [])


async def _raise(exc: BaseException) -> Any:
    raise exc
