#!/usr/bin/env python3
# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""What the first call of a shape class costs beyond its work: the decision (docs/performance.md,
"Deciding per shape class") and whatever else a class builds on first need.

    PYTHONPATH=python MKLDNN_RNN_BUILD_DIR=build /usr/bin/python3 bench/class_first_calls.py \
        [--threads 2] [--steps 100] [--repeats 5]

The model is the real-traffic stream's (a'), nn.LSTM(128, 256, num_layers=2, batch_first=True). Each
repeat converts it afresh (conversion timed on its own: it pays oneDNN's once-per-process GEMM kernel
generation, see PackedRnn::pack) and calls it at batch 8, 4, 2, 1 (one class each), twice per batch
on the same input: the first call decides and builds, the second only runs. Under MKLDNN_RNN_IMPL=auto
the difference is the probe; under fused there is none to make, which shows what remains. Both run in
this process, auto first, in turn per repeat; the first repeat also pays the process's own first-use
costs and is reported apart. Prints one JSON line: per impl and batch, the median over the other
repeats of first - second call (ms), and the conversion's time.
"""
import argparse
import json
import os
import statistics
import time

import torch

BATCHES = (8, 4, 2, 1)
IMPLS = ("auto", "fused")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=5, help="at least 2: the first is reported apart")
    return parser.parse_args()


def one_repeat(model, steps):
    import mkldnn_rnn  # imported only here, after the environment is set

    start = time.perf_counter()
    converted = mkldnn_rnn.to_mkldnn(model)
    convert_ms = (time.perf_counter() - start) * 1e3
    extra = {}
    for batch in BATCHES:
        x = torch.randn(batch, steps, 128)
        times = []
        for _ in range(2):
            start = time.perf_counter()
            converted(x)
            times.append((time.perf_counter() - start) * 1e3)
        extra[batch] = times[0] - times[1]
    return convert_ms, extra


def main():
    args = parse_args()
    if args.repeats < 2:
        raise SystemExit("--repeats: expected at least 2, got %d" % args.repeats)
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = torch.nn.LSTM(128, 256, num_layers=2, batch_first=True).eval()
    runs = {impl: [] for impl in IMPLS}
    with torch.inference_mode():
        for _ in range(args.repeats):
            for impl in IMPLS:
                os.environ["MKLDNN_RNN_IMPL"] = impl  # read by pack(), i.e. by each to_mkldnn
                runs[impl].append(one_repeat(model, args.steps))
    result = {"bench": "class_first_calls", "threads": args.threads, "steps": args.steps, "repeats": args.repeats,
              "model": "nn.LSTM(128, 256, num_layers=2, batch_first=True)"}
    for impl in IMPLS:
        first_convert, first_extra = runs[impl][0]
        later = runs[impl][1:]
        result[impl] = {
            "first_repeat": {"convert_ms": round(first_convert, 2),
                             "extra_ms": {str(b): round(first_extra[b], 2) for b in BATCHES}},
            "convert_ms": round(statistics.median(c for c, _ in later), 2),
            "extra_ms": {str(b): round(statistics.median(e[b] for _, e in later), 2) for b in BATCHES},
        }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
