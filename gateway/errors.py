"""The error every gateway stage raises to refuse a request with a contract code (BRIEF.md, Contract).

Stages written elsewhere (auth, policy, audit) may raise this, or any exception with a ``code`` attribute
(and optionally ``status``, ``extensions``, ``policy``): the pipeline turns either into a GraphQL error response.
"""

from __future__ import annotations

from typing import Any


class GatewayError(Exception):
    """Refuse the request: ``errors[0].extensions.code = code`` with HTTP ``status``.

    ``policy`` (optional) becomes ``extensions.policy`` of the response, so that refusals also say which
    decision refused them.
    """

    def __init__(
        self,
        code: str,
        message: str,
        status: int = 400,
        *,
        extensions: dict[str, Any] | None = None,
        policy: dict[str, Any] | None = None,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.extensions = extensions or {}
        self.policy = policy
        self.errors = errors

    def to_errors(self) -> list[dict[str, Any]]:
        """The ``errors`` of the response (several for validation, else one)."""
        if self.errors:
            return self.errors
        return [{"message": self.message, "extensions": {"code": self.code, **self.extensions}}]


def error_dict(message: str, code: str, path: list[Any] | None = None, **extensions: Any) -> dict[str, Any]:
    """A GraphQL error object as the gateway returns it."""
    error: dict[str, Any] = {"message": message}
    if path is not None:
        error["path"] = path
    error["extensions"] = {"code": code, **extensions}
    return error
