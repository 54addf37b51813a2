"""Signed checkpoints of the audit chain: the gateway's audit key, and the JWS that carries a checkpoint.

A checkpoint says "the chain ``chain`` had head ``head`` at ``seq``, at time ``at``", signed by the gateway's
Ed25519 audit key (JWS compact, ``alg: Ed25519`` per RFC 9864, ``kid`` of the key). Whoever holds only the
database account can neither make one nor change one, so checkpoints kept outside the database (the witness)
pin the chain: a rewrite, a truncation behind a checkpoint or a forged prune anchor no longer verifies.

``kind`` is ``periodic`` (every N records or T seconds), ``close`` (the store stopped) or ``prune`` (a prune
anchor: ``first_kept`` and ``preceding`` repeat the anchor's ``anchor_seq`` / ``anchor_hash``, so only an anchor
the gateway signed can account for deleted records).

Keys: the private JWK (mode 0600) beside the internal key under ``$LT_DATA_DIR/keys``; its public half is added to
a JWKS (the verify keys) that ``audit verify`` trusts, so old keys stay verifiable after a rotation.
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, OKPKey

from .record import utc_text

ALG = "Ed25519"
VERSION = 1
KINDS = ("periodic", "close", "prune")


class SigningKeyMissing(RuntimeError):
    """Production was not given the audit signing key (it is never created there)."""


class BadCheckpoint(ValueError):
    """A checkpoint whose signature, key or payload does not verify."""


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A verified (or freshly signed) checkpoint; ``token`` is the JWS compact text that proves it."""

    chain: str
    seq: int
    head: str
    at: str
    kind: str
    kid: str
    token: str
    first_kept: int | None = None
    preceding: str | None = None

    def row(self) -> dict[str, Any]:
        """The ``audit_checkpoints`` row (the columns repeat the signed payload for queries)."""
        return {"seq": self.seq, "kind": self.kind, "at": self.at, "head_hash": self.head,
                "first_kept": self.first_kept, "token": self.token}


def _write_new(path: Path, text: str, mode: int) -> bool:
    """Create ``path`` with ``text`` atomically; False if it already exists (another process won the race)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)  # link, not rename: never replaces a key another process just wrote
        except FileExistsError:
            return False
        return True
    finally:
        os.unlink(tmp)


def _add_public(public_path: Path, key: OKPKey) -> None:
    """Add ``key``'s public half to the JWKS at ``public_path`` (kept keys verify older checkpoints)."""
    existing = json.loads(public_path.read_text()) if public_path.exists() else {"keys": []}
    if any(k.get("kid") == key.kid for k in existing.get("keys", [])):
        return
    existing.setdefault("keys", []).append(key.as_dict(private=False))
    public_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=public_path.parent, prefix=".tmp-")
    with os.fdopen(fd, "w") as fh:
        json.dump(existing, fh)
    os.replace(tmp, public_path)


def generate_key(private_path: Path, public_path: Path) -> OKPKey:
    """Create a new Ed25519 audit key at ``private_path`` (refusing to overwrite) and publish it."""
    key = OKPKey.generate_key("Ed25519", parameters={"kid": f"audit-{uuid.uuid4().hex[:12]}", "use": "sig",
                                                     "alg": ALG})
    if not _write_new(private_path, json.dumps(key.as_dict(private=True)), 0o600):
        raise FileExistsError(f"{private_path} exists: an audit key is never overwritten")
    _add_public(public_path, key)
    return key


def load_signing_key(private_path: Path, public_path: Path, *, create: bool) -> OKPKey:
    """The audit signing key; created on first use only when ``create`` (never in production).

    Its public half must be in the verify keys: added when ``create``, otherwise a missing entry is an error
    (every checkpoint would be unverifiable).
    """
    if not private_path.exists():
        if not create:
            raise SigningKeyMissing(
                f"audit signing key {private_path} is missing; production must be given one "
                "(GATEWAY_AUDIT_SIGNING_KEY_FILE; create it with `python -m gateway audit keygen`)")
        try:
            generate_key(private_path, public_path)
        except FileExistsError:
            pass  # another process created it first: use theirs
    key = OKPKey.import_key(json.loads(private_path.read_text()))
    if key.kid is None:
        raise SigningKeyMissing(f"audit signing key {private_path} has no kid")
    if create:
        _add_public(public_path, key)
    elif key.kid not in {k.kid for k in load_verify_keys(public_path).keys}:
        raise SigningKeyMissing(f"the public half of audit key {key.kid} is not in {public_path}")
    return key


def load_verify_keys(public_path: Path) -> KeySet:
    """The public keys ``audit verify`` trusts (empty when the file is absent)."""
    if not public_path.exists():
        return KeySet([])
    return KeySet.import_key_set(json.loads(public_path.read_text()))


def sign(key: OKPKey, chain: str, seq: int, head: str, kind: str, *, first_kept: int | None = None,
         preceding: str | None = None, at: str | None = None) -> Checkpoint:
    """A new checkpoint signed with ``key``."""
    assert kind in KINDS and key.kid is not None
    at = at or utc_text()
    payload = {"v": VERSION, "chain": chain, "seq": seq, "head": head, "at": at, "kind": kind,
               "first_kept": first_kept, "preceding": preceding}
    token = jws.serialize_compact({"alg": ALG, "kid": key.kid}, orjson.dumps(payload, option=orjson.OPT_SORT_KEYS),
                                  key, algorithms=[ALG])
    return Checkpoint(chain, seq, head, at, kind, key.kid, token, first_kept, preceding)


def parse(token: str, keys: KeySet) -> Checkpoint:
    """Verify ``token`` against ``keys`` and return its checkpoint; :class:`BadCheckpoint` says why not."""
    try:
        header = jws.extract_compact(token.encode()).headers()
    except (JoseError, ValueError) as exc:
        raise BadCheckpoint(f"not a JWS ({type(exc).__name__})") from exc
    kid = header.get("kid")
    if header.get("alg") != ALG:
        raise BadCheckpoint(f"algorithm {header.get('alg')!r} is not {ALG}")
    key = next((k for k in keys.keys if k.kid == kid), None)
    if key is None:
        raise BadCheckpoint(f"signed by unknown key {kid!r} (not in the verify keys)")
    try:
        payload = orjson.loads(jws.deserialize_compact(token, key, algorithms=[ALG]).payload)
    except (JoseError, ValueError) as exc:
        raise BadCheckpoint(f"signature does not verify ({type(exc).__name__})") from exc
    try:
        if payload["v"] != VERSION or payload["kind"] not in KINDS:
            raise BadCheckpoint(f"unknown checkpoint version or kind {payload.get('v')}/{payload.get('kind')}")
        return Checkpoint(str(payload["chain"]), int(payload["seq"]), str(payload["head"]), str(payload["at"]),
                          str(payload["kind"]), str(kid), token, payload.get("first_kept"), payload.get("preceding"))
    except (KeyError, TypeError) as exc:
        raise BadCheckpoint(f"malformed payload ({exc})") from exc
