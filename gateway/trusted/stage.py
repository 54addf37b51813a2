"""The pipeline stage: from a request's ``query`` and ``extensions`` to the text that may run for this caller."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from cachetools import LRUCache

from ..errors import GatewayError
from .store import TrustedDocumentStore, document_sha256

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"


def persisted_hash(extensions: Mapping[str, Any] | None) -> str | None:
    """``extensions.persistedQuery.sha256Hash`` (Apollo's shape, version 1), or None when absent."""
    persisted = (extensions or {}).get("persistedQuery")
    if persisted is None:
        return None
    if not isinstance(persisted, Mapping) or persisted.get("version", 1) != 1:
        raise GatewayError("BAD_USER_INPUT", "extensions.persistedQuery must be {version: 1, sha256Hash: <hex>}.")
    sha = persisted.get("sha256Hash")
    if not isinstance(sha, str) or not _SHA256.fullmatch(sha.lower()):
        raise GatewayError("BAD_USER_INPUT", "extensions.persistedQuery.sha256Hash must be 64 hex digits.")
    return sha.lower()


class TrustedDocuments:
    """``require=True``: only documents registered for the caller's agency run (``PERSISTED_QUERY_NOT_FOUND``
    otherwise). ``require=False``: any document runs; a hash-only request is answered from the registered
    documents or from the ones this gateway saw with their text (Apollo's automatic persisted queries: the
    client retries with the text after ``PERSISTED_QUERY_NOT_FOUND``). That cache is never consulted when
    trusted documents are required: being seen once does not make a document trusted."""

    def __init__(self, store: TrustedDocumentStore, *, require: bool, apq_cache_size: int = 1000) -> None:
        self.store = store
        self.require = require
        self._seen: LRUCache[str, str] = LRUCache(maxsize=apq_cache_size)

    def resolve(self, caller: Any, query: str | None, extensions: Mapping[str, Any] | None) -> str | None:
        """The operation text to run, or raise ``PERSISTED_QUERY_NOT_FOUND`` / ``BAD_USER_INPUT``."""
        sha = persisted_hash(extensions)
        if query:
            actual = document_sha256(query)
            if sha is not None and sha != actual:
                raise GatewayError("BAD_USER_INPUT", "extensions.persistedQuery.sha256Hash does not match the query.")
            if not self.require:
                if sha is not None:
                    self._seen[actual] = query
                return query
            sha = actual
        if sha is None:
            return query  # no query, no hash: the pipeline says a query is required
        agency = getattr(caller, "agency_id", None)
        registered = self.store.get(sha)
        if registered is not None and (not self.require or registered.trusted_for(agency)):
            return registered.body
        if not self.require and sha in self._seen:
            return self._seen[sha]
        if self.require:
            raise GatewayError(NOT_FOUND, "This operation is not a trusted document for your agency: register it "
                               "with `python -m gateway documents register`.", extensions={"sha256Hash": sha})
        raise GatewayError(NOT_FOUND, "PersistedQueryNotFound", extensions={"sha256Hash": sha})
