"""Mask functions and row predicates."""

from __future__ import annotations

import datetime as dt

import pytest

from gateway.policy.masks import (
    apply_mask,
    initials,
    mask_fits,
    partial,
    province_only,
    pseudonym,
    redact,
    year_only,
)
from gateway.policy.rows import latest_birth_date, matches

KEY = b"k"


def test_masks() -> None:
    assert redact("Nguyễn 12") == "Xxxxxx nn"
    assert partial("001090123456") == "********3456"
    assert partial("abc") == "***"  # too short to keep anything
    assert initials("Nguyễn Văn An") == "N. V. A."
    assert year_only("1990-05-17") == "1990" and year_only("1990") == "1990"
    assert province_only("12 Hàng Bài, Hoàn Kiếm, Thành phố Hà Nội") == "Thành phố Hà Nội"
    with pytest.raises(ValueError):
        year_only("unknown")


def test_pseudonym_is_keyed_and_stable_per_purpose() -> None:
    a = pseudonym("001090123456", key=KEY, purpose="statistics")
    assert a == pseudonym("001090123456", key=KEY, purpose="statistics")
    assert a != pseudonym("001090123456", key=KEY, purpose="other")
    assert a != pseudonym("001090123456", key=b"other-key", purpose="statistics")
    assert "001090123456" not in a


def test_masks_keep_types_valid() -> None:
    assert mask_fits("year_only", "PartialDate") and not mask_fits("year_only", "Int")
    assert mask_fits("redact", "String") and not mask_fits("redact", "Sex")  # an enum cannot be redacted
    assert not mask_fits("initials", "Boolean")
    assert apply_mask("initials", ["An Bình", None], key=KEY, purpose=None) == ["A. B.", None]
    with pytest.raises(ValueError):
        apply_mask("redact", 3, key=KEY, purpose=None)


def test_partial_dates_are_read_conservatively() -> None:
    assert latest_birth_date("2008") == dt.date(2008, 12, 31)
    assert latest_birth_date("2008-02") == dt.date(2008, 2, 29)
    assert latest_birth_date("2008-12") == dt.date(2008, 12, 31)
    assert latest_birth_date("x") is None


def test_predicates() -> None:
    today = dt.date(2026, 6, 1)
    minor = {"attr": "dateOfBirth", "op": "age_under", "value": 18, "if_unknown": True}
    assert matches(minor, {"dateOfBirth": "2008-12"}, today)  # could still be 17
    assert not matches(minor, {"dateOfBirth": "2008-05-31"}, today)
    assert matches(minor, {"dateOfBirth": None}, today)  # unknown: restrictive
    scope = {"attr": "registrationProvinceCode", "op": "ne", "value": "001", "if_unknown": True}
    assert matches(scope, {"registrationProvinceCode": "079"}, today)
    assert not matches(scope, {"registrationProvinceCode": "001"}, today)
    dead = {"any": [{"attr": "dateOfDeath", "op": "present"}, {"attr": "missingSince", "op": "present"}]}
    assert matches(dead, {"dateOfDeath": None, "missingSince": "2020"}, today)
    assert not matches(dead, {"dateOfDeath": None}, today)
    assert matches({"attr": "cellCount", "op": "lt", "value": 5, "if_unknown": False}, {"cellCount": 3}, today)
    with pytest.raises(ValueError):
        matches({"attr": "a", "op": "bogus"}, {"a": 1}, today)
