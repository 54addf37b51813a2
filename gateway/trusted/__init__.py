"""Trusted documents (Apollo's safelisting): operations registered by hash for the agencies that may send them.

``GATEWAY_TRUSTED_DOCUMENTS=require`` (the production default) refuses every operation whose sha256 is not
registered for the calling agency with ``PERSISTED_QUERY_NOT_FOUND``; ``off`` (development and test) runs any
operation. In both modes a request may send only the hash, in Apollo's persisted-query shape
(``extensions.persistedQuery.sha256Hash``), and the registered text is used.

    store = TrustedDocumentStore(path)                    # JSON file, $LT_DATA_DIR/trusted-documents.json
    trusted = TrustedDocuments(store, require=True)       # the pipeline stage
    query = trusted.resolve(caller, query, extensions)    # the text to run, or GatewayError

Registered with ``python -m gateway documents register|list|remove`` (gateway/trusted/cli.py).
"""

from .stage import TrustedDocuments
from .store import ALL_AGENCIES, TrustedDocument, TrustedDocumentStore

__all__ = ["ALL_AGENCIES", "TrustedDocument", "TrustedDocumentStore", "TrustedDocuments"]
