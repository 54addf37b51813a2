"""End-to-end tests through the running gateway (real JWTs, headers, Rego policy, audit store)."""
