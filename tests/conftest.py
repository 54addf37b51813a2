"""Fixtures shared by the whole suite: PostgreSQL scratch databases and internal keys."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from gateway.keys import InternalTokenMinter, load_or_create_internal_key
from subgraphs.common.internal_auth import InternalTokenVerifier
from subgraphs.common.settings import INTERNAL_ISSUER
from tests.postgres import create_database, drop_database, unreachable_reason


@pytest.fixture(scope="session")
def pg_available() -> None:
    reason = unreachable_reason()
    if reason:
        print(f"SKIP: {reason}")
        pytest.skip(reason)


@pytest.fixture
def pg_database(pg_available: None) -> Iterator[Callable[[], str]]:
    """Factory of fresh PostgreSQL databases (asyncpg URLs), dropped after the test."""
    created: list[str] = []

    def make() -> str:
        created.append(create_database())
        return created[-1]

    yield make
    for url in created:
        drop_database(url)


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
