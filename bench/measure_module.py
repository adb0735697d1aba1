# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""One cell of the benchmark, in its own process: a torch.nn recurrent module called as a user calls it.

    /usr/bin/python3 bench/measure_module.py --impl nn|mkldnn|quantize_dynamic --mode lstm --T 15 --batch 1 \
        --input 250 --hidden 200 --threads 1 [--precision fp32|bf16|int8] [--lengths 3,17,...] \
        [--seconds 0.3 --repeats 7 --warmup 0.3]

The model is torch.nn.LSTM/GRU/RNN in eval() mode, or mkldnn_rnn.to_mkldnn() of it; the input is a dense
[T, batch, input] tensor (or, with --lengths, a PackedSequence made with enforce_sorted=False), and each
call is `model(x)` under torch.inference_mode(). Threads: torch.set_num_threads plus OMP_NUM_THREADS,
which run_bench.py sets in this process's environment; the allocator is whatever LD_PRELOAD gives.

Reduced precision (issue 12): --impl mkldnn --precision bf16|int8 is to_mkldnn(model, torch.bfloat16 |
torch.qint8), called on the same fp32 input; --impl quantize_dynamic is PyTorch's own int8 answer,
torch.ao.quantization.quantize_dynamic(model, dtype=torch.qint8), on the quantized engine this machine has
(QUANTIZED_ENGINES, first supported). Neither is checked to fp32's tolerance: the child measures instead the
max and mean |error| of its outputs against the fp32 torch.nn module over ERROR_INPUTS unit-normal inputs,
reports them, and fails only beyond a sanity bound (ERROR_BOUND) that no working kernel comes near.

