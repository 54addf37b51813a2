"""Credentials and headers of the bench callers.

* Our gateway and Apollo Gateway get the same caller headers. Our gateway checks them (JWT, purpose, legal basis);
  Apollo Gateway ignores them, and its runner signs its own internal tokens for the subgraphs.
* The direct target gets an internal token, as the gateway would send. Internal tokens live at most
  ``subgraphs.common.internal_auth.MAX_TTL_SECONDS``, so one is minted for each measured run.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass

from subgraphs.common.internal_auth import MAX_TTL_SECONDS

CALLERS = {
    # caller -> (agency id in policies/data/agencies.json, account, purpose, legal basis)
    # a criminal enforcement body (C10): its kind keeps the declared legal basis for CRIMINAL data (000 Art. 13.1);
    # a court now needs a grant of the registry covering each person (000 Art. 13.3), which a random mix has not
    "enforcement": ("c10-bca", "bench-enforcement-officer", "sentence_enforcement",
                    "Quyet dinh thi hanh an so 12/2025/QD-CA"),
    "statistics": ("cuc-thong-ke", "bench-statistician", "statistics", None),
}
INTERNAL_TTL_S = MAX_TTL_SECONDS  # as long as the subgraphs accept (they refuse longer-lived internal tokens)


@dataclass(frozen=True, slots=True)
class CallerTokens:
    """Caller JWTs (development key of the bench data dir), by caller name."""

    tokens: Mapping[str, str]

    def headers(self, caller: str) -> dict[str, str]:
        """The HTTP headers a client of the gateway sends for ``caller``."""
        _agency, _sub, purpose, basis = CALLERS[caller]
        headers = {
            "Content-Type": "application/json",
            "Authorization": f"Bearer {self.tokens[caller]}",
            "X-Purpose": purpose,
        }
        if basis:
            headers["X-Legal-Basis"] = basis
        return headers


def mint_caller_tokens(env: Mapping[str, str], ttl: str = "12h") -> CallerTokens:
    """Mint one development token per caller with ``python -m gateway token`` (the public CLI)."""
    tokens = {}
    for caller, (agency, sub, _purpose, _basis) in CALLERS.items():
        proc = subprocess.run(
            [sys.executable, "-m", "gateway", "token", "--agency", agency, "--sub", sub, "--ttl", ttl],
            env=dict(env), capture_output=True, text=True, check=False,
        )
        if proc.returncode != 0 or not proc.stdout.strip():
            raise RuntimeError(f"gateway token failed for {caller}: {proc.stderr.strip()}")
        tokens[caller] = proc.stdout.strip().splitlines()[-1]
    return CallerTokens(tokens)


def internal_headers(env: Mapping[str, str], subgraph: str) -> dict[str, str]:
    """Headers of a direct subgraph call: a fresh internal token (the longest lifetime accepted) for ``subgraph``."""
    from gateway.keys import InternalTokenMinter, key_paths, load_or_create_internal_key

    minter = InternalTokenMinter(load_or_create_internal_key(*key_paths(dict(env))), ttl=INTERNAL_TTL_S)
    token = minter.mint(subgraph, sub="bench-direct", agency="tandtc", purpose="criminal_proceedings")
    return {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}


def ensure_internal_key(env: Mapping[str, str]) -> None:
    """Create the bench stack's internal key pair (and JWKS for the subgraphs) if absent."""
    from gateway.keys import key_paths, load_or_create_internal_key

    load_or_create_internal_key(*key_paths(dict(env)))
