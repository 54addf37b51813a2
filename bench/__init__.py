"""Load harness: our gateway against Apollo Gateway and against the direct-subgraph floor.

``python -m bench --help`` (or ``make bench BENCH_ARGS=...``). The harness seeds a data set, starts the three
subgraphs (behind a thin counting wrapper, :mod:`bench.subgraph_host`), our gateway with real policy and audit, and
Apollo Gateway on the same supergraph, then drives each target with ``wrk`` and writes ``bench/RESULTS.md``.
Everything it generates at run time lives under ``bench/out/`` (git-ignored).
"""
