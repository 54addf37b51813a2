"""The cyclic garbage collector's settings for a serving gateway process.

A request's answer is a tree of thousands of dicts and lists (200 persons with their events: about 50 000
objects) that reference counting frees as soon as it is sent; they hold no cycles. Under load, sixteen such trees
are alive at once, and CPython's default thresholds (a collection every 700 allocations) make the collector
traverse them again and again, with the schema, plans and policy built at start-up that never die: measured, a
third of the gateway's CPU per request of query (c) under 16 connections (bench/HISTORY.md). So a serving process,
once started, freezes what it built (never traversed again) and collects the youngest generation every 50 000
allocations instead of 700. Only the entry points call this (``serve`` and the worker factory), never a library
or a test process. (The same settings measured no change in the subgraphs' CPU, whose answers strawberry builds
from short-lived objects: they keep CPython's defaults.)
"""

from __future__ import annotations

import gc

GEN0_THRESHOLD = 50_000  # allocations between two collections of the youngest generation (CPython: 700)
GEN1_THRESHOLD = 20  # young collections between two collections of the middle one (CPython: 10)
GEN2_THRESHOLD = 20  # middle collections between two full ones (CPython: 10)


def settle_heap() -> None:
    """Collect once, freeze every object alive (start-up state), and space the collections out."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(GEN0_THRESHOLD, GEN1_THRESHOLD, GEN2_THRESHOLD)
