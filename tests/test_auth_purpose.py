"""X-Purpose / X-Legal-Basis: repeats, lists, case, malformed values."""

from __future__ import annotations

import pytest

from gateway.auth import DeclaredPurpose, PurposeHeaderError, read_purpose


def test_reads_purpose_and_basis_case_insensitive_names():
    raw = [(b"x-purpose", b"criminal_proceedings"),
           (b"X-LEGAL-BASIS", "Quyết định khởi tố bị can số 12/QĐ-VKS, ngày 01/02/2025".encode())]
    declared = read_purpose(raw)
    assert declared == DeclaredPurpose("criminal_proceedings", "Quyết định khởi tố bị can số 12/QĐ-VKS, ngày 01/02/2025")
    assert declared.is_catalogue_shaped
    assert read_purpose({"X-Purpose": "statistics"}).purpose == "statistics"


def test_absent_or_empty_is_none():
    assert read_purpose([]) == DeclaredPurpose(None, None)
    assert read_purpose([("X-Purpose", "  "), ("X-Legal-Basis", "")]) == DeclaredPurpose(None, None)


def test_value_case_is_not_folded():
    declared = read_purpose([("X-Purpose", "Criminal_Proceedings")])
    assert declared.purpose == "Criminal_Proceedings"  # the policy refuses it: PURPOSE_NOT_PERMITTED
    assert not declared.is_catalogue_shaped


@pytest.mark.parametrize(
    "raw,why",
    [
        ([("X-Purpose", "statistics"), ("x-purpose", "statistics")], "more than once"),
        ([("X-Purpose", "statistics"), ("X-Purpose", "criminal_proceedings")], "more than once"),
        ([("X-Purpose", "statistics,criminal_proceedings")], "list of purposes"),
        ([("X-Purpose", "statistics, crime_prevention")], "list of purposes"),
        ([("X-Purpose", "criminal proceedings")], "not a purpose identifier"),
        ([("X-Purpose", "stat;drop")], "not a purpose identifier"),
        ([("X-Purpose", "a" * 65)], "not a purpose identifier"),
        ([("X-Legal-Basis", "a"), ("X-Legal-Basis", "b")], "more than once"),
        ([("X-Legal-Basis", "x" * 201)], "longer than 200"),
        ([("X-Legal-Basis", "ok\x07bell")], "non-printable"),
        ([(b"X-Legal-Basis", b"\xff\xfe")], "UTF-8"),
    ],
)
def test_refusals(raw, why):
    with pytest.raises(PurposeHeaderError, match=why) as info:
        read_purpose(raw)
    assert info.value.code == "BAD_USER_INPUT" and info.value.http_status == 400


def test_legal_basis_may_contain_commas_and_200_chars():
    basis = ("Bản án số 15/2024/HS-ST, " * 10)[:200]
    assert read_purpose([("X-Legal-Basis", basis)]).legal_basis == basis.strip()


def test_starlette_headers_show_repeats_and_utf8():
    from starlette.datastructures import Headers

    from gateway.auth import Authenticator, AuthSettings  # noqa: F401 - read_purpose is also the hook method

    repeated = Headers(raw=[(b"x-purpose", b"statistics"), (b"x-purpose", b"crime_prevention")])
    with pytest.raises(PurposeHeaderError, match="more than once"):
        read_purpose(repeated)
    basis = "Bản án số 15/2024/HS-ST"
    ok = Headers(raw=[(b"x-purpose", b"criminal_proceedings"), (b"x-legal-basis", basis.encode())])
    assert read_purpose(ok) == DeclaredPurpose("criminal_proceedings", basis)
