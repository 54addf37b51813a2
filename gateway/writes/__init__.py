"""Writes through the gateway (issue 15): mutations decided by the write policy, audited, idempotent.

- :mod:`.model`: what the supergraph declares about each mutation (``@writeArea``, ``@writeSubject`` from
  ``subgraphs/common/writes.py``), read once.
- :mod:`.calls`: the mutation root calls of one request with their declared area and subjects
  (:class:`WriteCall`, a root call the policy input carries with a ``write`` object; ``policies/writes.rego``
  refuses it as a root field: the subgraph is never called for a refused write).
- :mod:`.records`: the subgraph's write records (before/after hashes) and the audit entries of a request's writes.
- :mod:`.idempotency`: ``Idempotency-Key``: a retried mutation returns the first result and writes once.
- :mod:`.stage`: the pipeline's write stage over those.
"""
