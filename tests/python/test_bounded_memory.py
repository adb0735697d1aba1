# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""Fast version of tests/reliability/bounded_memory.py (`make bounded-memory` runs 100k forwards):
6,000 forwards cycling through 200 (T, N) shapes, more than the 128-entry primitive cache; RSS over the
second half must grow less than the script's margin."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reliability"))
import bounded_memory  # noqa: E402

FORWARDS = 6000


def test_rss_plateaus():
    start = bounded_memory.rss_mib()
    rss = bounded_memory.run(FORWARDS)
    growth = bounded_memory.second_half_growth(rss)
    print(f"RSS start {start:.1f} MiB, plateau {rss[-1]:.1f} MiB, second-half growth {growth:.1f} MiB")
    assert growth < bounded_memory.MARGIN_MIB, f"RSS grew {growth:.1f} MiB over the second half: {rss}"
