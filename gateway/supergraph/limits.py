"""Operation limits checked before validation (after Apollo Router's and GraphQL Armor's): cheap refusals first.

Validation, planning and the cost estimate all grow with the document, so a hostile document is refused by the
cheapest check that can see the problem:

1. ``max_tokens`` on the raw text, while lexing (the lexer stops at the first token past the limit, so a
   megabyte of ``{a a a …}`` costs ``max_tokens`` tokens, not a parse);
2. after parsing, before validation, one walk of the chosen operation with its fragments expanded (each fragment
   walked once, its counts multiplied by its uses): ``max_depth``, ``max_aliases``, ``max_root_fields``,
   ``max_directives``.

Every refusal has ``extensions.code = "QUERY_TOO_COMPLEX"`` (the contract's code for an operation over a limit)
and ``extensions.limitCode`` naming the limit (``MAX_TOKENS_LIMIT``, ``MAX_DEPTH_LIMIT``, ``MAX_ALIASES_LIMIT``,
``MAX_ROOT_FIELDS_LIMIT``, ``MAX_DIRECTIVES_LIMIT``; Apollo Router's names), with the measured value and the limit.

Field suggestions ("Did you mean …?") in validation messages reveal the schema to a caller who may not
introspect it; :func:`strip_suggestions` removes them (off in production).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    Source,
    TokenKind,
)
from graphql.language.lexer import Lexer

from ..errors import GatewayError

DEFAULT_MAX_TOKENS = 5000
DEFAULT_MAX_DEPTH = 15
DEFAULT_MAX_ALIASES = 30
DEFAULT_MAX_ROOT_FIELDS = 20
DEFAULT_MAX_DIRECTIVES = 50
_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


@dataclass(frozen=True, slots=True)
class OperationLimits:
    """The limits (``GATEWAY_MAX_*``); each must be at least 1."""

    max_tokens: int = DEFAULT_MAX_TOKENS
    max_depth: int = DEFAULT_MAX_DEPTH
    max_aliases: int = DEFAULT_MAX_ALIASES
    max_root_fields: int = DEFAULT_MAX_ROOT_FIELDS
    max_directives: int = DEFAULT_MAX_DIRECTIVES

    def check_text(self, query: str) -> GatewayError | None:
        """``MAX_TOKENS_LIMIT`` when the text has more lexical tokens than allowed; None otherwise (a lexing
        error is left for the parser to report)."""
        count = count_tokens(query, self.max_tokens + 1)
        if count > self.max_tokens:
            return too_complex("MAX_TOKENS_LIMIT", f"Operation has more than {self.max_tokens} tokens.",
                               "maxTokens", self.max_tokens)
        return None

    def check_document(self, document: DocumentNode, operation_name: str | None) -> GatewayError | None:
        """The first limit the chosen operation exceeds, or None (also when the operation or a fragment cannot be
        found: validation reports those)."""
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        if operation_name is not None:
            operations = [o for o in operations if o.name is not None and o.name.value == operation_name]
        if len(operations) != 1:
            return None
        fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        counts = _Counter(fragments)
        root_fields = counts.root_fields(operations[0].selection_set)
        depth, aliases, directives = counts.walk(operations[0].selection_set)
        directives += len(operations[0].directives or ())
        for code, value, limit, what, name in (
            ("MAX_DEPTH_LIMIT", depth, self.max_depth, "depth", "maxDepth"),
            ("MAX_ALIASES_LIMIT", aliases, self.max_aliases, "aliases", "maxAliases"),
            ("MAX_ROOT_FIELDS_LIMIT", root_fields, self.max_root_fields, "root fields", "maxRootFields"),
            ("MAX_DIRECTIVES_LIMIT", directives, self.max_directives, "directives", "maxDirectives"),
        ):
            if value > limit:
                return too_complex(code, f"Operation {what} {value} exceeds the limit of {limit}.", name, limit,
                                   measured=value)
        return None


def too_complex(limit_code: str, message: str, limit_name: str, limit: int, *,
                measured: int | None = None) -> GatewayError:
    """A ``QUERY_TOO_COMPLEX`` refusal naming the limit."""
    extensions: dict[str, object] = {"limitCode": limit_code, limit_name: limit}
    if measured is not None:
        extensions["measured"] = measured
    return GatewayError("QUERY_TOO_COMPLEX", message, extensions=extensions)


def count_tokens(query: str, stop_at: int) -> int:
    """Lexical tokens of ``query`` (punctuators, names, values; comments excluded), counting at most ``stop_at``."""
    lexer = Lexer(Source(query))
    count = 0
    try:
        while count < stop_at:
            if lexer.advance().kind is TokenKind.EOF:
                break
            count += 1
    except GraphQLError:  # a lexing error: the parser reports it with its location
        return count
    return count


class _Counter:
    """Depth, aliases and directives of a selection set, fragments expanded once each (cycles cut: validation
    refuses them)."""

    def __init__(self, fragments: dict[str, FragmentDefinitionNode]) -> None:
        self.fragments = fragments
        self._memo: dict[str, tuple[int, int, int]] = {}
        self._open: set[str] = set()

    def root_fields(self, selection_set: SelectionSetNode) -> int:
        count = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                count += 1
            elif isinstance(selection, InlineFragmentNode):
                count += self.root_fields(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None and fragment.name.value not in self._open:
                    self._open.add(fragment.name.value)
                    count += self.root_fields(fragment.selection_set)
                    self._open.discard(fragment.name.value)
        return count

    def walk(self, selection_set: SelectionSetNode) -> tuple[int, int, int]:
        """(depth, aliases, directives); a leaf field is depth 1, a fragment adds no level."""
        depth = aliases = directives = 0
        for selection in selection_set.selections:
            directives += len(selection.directives or ())
            if isinstance(selection, FieldNode):
                aliases += selection.alias is not None
                d, a, n = self.walk(selection.selection_set) if selection.selection_set else (0, 0, 0)
                d += 1
            elif isinstance(selection, InlineFragmentNode):
                d, a, n = self.walk(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                d, a, n = self._fragment(selection.name.value)
            else:  # pragma: no cover - GraphQL has only the three selection kinds above
                continue
            depth, aliases, directives = max(depth, d), aliases + a, directives + n
        return depth, aliases, directives

    def _fragment(self, name: str) -> tuple[int, int, int]:
        if name in self._memo:
            return self._memo[name]
        fragment = self.fragments.get(name)
        if fragment is None or name in self._open:
            return 0, 0, 0
        self._open.add(name)
        d, a, n = self.walk(fragment.selection_set)
        self._open.discard(name)
        self._memo[name] = (d, a, n + len(fragment.directives or ()))
        return self._memo[name]


def strip_suggestions(message: str) -> str:
    """``Cannot query field 'nme' on type 'Person'. Did you mean 'name'?`` → without the suggestion."""
    return _SUGGESTION.sub("", message)
