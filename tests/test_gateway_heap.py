"""gateway.server.heap: a serving process freezes its start-up state and spaces the collections out. Checked in
a child interpreter: the collector's settings are the process's, and this test process keeps its own."""

from __future__ import annotations

import subprocess
import sys

from gateway.server import heap


def test_settle_heap_freezes_and_raises_the_thresholds() -> None:
    code = ("import gc; from gateway.server.heap import settle_heap; before = gc.get_freeze_count(); "
            "settle_heap(); print(gc.get_threshold(), before == 0 and gc.get_freeze_count() > 1000)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["(50000,", "20,", "20)", "True"]
    assert (heap.GEN0_THRESHOLD, heap.GEN1_THRESHOLD, heap.GEN2_THRESHOLD) == (50_000, 20, 20)
