"""Fixtures shared by the whole suite: PostgreSQL scratch databases and internal keys."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from gateway.keys import InternalTokenMinter, load_or_create_internal_key
from subgraphs.common.internal_auth import InternalTokenVerifier
from subgraphs.common.settings import INTERNAL_ISSUER

PG_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"


def _pg_unreachable_reason() -> str | None:
    import psycopg

    try:
        with psycopg.connect(PG_ADMIN_DSN, connect_timeout=3):
            return None
    except Exception as exc:  # noqa: BLE001 - any failure means "cannot reach the server"
        return f"PostgreSQL at 127.0.0.1:5432 unreachable: {exc}"


@pytest.fixture(scope="session")
def pg_available() -> None:
    reason = _pg_unreachable_reason()
    if reason:
        print(f"SKIP: {reason}")
        pytest.skip(reason)


@pytest.fixture
def pg_database(pg_available: None) -> Iterator[Callable[[], str]]:
    """Factory of fresh PostgreSQL databases (asyncpg URLs), dropped after the test."""
    import psycopg

    created: list[str] = []

    def make() -> str:
        name = f"lt_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        return f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"

    yield make
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        for name in created:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class InternalKeys:
    """Gateway internal keys generated for one test: mint tokens, build verifiers."""

    def __init__(self, directory: Path) -> None:
        self.private_path = directory / "internal-signing.jwk.json"
        self.jwks_path = directory / "internal-jwks.json"
        self.minter = InternalTokenMinter(load_or_create_internal_key(self.private_path, self.jwks_path))

    def verifier(self, subgraph: str) -> InternalTokenVerifier:
        return InternalTokenVerifier.from_file(self.jwks_path, INTERNAL_ISSUER, f"lienthong-subgraph:{subgraph}")

    def headers(self, subgraph: str, **claims: str) -> dict[str, str]:
        claims.setdefault("sub", "test-account")
        return {"Authorization": f"Bearer {self.minter.mint(subgraph, **claims)}"}


@pytest.fixture
def internal_keys(tmp_path: Path) -> InternalKeys:
    return InternalKeys(tmp_path / "keys")
