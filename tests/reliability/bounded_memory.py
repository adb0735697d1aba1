#!/usr/bin/env python3
# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""`make bounded-memory`: RSS must plateau over many forwards of changing shapes.

The engine caches one oneDNN primitive per (shape, direction, threads) key in an LRU of
EngineOptions::primitive_cache_capacity entries (default 128; PackedWeights does not expose it, so the
default applies). This run cycles (T, N) through more distinct shapes than that (SHAPES > 128 for
each of the two directions), so the cache keeps evicting and re-creating primitives, the per-thread
workspace is resized up and down, and the weights' extra-layout copies are refreshed. VmRSS is sampled;
the growth over the second half of the run must stay below MARGIN_MIB.

    bounded_memory.py [--forwards N] [--margin-mib M]
"""
import argparse
import random
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import op_library  # noqa: E402

MARGIN_MIB = 32
SHAPES = [(t, n) for t in range(1, 21) for n in range(1, 11)]  # 200 distinct (T, N) > 128


def rss_mib():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("VmRSS missing from /proc/self/status")


def run(forwards, samples=20):
    """Runs `forwards` forwards; returns the RSS samples (MiB), one per forwards/samples calls."""
    ops = op_library.load()
    torch.manual_seed(0)
    model = torch.nn.LSTM(8, 16, 1, bidirectional=True)
    weights = op_library.packed_weights(model)
    rng = random.Random(0)
    inputs = {shape: torch.randn(shape[0], shape[1], 8) for shape in SHAPES}
    every = max(forwards // samples, 1)
    rss = []
    for i in range(forwards):
        shape = SHAPES[i % len(SHAPES)] if i % 2 else rng.choice(SHAPES)  # cyclic (all misses) and random
        lengths = None
        if i % 3 == 0:
            lengths = torch.tensor([rng.randint(1, shape[0]) for _ in range(shape[1])])
        ops.rnn(weights, inputs[shape], None, None, lengths, False)
        if (i + 1) % every == 0:
            rss.append(rss_mib())
    return rss


def second_half_growth(rss):
    half = rss[len(rss) // 2:]
    return max(half) - half[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--forwards", type=int, default=100_000)
    parser.add_argument("--margin-mib", type=float, default=MARGIN_MIB)
    args = parser.parse_args()
    start = rss_mib()
    rss = run(args.forwards)
    growth = second_half_growth(rss)
    print(f"{args.forwards} forwards over {len(SHAPES)} shapes: RSS start {start:.1f} MiB, "
          f"first sample {rss[0]:.1f} MiB, plateau {rss[-1]:.1f} MiB (max {max(rss):.1f}); "
          f"second-half growth {growth:.1f} MiB (limit {args.margin_mib} MiB)")
    print("samples (MiB):", " ".join(f"{r:.0f}" for r in rss))
    return 0 if growth < args.margin_mib else 1


if __name__ == "__main__":
    sys.exit(main())