The timing protocol is bench/cpp/bench_common.hpp's, so that Python and C++ columns compare: one
untimed call, a counted warm-up, then `repeats` runs of a calibrated number of calls; the median rate.
Prints one JSON line; any failure is an exception and a non-zero exit status. For --impl mkldnn it names
the kernel that served the cell ("kernel": "fused avx2", "plain_ldigo (oneDNN)", ...; see kernels()),
from the module's decisions after the timed runs: under MKLDNN_RNN_IMPL=auto only they tell.
"""
import argparse
import json
import math
import statistics
import time

import torch

MODULES = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}
# The dtype to_mkldnn takes for each precision.
PRECISIONS = {"fp32": torch.float, "bf16": torch.bfloat16, "int8": torch.qint8}
# torch.backends.quantized engines in order of preference: x86 (fbgemm + onednn, torch >= 2.0), fbgemm
# (x86 with AVX2), onednn (oneDNN's int8, x86), qnnpack (built for ARM, runs anywhere).
QUANTIZED_ENGINES = ("x86", "fbgemm", "onednn", "qnnpack")
# quantize_dynamic covers these in torch 1.13 (not nn.RNN: torch.ao.nn.quantized.dynamic has no RNN).
QUANTIZE_DYNAMIC_MODES = ("lstm", "gru")
# The error figures: the outputs of this many unit-normal inputs of the cell's shape (the timed one first).
ERROR_INPUTS = 8
# max |error| (output, h_n, c_n) above which a reduced-precision result is wrong, not rounded: the outputs
# of an LSTM/GRU/tanh RNN lie in [-1, 1], and bf16, int8 and quantize_dynamic stay within ~3e-2 of fp32
# torch.nn at this shape (bench/accuracy.py).
ERROR_BOUND = 0.25


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--impl", choices=["nn", "mkldnn", "quantize_dynamic"], required=True)
    parser.add_argument("--precision", choices=sorted(PRECISIONS), default="fp32",
                        help="--impl mkldnn: to_mkldnn(model, torch.float | torch.bfloat16 | torch.qint8)")
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


def quantized_engine():
    """The quantized engine quantize_dynamic runs on here (set as torch.backends.quantized.engine), or None."""
    supported = torch.backends.quantized.supported_engines
    engine = next((e for e in QUANTIZED_ENGINES if e in supported), None)
    if engine is not None:
        torch.backends.quantized.engine = engine
    return engine


def quantize_dynamic(model):
    """torch.ao.quantization.quantize_dynamic(model, dtype=torch.qint8) of a bare recurrent module:
    quantize_dynamic swaps children only, so the module goes in a container and comes out again."""
    container = torch.nn.Sequential(model)
    quantized = torch.ao.quantization.quantize_dynamic(container, {type(model)}, dtype=torch.qint8)[0]
    if quantized is model or type(quantized) is type(model):
        raise TypeError(f"quantize_dynamic left {type(model).__name__} as it was")
    return quantized


def dense(tensor):
    return tensor.to_dense() if tensor.is_mkldnn else tensor


def output_errors(model, reference, inputs):
    """max and mean |model - reference| over every element of every result (output, h_n, c_n) of each
    input; and the same over the outputs alone (output of an RNN, h' of a cell)."""
    total, count, worst, out_worst = 0.0, 0, 0.0, 0.0
    with torch.inference_mode():
        for x in inputs:
            got, want = flatten(model(x)), flatten(reference(x))
            if len(got) != len(want):
                raise AssertionError(f"{len(got)} result tensors, torch.nn gives {len(want)}")
            for i, (g, w) in enumerate(zip(got, want)):
                if not w.is_floating_point():  # a PackedSequence's batch_sizes and indices
                    continue
                error = (dense(g).float() - w).abs()
                total, count = total + error.sum().item(), count + error.numel()
                worst = max(worst, error.max().item())
                if i == 0:
                    out_worst = max(out_worst, error.max().item())
    return {"max_error": worst, "mean_error": total / count, "max_error_output": out_worst}


class Unavailable(Exception):
    """A reduced-precision cell this machine cannot run (no fused kernel, no quantized engine): the child
    reports why instead of a rate, and run_bench.py leaves the cell empty with that reason."""


def make_model(args, x):
    model = MODULES[args.mode](args.input, args.hidden).eval()
    if args.impl == "nn":
        return model, {}
    inputs = [x, *(make_input(args) for _ in range(ERROR_INPUTS - 1))]
    if args.impl == "quantize_dynamic":
        if args.mode not in QUANTIZE_DYNAMIC_MODES:
            raise Unavailable(f"quantize_dynamic does not cover nn.{args.mode.upper()} in torch {torch.__version__}")
        engine = quantized_engine()
        if engine is None:
            raise Unavailable(f"no quantized engine ({torch.backends.quantized.supported_engines})")
        quantized = quantize_dynamic(model)
        errors = output_errors(quantized, model, inputs)
        check_error_bound(errors, "quantize_dynamic")
        return quantized, {"precision": "int8", "quantized_engine": engine, **errors}

    import mkldnn_rnn  # only the measured cell needs it: the nn.LSTM column runs without the package

    if args.precision == "fp32":
        converted = mkldnn_rnn.to_mkldnn(model)
        # A benchmark of wrong results is worthless: check once against the module it replaces.
        with torch.inference_mode():
            for got, want in zip(flatten(converted(x)), flatten(model(x)), strict=True):
                torch.testing.assert_close(dense(got), want, rtol=1e-4, atol=1e-5)
        return converted, {}

    try:
        converted = mkldnn_rnn.to_mkldnn(model, PRECISIONS[args.precision])
    except (TypeError, RuntimeError, ValueError) as e:
        if kernel_isa(args.precision) != "none":  # reduced precision runs wherever the fused kernel does
            raise
        raise Unavailable(f"{args.precision}: {e}") from e
    check_precision(converted, args.precision)
    errors = output_errors(converted, model, inputs)
    check_error_bound(errors, f"to_mkldnn(model, {PRECISIONS[args.precision]})")
    return converted, {"precision": args.precision, "isa": kernel_isa(args.precision), **errors}


def check_error_bound(errors, what):
    if not errors["max_error"] <= ERROR_BOUND:  # also catches NaN
        raise AssertionError(f"{what}: max |error| {errors['max_error']:.3g} against fp32 torch.nn is above "
                             f"{ERROR_BOUND}: a wrong result, not rounding")


def kernel_isa(precision):
    """The instructions of the inner products for `precision` on this CPU (PackedRnn's kernel_isa, which
    MKLDNN_RNN_MAX_ISA caps), as the op library tells it."""
    return str(torch.ops.mkldnn_rnn.kernel_isa(precision))


def kernels(converted):
    """What served `converted` so far, from its decisions (mkldnn_rnn.decisions): each distinct kernel they
    took, "fused <kernel_isa>" (the fused kernel on those instructions) or "<implementation> (oneDNN)", in
    the order first taken, each with its count of decisions (shape classes of a layer and direction) when
    there are several. bench/cpp/engine_bench.cpp says it the same way."""
    import mkldnn_rnn

    decisions = mkldnn_rnn.decisions(converted)
    if not decisions:
        raise AssertionError(f"{type(converted).__name__} made no decision: expected one per layer and direction "
                             "once called")
    counts = {}
    for d in decisions:
        name = (f"fused {kernel_isa(converted.precision)}" if d["implementation"] == "fused"
                else f"{d['implementation']} (oneDNN)")
        counts[name] = counts.get(name, 0) + 1
    return ", ".join(name + (f" ×{n}" if len(decisions) > 1 else "") for name, n in counts.items())


def check_precision(converted, precision):
    """A reduced-precision figure must never be an fp32 one: the module says what it runs."""
    ran = getattr(converted, "precision", None)
    if ran != precision:
        raise AssertionError(f"to_mkldnn(model, {PRECISIONS[precision]}) made a {type(converted).__name__} of "
                             f"precision {ran!r}, expected {precision!r}")


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
    try:
        model, info = make_model(args, x)
    except Unavailable as e:
        print(json.dumps({"unavailable": str(e), "threads": torch.get_num_threads(), "bench": args.impl}), flush=True)
        return
    with torch.inference_mode():
        result = measure_rate(lambda: model(x), args.warmup, args.seconds, args.repeats)

    libraries = loaded_libraries()
    result.update(**info)
    if args.impl == "mkldnn":
        result["kernel"] = kernels(model)
    result.update(
        bench=args.impl, threads=torch.get_num_threads(), torch=torch.__version__,
        # run_bench.py checks both: jemalloc only where asked for, and never the reference BLAS.
        allocator="jemalloc" if any("libjemalloc" in lib for lib in libraries) else "default",
        blas=sorted(lib for lib in libraries if "blas" in lib.rsplit("/", 1)[-1]))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
