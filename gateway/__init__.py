"""Liên thông gateway: federation router with field-level policy and audit."""
