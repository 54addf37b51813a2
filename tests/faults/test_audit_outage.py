"""The audit store goes away under load (SQLite locked by another writer; the PostgreSQL audit table renamed
away or locked): every request answered while it is down is 503 ``AUDIT_UNAVAILABLE`` with no data; requests
succeed again without restarting the gateway; the hash chain verifies afterwards (``audit verify``)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.faults.support import (
    OFFENDER_QUERY,
    DevStack,
    Load,
    Sample,
    audit_verify,
    extra_gateway,
    outage_under_load,
    report,
)

AUDIT_TIMEOUT_S = 1.0


def _served(sample: Sample) -> bool:
    return sample.status == 200 and bool(((sample.data or {}).get("person") or {}).get("fullName"))


def _refused(sample: Sample, offender: str) -> bool:
    return (sample.status == 503 and sample.codes == ["AUDIT_UNAVAILABLE"] and not sample.data
            and offender not in str(sample.body))


class SqliteLock:
    """Another process's write transaction on the audit database (``BEGIN EXCLUSIVE``), held until released."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None, timeout=10, check_same_thread=False)

    def down(self) -> None:
        self.conn.execute("BEGIN EXCLUSIVE")

    def up(self) -> None:
        self.conn.execute("COMMIT")
        self.conn.close()


class PostgresTable:
    """The audit table made unavailable: renamed away, or locked by a transaction held open."""

    def __init__(self, url: str, how: str) -> None:
        import psycopg

        self.how = how
        self.conn = psycopg.connect(url.replace("postgresql+asyncpg://", "postgresql://"), autocommit=how == "renamed")

    def down(self) -> None:
        if self.how == "renamed":
            self.conn.execute("ALTER TABLE audit_log RENAME TO audit_log_offline")
        else:
            self.conn.execute("LOCK TABLE audit_log IN ACCESS EXCLUSIVE MODE")

    def up(self) -> None:
        if self.how == "renamed":
            self.conn.execute("ALTER TABLE audit_log_offline RENAME TO audit_log")
        else:
            self.conn.commit()
        self.conn.close()


def _access_records(url: str) -> int:
    """Access records in the store (for the figures: how many requests it holds a record of)."""
    sql = "SELECT count(*) FROM audit_log WHERE kind = 'access'"
    if url.startswith("sqlite"):
        with sqlite3.connect(url.split(":///", 1)[1]) as conn:
            return int(conn.execute(sql).fetchone()[0])
    import psycopg

    with psycopg.connect(url.replace("postgresql+asyncpg://", "postgresql://")) as conn:
        row = conn.execute(sql).fetchone()
        return int(row[0]) if row else 0


@pytest.fixture(params=["sqlite-locked", "postgresql-renamed", "postgresql-locked"])
def audit_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str, Callable[[], object]]]:
    """(case, database URL, factory of the outage) for each kind of store."""
    case = request.param
    if case.startswith("sqlite"):
        path = tmp_path / "audit.db"
        yield case, f"sqlite+aiosqlite:///{path}", lambda: SqliteLock(path)
        return
    make_db = request.getfixturevalue("pg_database")
    url = make_db()
    yield case, url, lambda: PostgresTable(url, case.split("-", 1)[1])


async def test_audit_outage_under_load_fails_closed_and_recovers(dev: DevStack, tmp_path: Path,
                                                                 audit_store: tuple[str, str, Callable[[], object]]
                                                                 ) -> None:
    case, url, make_outage = audit_store
    offender = dev.adult_offender()
    settings = {"GATEWAY_AUDIT_DATABASE_URL": url, "GATEWAY_AUDIT_TIMEOUT": str(AUDIT_TIMEOUT_S),
                "GATEWAY_AUDIT_WITNESS": f"file:{tmp_path / 'witness.jsonl'}"}
    with ExitStack() as services:
        gateway = extra_gateway(dev, services, f"gateway-audit-{case}", **settings)
        headers = dev.headers()
        body = {"query": OFFENDER_QUERY, "variables": {"id": offender}}
        load = Load(gateway, lambda i: (body, headers, None), concurrency=6)
        outage = make_outage()
        seen = await outage_under_load(load, outage.down, outage.up, _served,
                                           after_s=AUDIT_TIMEOUT_S + 2.0)  # type: ignore[attr-defined]
    samples = load.samples
    assert not load.errors, load.errors[:3]
    assert {s.status for s in samples} <= {200, 503}, sorted({s.status for s in samples})
    assert all(_served(s) for s in samples if s.status == 200)
    assert all(_refused(s, offender) for s in samples if s.status == 503), \
        [s.body for s in samples if s.status == 503 and not _refused(s, offender)][:2]
    before = seen.before
    assert before and all(_served(s) for s in before)
    inside = seen.inside
    assert inside, "no request was answered while the audit store was down"
    assert all(s.status == 503 for s in inside), [(s.status, s.start - seen.down_at) for s in inside if s.status != 503]
    recovered = seen.recovered(_served)
    assert recovered is not None, "no request succeeded after the audit store came back (without a restart)"
    late = [s for s in samples if s.start > seen.up_at + AUDIT_TIMEOUT_S + 1.0]
    assert late and all(_served(s) for s in late), [s.body for s in late if not _served(s)][:2]
    verified = audit_verify({**dev.env, **settings}, url)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    served = sum(s.status == 200 for s in samples)
    recorded = _access_records(url)
    # Every answered request has its record; a request refused after its record had been queued may have one
    # too (committed once the store came back, after the 503): the trail over-reports, it never under-reports.
    assert recorded >= served, (recorded, served)
    report(f"audit-{case}", requests=len(samples), five_xx=len(load.five_xx),
           audit_unavailable=sum(s.status == 503 for s in samples), inside_outage=len(inside),
           served=served, recorded=recorded, outage_s=seen.up_at - seen.down_at,
           recovery_s=recovered.end - seen.up_at, verify=verified.stdout.strip().splitlines()[-1][:60])
