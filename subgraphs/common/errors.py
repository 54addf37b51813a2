"""GraphQL errors with the contract's codes (BRIEF.md, Contract)."""

from __future__ import annotations

from graphql import GraphQLError


def bad_user_input(argument: str, message: str) -> GraphQLError:
    """A ``BAD_USER_INPUT`` error naming the offending argument; raised before any database access."""
    return GraphQLError(
        f"Invalid value for argument '{argument}': {message}",
        extensions={"code": "BAD_USER_INPUT", "argumentName": argument},
    )
