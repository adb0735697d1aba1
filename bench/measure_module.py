# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""One cell of the benchmark, in its own process: a torch.nn recurrent module called as a user calls it.

    /usr/bin/python3 bench/measure_module.py --impl nn|mkldnn --mode lstm --T 15 --batch 1 \
        --input 250 --hidden 200 --threads 1 [--lengths 3,17,...] [--seconds 0.3 --repeats 7 --warmup 0.3]

The model is torch.nn.LSTM/GRU/RNN in eval() mode, or mkldnn_rnn.to_mkldnn() of it; the input is a dense
[T, batch, input] tensor (or, with --lengths, a PackedSequence made with enforce_sorted=False), and each
call is `model(x)` under torch.inference_mode(). Threads: torch.set_num_threads plus OMP_NUM_THREADS,
which run_bench.py sets in this process's environment; the allocator is whatever LD_PRELOAD gives.

The timing protocol is bench/cpp/bench_common.hpp's, so that Python and C++ columns compare: one
untimed call, a counted warm-up, then `repeats` runs of a calibrated number of calls; the median rate.
Prints one JSON line; any failure is an exception and a non-zero exit status.
"""
import argparse
import json
import math
import statistics
import time

import torch

MODULES = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--impl", choices=["nn", "mkldnn"], required=True)
    parser.add_argument("--mode", choices=sorted(MODULES), default="lstm")
    parser.add_argument("--T", type=int, default=15)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--input", type=int, default=250)
    parser.add_argument("--hidden", type=int, default=200)
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--lengths", default="", help="comma-separated valid lengths: a PackedSequence input")
    parser.add_argument("--seconds", type=float, default=0.3)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--warmup", type=float, default=0.3)
    return parser.parse_args()


def make_input(args):
    x = torch.randn(args.T, args.batch, args.input)
    if not args.lengths:
        return x
    lengths = torch.tensor([int(n) for n in args.lengths.split(",")])
    if lengths.numel() != args.batch:
        raise ValueError(f"--lengths: expected {args.batch} values, got {args.lengths}")
    return torch.nn.utils.rnn.pack_padded_sequence(x, lengths, enforce_sorted=False)


def flatten(value):
    """The tensors of a module's result: nested tuples, PackedSequence included (it is a tuple)."""
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, tuple):
        return [t for item in value for t in flatten(item)]
    return []


def make_model(args, x):
    model = MODULES[args.mode](args.input, args.hidden).eval()
    if args.impl == "nn":
        return model
    import mkldnn_rnn  # only the measured cell needs it: the nn.LSTM column runs without the package

    converted = mkldnn_rnn.to_mkldnn(model)
    # A benchmark of wrong results is worthless: check once against the module it replaces.
    with torch.inference_mode():
        for got, want in zip(flatten(converted(x)), flatten(model(x)), strict=True):
            torch.testing.assert_close(got.to_dense() if got.is_mkldnn else got, want, rtol=1e-4, atol=1e-5)
    return converted


def measure_rate(call, warmup, seconds, repeats):
    call()  # the first call creates primitives, reorders weights, autotunes: too slow to calibrate on
    calls, start = 0, time.perf_counter()
    while calls < 3 or time.perf_counter() - start < warmup:
        call()
        calls += 1
    calls_per_run = max(1, math.ceil(seconds * calls / (time.perf_counter() - start)))
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls_per_run):
            call()
        rates.append(calls_per_run / (time.perf_counter() - start))
    return {"rate": statistics.median(rates), "rate_min": min(rates), "rate_max": max(rates),
            "calls_per_run": calls_per_run}


def loaded_libraries():
    with open("/proc/self/maps") as maps:
        return {line.split()[-1] for line in maps if ".so" in line}


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    x = make_input(args)
    model = make_model(args, x)
    with torch.inference_mode():
        result = measure_rate(lambda: model(x), args.warmup, args.seconds, args.repeats)

    libraries = loaded_libraries()
    result.update(
        bench=args.impl, threads=torch.get_num_threads(), torch=torch.__version__,
        # run_bench.py checks both: jemalloc only where asked for, and never the reference BLAS.
        allocator="jemalloc" if any("libjemalloc" in lib for lib in libraries) else "default",
        blas=sorted(lib for lib in libraries if "blas" in lib.rsplit("/", 1)[-1]))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
