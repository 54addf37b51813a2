"""The bench data set: seeded once per (size, seed, backend) with ``python -m subgraphs.seed``, then reused.

SQLite: ``<out>/data/p<people>-s<seed>/{population,civil_status,sentences}.db``. PostgreSQL (``--postgres``): a
database of its own, ``lt_bench_p<people>_s<seed>`` on 127.0.0.1:5432 (user postgres), shared by the three
subgraphs as in production. A ``dataset.json`` written after a successful seed marks the set as complete and
records a fingerprint of the code that generated it (seed generator, writers, models, migrations); a set without
it (an interrupted seed) or with another fingerprint (the generator changed) is wiped and seeded again. The
directory also holds the keys (internal and development) of the bench stack, so that tokens minted for one run
stay valid for the next.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text

from .options import REPO_ROOT
from .queries import Ids
from .tokens import ensure_internal_key

PG_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
SUBGRAPHS = ("population", "civil_status", "sentences")
MARKER = "dataset.json"


@dataclass(frozen=True, slots=True)
class Dataset:
    """Where a seeded data set lives and how the subgraphs reach it."""

    people: int
    seed: int
    directory: Path  # LT_DATA_DIR of the bench stack: keys, SQLite files, marker
    postgres_url: str | None = None  # async URL shared by the subgraphs, or None for SQLite files

    def database_url(self, subgraph: str) -> str:
        if self.postgres_url:
            return self.postgres_url
        return f"sqlite+aiosqlite:///{self.directory / f'{subgraph}.db'}"

    def env(self) -> dict[str, str]:
        """Environment entries that point a subgraph, the seeder or the gateway at this data set."""
        env = {"LT_DATA_DIR": str(self.directory)}
        for name in SUBGRAPHS:
            env[f"{name.upper()}_DATABASE_URL"] = self.database_url(name)
        return env

    @property
    def complete(self) -> bool:
        """Seeded to the end, by the current seed code."""
        try:
            stored = json.loads((self.directory / MARKER).read_text())
        except (OSError, ValueError):
            return False
        return stored.get("fingerprint") == code_fingerprint()


def code_fingerprint(root: Path = REPO_ROOT) -> str:
    """A hash of the code that decides what a seeded data set contains."""
    patterns = ("subgraphs/seed/*.py", "subgraphs/*/seed*.py", "subgraphs/*/models.py",
                "subgraphs/*/migrations/versions/*.py")
    digest = hashlib.sha256()
    for path in sorted({p for pattern in patterns for p in root.glob(pattern)}):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def locate(out_dir: Path, people: int, seed: int, postgres: bool) -> Dataset:
    """The data set for these parameters (not necessarily seeded yet)."""
    suffix = "-pg" if postgres else ""
    directory = out_dir / "data" / f"p{people}-s{seed}{suffix}"
    url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/lt_bench_p{people}_s{seed}" if postgres else None
    return Dataset(people, seed, directory, url)


def recreate_postgres(name: str) -> None:
    """Drop (if present) and create the PostgreSQL database ``name`` on 127.0.0.1:5432."""
    import psycopg

    with psycopg.connect(PG_ADMIN_DSN, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def ensure_seeded(ds: Dataset, base_env: Mapping[str, str], log: Path) -> dict[str, object]:
    """Seed ``ds`` unless a complete set is already there; returns the seeder's summary (or the stored one)."""
    if ds.complete:
        return json.loads((ds.directory / MARKER).read_text())
    if ds.directory.exists():
        (ds.directory / MARKER).unlink(missing_ok=True)
        for name in SUBGRAPHS:  # an interrupted seed, or one by other seed code: start over
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{ds.directory / name}.db{suffix}").unlink(missing_ok=True)
    ds.directory.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "subgraphs.seed", "--people", str(ds.people), "--seed", str(ds.seed)]
    if ds.postgres_url:
        recreate_postgres(ds.postgres_url.rsplit("/", 1)[1])
        argv += ["--database-url", ds.postgres_url]
    env = {**base_env, **ds.env()}
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        proc = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=out, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"seeding failed ({proc.returncode}); see {log}")
    summary = {**json.loads(proc.stdout), "fingerprint": code_fingerprint()}
    (ds.directory / MARKER).write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    return summary


def prepare(ds: Dataset, base_env: Mapping[str, str], log: Path) -> tuple[dict[str, str], Ids]:
    """Seed ``ds`` unless it is complete (its output to ``log``) and create the stack's internal key; the
    environment of the stack's children and the ids the queries draw from."""
    ensure_seeded(ds, base_env, log)
    env = {**base_env, **ds.env()}
    ensure_internal_key(env)
    return env, pick_ids(ds)


def _sync(url: str) -> str:
    return url.replace("sqlite+aiosqlite", "sqlite").replace("postgresql+asyncpg", "postgresql+psycopg")


def pick_ids(ds: Dataset, limit: int = 20_000) -> Ids:
    """Real ids from the data set: a sample of persons, persons with sentences, provinces with sentences."""
    def rows(subgraph: str, sql: str) -> list[str]:
        engine = create_engine(_sync(ds.database_url(subgraph)))
        try:
            with engine.connect() as conn:
                return [str(r[0]) for r in conn.execute(text(sql), {"limit": limit})]
        finally:
            engine.dispose()

    # a deterministic spread over the table instead of its first rows (ids are ordered by province)
    persons = rows(
        "population",
        "SELECT personal_id FROM person WHERE date_of_death IS NULL AND missing_since IS NULL "
        "ORDER BY substr(personal_id, 7, 6), personal_id LIMIT :limit",
    )
    offenders = rows(
        "sentences",
        "SELECT DISTINCT offender_personal_id FROM sentence WHERE offender_personal_id IS NOT NULL "
        "ORDER BY offender_personal_id LIMIT :limit",
    )
    provinces = rows("sentences", "SELECT DISTINCT province_code FROM sentence ORDER BY province_code")
    if not persons:
        raise RuntimeError(f"no persons in {ds.database_url('population')}")
    return Ids(persons=persons, offenders=offenders, provinces=provinces)


def remove(ds: Dataset) -> None:
    """Delete a data set (files and, for PostgreSQL, its database)."""
    if ds.postgres_url:
        import psycopg

        with psycopg.connect(PG_ADMIN_DSN, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{ds.postgres_url.rsplit("/", 1)[1]}" WITH (FORCE)')
    shutil.rmtree(ds.directory, ignore_errors=True)


def base_environment() -> dict[str, str]:
    """The harness's environment minus variables that would point a child at the developer's own stack."""
    def foreign(name: str) -> bool:
        return (
            name in ("DATABASE_URL", "LT_DATA_DIR", "INTERNAL_JWKS_FILE", "INTERNAL_ISSUER")
            or name.startswith("GATEWAY_")
            or name.endswith(("_URL", "_HOST", "_PORT"))
        )

    env = {k: v for k, v in os.environ.items() if not foreign(k)}
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env
