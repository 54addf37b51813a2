"""Issue 11 (d): operation limits before validation, each with its limit code; no field suggestions in production."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest

from gateway.config import GatewaySettings
from gateway.errors import GatewayError
from gateway.supergraph import load_supergraph
from gateway.supergraph.documents import DocumentCache
from gateway.supergraph.limits import OperationLimits, count_tokens, strip_suggestions
from tests.fixtures.harness import SUPERGRAPH

SCHEMA = load_supergraph(SUPERGRAPH).api_schema
LIMITS = OperationLimits(max_tokens=200, max_depth=4, max_aliases=3, max_root_fields=3, max_directives=4)


def refusal(query: str, limits: OperationLimits = LIMITS, operation_name: str | None = None) -> dict:
    with pytest.raises(GatewayError) as info:
        DocumentCache(SCHEMA, limits=limits).get(query, operation_name)
    error = info.value.to_errors()[0]
    assert info.value.status == 400
    return {"code": error["extensions"]["code"], **error["extensions"], "message": error["message"]}


def accepted(query: str, limits: OperationLimits = LIMITS) -> None:
    DocumentCache(SCHEMA, limits=limits).get(query, None)


def test_each_limit_has_its_code():
    accepted('{ a: person(id: "1") { name } b: person(id: "2") { name } c: person(id: "3") { name } }')
    r = refusal('{ ' + " ".join(f'a{i}: person(id: "{i}") {{ name }}' for i in range(4)) + " }")
    assert (r["code"], r["limitCode"], r["maxAliases"], r["measured"]) == (
        "QUERY_TOO_COMPLEX", "MAX_ALIASES_LIMIT", 3, 4)
    r = refusal('{ person(id: "1") { name } slowPing firstPeople { name } search(term: "x") { __typename } }')
    assert r["limitCode"] == "MAX_ROOT_FIELDS_LIMIT" and r["measured"] == 4
    r = refusal('{ person(id: "1") { name @skip(if: false) @skip(if: false) @skip(if: false) '
                'id @include(if: true) @include(if: true) } }')
    assert r["limitCode"] == "MAX_DIRECTIVES_LIMIT" and r["measured"] == 5
    r = refusal("{ " + "person(id: \"1\") { name } " + "x " * 300 + "}")
    assert r["limitCode"] == "MAX_TOKENS_LIMIT" and r["maxTokens"] == 200


def test_fragments_count_with_their_uses_and_depth_is_pre_validation():
    fragment = 'fragment F on Person { x: name y: id }'
    r = refusal('{ person(id: "1") { ...F ...F } } ' + fragment)  # 2 uses x 2 aliases
    assert r["limitCode"] == "MAX_ALIASES_LIMIT" and r["measured"] == 4
    deep = '{ person(id: "1") { records { person { records { id } } } } }'
    r = refusal(deep)
    assert r["limitCode"] == "MAX_DEPTH_LIMIT" and r["measured"] == 5 and r["maxDepth"] == 4
    # checked before validation: an invalid field below the limit is never validated
    with mock.patch("gateway.supergraph.documents.validate") as validate:
        refusal('{ person(id: "1") { nope { nope { nope { nope { nope } } } } } }')
        validate.assert_not_called()
    # a fragment cycle does not hang the walk; validation reports it
    r = refusal('{ person(id: "1") { ...A } } fragment A on Person { ...B } fragment B on Person { ...A }')
    assert r["code"] == "GRAPHQL_VALIDATION_FAILED"


def test_token_count_stops_at_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    # counted, not timed: the lexer is asked for no token past the limit of a 2-million-token bomb
    from gateway.supergraph import limits

    advanced = 0
    advance = limits.Lexer.advance

    def counting(self: Any) -> Any:
        nonlocal advanced
        advanced += 1
        return advance(self)

    monkeypatch.setattr(limits.Lexer, "advance", counting)
    bomb = "{ " + "a " * 2_000_000 + "}"
    assert count_tokens(bomb, 5001) == 5001
    assert advanced == 5001
    assert count_tokens("# a comment only\n{ a }", 100) == 3
    assert count_tokens('{ a(s: "unterminated', 100) >= 3  # lexing errors are left to the parser


def test_defaults_and_settings():
    settings = GatewaySettings.from_env({})
    assert (settings.max_tokens, settings.max_depth, settings.max_aliases, settings.max_root_fields,
            settings.max_directives, settings.field_suggestions) == (5000, 15, 30, 20, 50, True)
    assert not GatewaySettings.from_env({"GATEWAY_ENV": "production", "GATEWAY_PSEUDONYM_KEY": "k"}).field_suggestions
    assert GatewaySettings.from_env({"GATEWAY_MAX_ALIASES": "0"}).max_aliases == 0


def test_no_field_suggestions_when_off():
    query = '{ person(id: "1") { nme } }'
    with pytest.raises(GatewayError) as on:
        DocumentCache(SCHEMA).get(query, None)
    assert "Did you mean" in on.value.to_errors()[0]["message"]
    with pytest.raises(GatewayError) as off:
        DocumentCache(SCHEMA, suggestions=False).get(query, None)
    message = off.value.to_errors()[0]["message"]
    assert "Did you mean" not in message and "nme" in message and "'name'" not in message
    assert strip_suggestions("Unknown argument 'i'. Did you mean 'id' or 'ids'?") == "Unknown argument 'i'."
