# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""The benchmark's "real traffic" rows, one section per process: mkldnn_rnn against the torch.nn module
it was converted from, in the same process, on requests whose shapes change from call to call.

    /usr/bin/python3 bench/measure_traffic.py --section gru_stream|lstm_stream|packed|first_call \
        --threads 2 [--calls N] [--seed 0] [--alone]

The other cells call one shape over and over and leave its first call out, which hides what a server
pays: every new (T, batch) is a first call. Here nothing is warmed up or tuned beforehand (a new user
would do neither), so the first call of every shape counts in the totals.

  gru_stream   (a)  a speech encoder, nn.GRU(80, 256, num_layers=2): T log-uniform in 10..500, batch
                    uniform in 1..8, dense time-major input, 1000 requests
  lstm_stream  (a') nn.LSTM(128, 256, num_layers=2, batch_first=True): T uniform in 1..300, batch 1..8,
                    200 requests
  packed       (b)  a tagger, nn.LSTM(300, 256, bidirectional=True): 32 sequences per call, lengths
                    uniform in 3..120 drawn afresh for every call, a PackedSequence made by
                    pack_padded_sequence(enforce_sorted=False), 30 calls; beside it our module on the
                    padded [T, 32, 300] tensor of the same batch without lengths, to show what the
                    lengths cost or save
  first_call   (c)  the GRU of (a), freshly converted, after 20 plain warm-up calls (distinct lengths,
                    batches 1..8): 30 calls of a never-seen length against 30 repeating a warm-up shape
                    at the same batch, interleaved; the never-seen length is next to the seen one
                    (T+1, T-1, T+2, ...), so the two differ by their first-call cost, not their work

The counts aim at about two minutes for the four processes on two cores: torch.nn's time dominates, so
(a') serves 200 requests and (b) 30 calls; (a) keeps its 1000, so that p99 means something. --calls
overrides them. run_bench.py runs torch.nn with OPENBLAS_NUM_THREADS=1, its fastest configuration here.

Protocol: shapes from random.Random(seed) and data from torch.manual_seed(seed); each request's input is
made before its calls are timed; time.perf_counter() around each call alone, under
torch.inference_mode(); the torch.nn module goes first on even requests and second on odd ones (in
(b) the padded call goes after the pair on requests 0, 1 mod 4 and before it on 2, 3 mod 4). The
converted model is mkldnn_rnn.to_mkldnn() of the eval() module, converted before any timing. In (a)
and (b) every result of ours is checked against torch.nn's, outside the timed calls. Threads:
torch.set_num_threads plus OMP_NUM_THREADS (set by run_bench.py); MKLDNN_RNN_IMPL is whatever the
environment says (default auto) and is reported.

The streams also report their request shapes (request_shapes), so that run_bench.py can serve the same
requests to ONNX Runtime (bench/onnx_peer.py). ORT's child serves its model alone, so --alone serves
the same requests to ours alone, in a process of its own, as the figure ORT is divided by: no torch.nn
call in between (on the 2-vCPU VM of docs/performance.md, torch.nn's mostly one-threaded calls between
ours left the second vCPU idle and made ours 1.1-2x slower), no padded call in (b), and every 10th
result checked against torch.nn after the stream. Prints one JSON line, with measure_module.py's conventions (threads, torch, allocator, blas); any
failure is an exception and a non-zero exit status. "mkldnn_kernels" names, after the stream, the distinct
kernels the converted model's decisions took (measure_module.kernels: "fused avx2 ×8", ...): a stream
meets many shape classes, and under MKLDNN_RNN_IMPL=auto each is decided on its first call.
"""
import argparse
import json
import math
import os
import random
import statistics
import time

import torch

import measure_module

# measure_module.py's tolerances, checked here on every request.
RTOL, ATOL = 1e-4, 1e-5
WARMUP_SHAPES = 20  # (c): distinct lengths, batches 1..8 in turn, so that every batch has been served
CHECK_EVERY = 10  # --alone: every 10th result is checked, after the stream


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--section", choices=sorted(SECTIONS), required=True)
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--calls", type=int, default=0, help="requests (or timed pairs in first_call); "
                        "0 = the section's default")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--alone", action="store_true", help="serve ours only (the ONNX Runtime comparison's "
                        "figure), no torch.nn between calls; in (b) without the padded call")
    return parser.parse_args()


# --- drawing the traffic --------------------------------------------------------------------------

def log_uniform(draw, low, high):
    """An integer in low..high whose logarithm is uniform: as many requests in 10..50 as in 100..500."""
    return min(high, int(math.exp(draw.uniform(math.log(low), math.log(high + 1)))))


def percentile(values, q):
    """The nearest-rank q-th percentile: p99 of 1000 latencies is the 10th slowest."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def timed(call, x):
    start = time.perf_counter()
    result = call(x)
    return time.perf_counter() - start, result


def check(got, want):
    """torch.testing.assert_close's rule, |got - want| <= ATOL + RTOL |want|, in a few tensor ops:
    assert_close itself takes ~0.1 s per million elements here, longer than most of the calls it checks."""
    for g, w in zip(measure_module.flatten(got), measure_module.flatten(want), strict=True):
        if g.shape != w.shape or g.dtype != w.dtype:
            raise AssertionError(f"mkldnn_rnn gave {g.dtype} {list(g.shape)}, torch.nn {w.dtype} {list(w.shape)}")
        if not g.is_floating_point():
            if not torch.equal(g, w):
                raise AssertionError("mkldnn_rnn's PackedSequence indices differ from torch.nn's")
        elif g.numel():
            excess = ((g - w).abs_() - RTOL * w.abs()).max().item()
            if not excess <= ATOL:  # also catches NaN
                raise AssertionError(f"mkldnn_rnn differs from torch.nn by {excess + ATOL:.3g} beyond rtol={RTOL}")


def latencies(prefix, seconds):
    return {f"{prefix}_total_s": sum(seconds), f"{prefix}_p50_ms": percentile(seconds, 50) * 1e3,
            f"{prefix}_p99_ms": percentile(seconds, 99) * 1e3}


def serve(model, converted, requests):
    """Serves each (shape, input, padded) of `requests` to both models, interleaved, and checks ours;
    when `padded` is not None (a dense tensor of the same batch), ours is also called on it. Returns
    the timing fields."""
    seconds = {"original": [], "mkldnn": [], "mkldnn_padded": []}
    seen, new_shape_seconds = set(), []
    with torch.inference_mode():
        for i, (shape, x, padded) in enumerate(requests):
            pair = [("original", model, x), ("mkldnn", converted, x)]
            calls = pair if i % 2 == 0 else pair[::-1]
            if padded is not None:
                extra = ("mkldnn_padded", converted, padded)
                calls = calls + [extra] if i % 4 < 2 else [extra] + calls
            results = {}
            for name, call, argument in calls:
                elapsed, results[name] = timed(call, argument)
                seconds[name].append(elapsed)
            check(results["mkldnn"], results["original"])
            if shape not in seen:
                seen.add(shape)
                new_shape_seconds.append(seconds["mkldnn"][-1])
    fields = {"calls": len(seconds["mkldnn"]), "shapes": len(seen), "mkldnn_new_shape_s": sum(new_shape_seconds)}
    for name, values in seconds.items():
        if values:
            fields.update(latencies(name, values))
    fields["ratio"] = fields["original_total_s"] / fields["mkldnn_total_s"]
    if seconds["mkldnn_padded"]:
        fields["packed_vs_padded"] = fields["mkldnn_total_s"] / fields["mkldnn_padded_total_s"]
    fields["mkldnn_kernels"] = measure_module.kernels(converted)
    return fields


def serve_alone(model, converted, requests):
    """Serves each request to ours only (--alone, see above); every CHECK_EVERY-th result is kept and
    checked against torch.nn after the stream. Returns the timing fields."""
    seconds, seen, new_shape_seconds, kept = [], set(), [], []
    with torch.inference_mode():
        for i, (shape, x, _) in enumerate(requests):
            elapsed, result = timed(converted, x)
            seconds.append(elapsed)
            if shape not in seen:
                seen.add(shape)
                new_shape_seconds.append(elapsed)
            if i % CHECK_EVERY == 0:
                kept.append((x, result))
        for x, result in kept:
            check(result, model(x))
    return {"calls": len(seconds), "shapes": len(seen), "mkldnn_new_shape_s": sum(new_shape_seconds),
            "checked": len(kept), "mkldnn_kernels": measure_module.kernels(converted), **latencies("mkldnn", seconds)}


def dense_requests(shapes, features, batch_first):
    """(shape, input, None) per (T, N); each input is made when its request comes, before its timing."""
    for steps, batch in shapes:
        yield (steps, batch), torch.randn((batch, steps, features) if batch_first else (steps, batch, features)), None


def packed_requests(batches, features):
    """(shape, PackedSequence, the padded [T, N, features] tensor it was packed from) per list of lengths."""
    for lengths in batches:
        padded = torch.randn(max(lengths), len(lengths), features)
        sequence = torch.nn.utils.rnn.pack_padded_sequence(padded, torch.tensor(lengths), enforce_sorted=False)
        yield (max(lengths), len(lengths)), sequence, padded


def convert(model):
    import mkldnn_rnn  # imported only here, as measure_module.py does

    return mkldnn_rnn.to_mkldnn(model)


# --- the sections ---------------------------------------------------------------------------------

def gru_stream(draw, calls, serve_with):
    model = torch.nn.GRU(80, 256, num_layers=2).eval()
    shapes = [(log_uniform(draw, 10, 500), draw.randint(1, 8)) for _ in range(calls or 1000)]
    return {"workload": "nn.GRU(80, 256, num_layers=2); T log-uniform 10..500, batch 1..8, time-major",
            "request_shapes": shapes, **serve_with(model, convert(model), dense_requests(shapes, 80, batch_first=False))}


def lstm_stream(draw, calls, serve_with):
    model = torch.nn.LSTM(128, 256, num_layers=2, batch_first=True).eval()
    shapes = [(draw.randint(1, 300), draw.randint(1, 8)) for _ in range(calls or 200)]
    return {"workload": "nn.LSTM(128, 256, num_layers=2, batch_first=True); T uniform 1..300, batch 1..8",
            "request_shapes": shapes, **serve_with(model, convert(model), dense_requests(shapes, 128, batch_first=True))}


def packed(draw, calls, serve_with):
    model = torch.nn.LSTM(300, 256, bidirectional=True).eval()
    batches = [[draw.randint(3, 120) for _ in range(32)] for _ in range(calls or 30)]
    return {"workload": "nn.LSTM(300, 256, bidirectional=True); 32 sequences, lengths uniform 3..120 "
            "per call, PackedSequence (enforce_sorted=False)",
            **serve_with(model, convert(model), packed_requests(batches, 300))}


def first_call(draw, calls, serve_with):  # times its own calls: serve_with is not used
    model = torch.nn.GRU(80, 256, num_layers=2).eval()
    converted = convert(model)
    warmup, lengths = [], set()
    while len(warmup) < WARMUP_SHAPES:
        steps = log_uniform(draw, 10, 500)
        if steps not in lengths:
            lengths.add(steps)
            warmup.append((steps, len(warmup) % 8 + 1))
    pairs = []
    for k in range(calls or 30):
        steps, batch = warmup[k % len(warmup)]
        new = next(s for d in range(1, 1000) for s in (steps + d, steps - d) if s >= 1 and s not in lengths)
        lengths.add(new)
        pairs.append((batch, steps, new))

    with torch.inference_mode():
        for steps, batch in warmup:
            converted(torch.randn(steps, batch, 80))
        seconds = {"new": [], "seen": []}
        for k, (batch, steps, new) in enumerate(pairs):
            inputs = [("new", torch.randn(new, batch, 80)), ("seen", torch.randn(steps, batch, 80))]
            for name, x in inputs if k % 2 == 0 else inputs[::-1]:
                seconds[name].append(timed(converted, x)[0])
    new_ms, seen_ms = (statistics.median(seconds[name]) * 1e3 for name in ("new", "seen"))
    return {"workload": f"nn.GRU(80, 256, num_layers=2) freshly converted; {WARMUP_SHAPES} warm-up shapes "
            "(batch 1..8), then never-seen T against a warm-up shape, same batch",
            "calls": 2 * len(pairs), "shapes": len(warmup) + len(pairs), "warmup_calls": len(warmup),
            "new_p50_ms": new_ms, "seen_p50_ms": seen_ms, "new_vs_seen": new_ms / seen_ms,
            "new_max_ms": max(seconds["new"]) * 1e3, "seen_max_ms": max(seconds["seen"]) * 1e3,
            "mkldnn_kernels": measure_module.kernels(converted)}


SECTIONS = {"gru_stream": gru_stream, "lstm_stream": lstm_stream, "packed": packed, "first_call": first_call}
ALONE_SECTIONS = ("gru_stream", "lstm_stream", "packed")


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    start = time.perf_counter()
    if args.alone and args.section not in ALONE_SECTIONS:
        raise SystemExit(f"--alone: expected a section in {sorted(ALONE_SECTIONS)}, got {args.section}")
    result = {"section": args.section, "alone": args.alone,
              **SECTIONS[args.section](random.Random(args.seed), args.calls, serve_alone if args.alone else serve)}
    libraries = measure_module.loaded_libraries()
    result.update(
        seconds=time.perf_counter() - start, seed=args.seed, threads=torch.get_num_threads(),
        mkldnn_rnn_impl=os.environ.get("MKLDNN_RNN_IMPL", "auto"), torch=torch.__version__,
        allocator="jemalloc" if any("libjemalloc" in lib for lib in libraries) else "default",
        blas=sorted(lib for lib in libraries if "blas" in lib.rsplit("/", 1)[-1]))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
