"""Deterministic synthetic data for the three subgraphs (``python -m subgraphs.seed``)."""
