"""Assertions shared by the end-to-end tests (the contract of BRIEF.md: codes, paths, extensions.policy)."""

from __future__ import annotations

from typing import Any

from tests.e2e.support import Reply


def assert_policy(reply: Reply, purpose: str | None) -> dict[str, Any]:
    """``extensions.policy`` is present and complete: decisionId, policyVersion, purpose, masked entries."""
    policy = reply.policy
    assert policy, f"no extensions.policy in {reply.body}"
    assert "decisionId" in policy and isinstance(policy["policyVersion"], str) and policy["policyVersion"]
    assert policy.get("purpose") == purpose, policy
    assert isinstance(policy.get("masked"), list), policy
    for entry in policy["masked"]:
        if "rule" in entry:  # a summary entry (small-cell suppression) is never located
            assert "path" not in entry and "sourceIndex" not in entry, entry
            continue
        assert isinstance(entry["path"], list) and entry["path"], entry
        assert isinstance(entry["coordinate"], str) and entry["coordinate"], entry
        assert "mask" in entry and entry["reason"], entry
    return policy


def assert_decided(reply: Reply, purpose: str | None) -> dict[str, Any]:
    """A 200 answer with a policy decision id."""
    assert reply.status == 200, reply.body
    policy = assert_policy(reply, purpose)
    assert isinstance(policy["decisionId"], str) and policy["decisionId"], policy
    return policy


def assert_refused(reply: Reply, status: int, code: str) -> None:
    """Refused as a whole: the HTTP status, the code, and no data at all."""
    assert reply.status == status, reply.body
    assert code in reply.codes, reply.body
    assert reply.body.get("data") is None, reply.body


def forbidden(reply: Reply) -> dict[tuple[Any, ...], dict[str, Any]]:
    """FORBIDDEN_FIELD errors by path."""
    return {tuple(e.get("path") or ()): e for e in reply.errors
            if (e.get("extensions") or {}).get("code") == "FORBIDDEN_FIELD"}


def masked(reply: Reply) -> dict[tuple[Any, ...], dict[str, Any]]:
    """``extensions.policy.masked`` entries by path."""
    return {tuple(m["path"]): m for m in reply.policy.get("masked", [])}


def assert_withheld(reply: Reply, path: tuple[Any, ...], coordinate: str, reason_part: str = "") -> None:
    """``path`` is null, with a FORBIDDEN_FIELD error there and a ``withhold`` entry in extensions.policy."""
    value: Any = reply.data
    for part in path:
        assert value is not None, f"parent of {path} is null: {reply.body}"
        value = value[part]
    assert value is None, f"{path} leaked: {value!r}"
    error = forbidden(reply).get(path)
    assert error is not None, f"no FORBIDDEN_FIELD at {path}: {reply.errors}"
    assert error["extensions"]["coordinate"] == coordinate
    entry = masked(reply).get(path)
    assert entry is not None and entry["coordinate"] == coordinate and entry["mask"] == "withhold", reply.policy
    assert reason_part in entry["reason"], entry


def text_of(reply: Reply) -> str:
    """Everything the client received, to look for leaked values."""
    import json

    return json.dumps(reply.body, ensure_ascii=False)
