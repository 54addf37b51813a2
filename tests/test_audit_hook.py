"""The pipeline's audit hook backed by the store: conversion, outcomes, categories, fail closed."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from test_audit_helpers import SUBJECT_A, Raw, audit_url_fixture, store_fixture  # noqa: F401

from gateway.audit import AuditStore, AuditUnavailable, PipelineAudit
from gateway.auth import Caller, DeclaredPurpose, Role
from gateway.pipeline import AuditRecord as PipelineRecord


def pipeline_record(**over) -> PipelineRecord:
    fields = dict(
        request_id="rid-1", at=time.time(),
        caller=Caller("tham-phan-01", "tand-ha-noi", "court", "001", Role.AGENCY, "iss", "jti-1"),
        purpose=DeclaredPurpose("criminal_proceedings", "Bản án 15/2024/HS-ST"), operation_name="Q",
        document_hash="h", coordinates=["Person.fullName", "Person.sentences", "Query.person"],
        decision=SimpleNamespace(decision_id="dec-9", policy_version="2025.1"),
        policy={"decisionId": "dec-9", "policyVersion": "2025.1", "masked": [
            {"path": ["person", "fullName"], "coordinate": "Person.fullName", "effect": "mask", "mask": "initials",
             "reason": "names"}]},
        subjects=[SUBJECT_A], outcome="ok", error_codes=[], status=200, duration_ms=3.0,
    )
    fields.update(over)
    return PipelineRecord(**fields)


async def test_converts_and_records(store: AuditStore, audit_url: str):
    hook = PipelineAudit(store, {"Person.fullName": "BASIC", "Person.sentences": "CRIMINAL", "Query.person": "BASIC"})
    receipt = await hook.record(pipeline_record())
    row = Raw(audit_url).row(receipt.seq)
    assert (row["account"], row["agency"], row["role"], row["purpose"]) == (
        "tham-phan-01", "tand-ha-noi", "agency", "criminal_proceedings")
    assert row["outcome"] == "masked"  # masks without errors still count as masked
    assert row["categories"] == '["BASIC","CRIMINAL"]' and row["decision_id"] == "dec-9"
    assert '"mask":"initials"' in row["effects"] and '"path":"person.fullName"' in row["effects"]
    refused = await hook.record(pipeline_record(outcome="refused", status=403, subjects=[], policy=None,
                                                error_codes=["PURPOSE_NOT_PERMITTED"], decision=None))
    row = Raw(audit_url).row(refused.seq)
    assert (row["outcome"], row["http_status"], row["error_code"]) == ("refused", 403, "PURPOSE_NOT_PERMITTED")


async def test_fails_closed(store: AuditStore):
    await store.close()
    with pytest.raises(AuditUnavailable) as info:
        await PipelineAudit(store).record(pipeline_record())
    assert (info.value.code, info.value.status) == ("AUDIT_UNAVAILABLE", 503)
