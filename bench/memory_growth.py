#!/usr/bin/env python3
# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""How much memory a converted model costs a process, against the torch.nn module it replaces.

    PYTHONPATH=python MKLDNN_RNN_BUILD_DIR=build /usr/bin/python3 bench/memory_growth.py \
        [--impl auto|plain_ldigo|onednn_preferred|fused] [--out memory.csv]

A large model is where extra copies of the weights hurt: a 3-layer bidirectional nn.LSTM(1024, 1024)
holds 256 MiB of fp32 weights, and an engine that keeps the original tensors, a packed copy and one
copy per implementation it tried would hold several times that. Each variant runs in a fresh child
process (bench/runner.py), which reads VmRSS from /proc/self/status before the model exists (after
the imports and the inputs), after making (and converting) the model, after a few T=50 calls at batch 1
and after a few at batch 32. It reads the peak, VmHWM, twice: once the model is ready, and at the end
after resetting it in between (writing 5 to /proc/self/clear_refs), so that the peak while serving is
not the conversion's, which must hold the original and the converted weights at once:

  nn       the torch.nn.LSTM itself
  mkldnn   mkldnn_rnn.to_mkldnn(model), with the torch.nn module deleted (del + gc.collect()) before
           serving, as a server that converts at start-up would do

Growth is in MiB and as a multiple of the fp32 weight bytes. The target (the benchmark issue's): our
growth <= nn.LSTM's growth + 10 % of the weights, after serving and at the peak while serving. Prints two Markdown
tables and one JSON line; --out also writes a CSV. MKLDNN_RNN_IMPL for the child is --impl (default:
the environment's, else auto): with auto, the first call of each shape measures the candidates, each
with its own copy of the weights. About a minute on two cores.
"""
import argparse
import gc
import json
import os
import sys
import time
from pathlib import Path

import report
import run_bench
import runner

MODEL = {"input_size": 1024, "hidden_size": 1024, "num_layers": 3, "bidirectional": True}
STEPS = 50
CALLS = ((1, 3), (32, 2))  # (batch, calls): a few calls each, the first of each shape included
TARGET_SHARE = 0.10  # of the weight bytes, over nn.LSTM's growth
VARIANTS = {"nn": "nn.LSTM", "mkldnn": "mkldnn_rnn.to_mkldnn (nn.LSTM deleted)"}
MIB = 2**20


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--impl", default=os.environ.get("MKLDNN_RNN_IMPL", "auto"),
                        choices=run_bench.IMPLS, help="MKLDNN_RNN_IMPL for the children")
    parser.add_argument("--out", type=Path, help="also write the two rows as a CSV")
    parser.add_argument("--threads", type=int, default=os.cpu_count(), help="default: all cores")
    parser.add_argument("--build-dir", type=Path,
                        default=Path(os.environ.get("MKLDNN_RNN_BUILD_DIR", run_bench.REPO / "build")))
    parser.add_argument("--child", choices=sorted(VARIANTS), help=argparse.SUPPRESS)
    return parser.parse_args()


# --- the child ------------------------------------------------------------------------------------

def status_bytes(field):
    """A "<field>: <n> kB" line of /proc/self/status, in bytes."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"{field} missing from /proc/self/status")


def child(variant, threads):
    import torch

    if variant == "mkldnn":
        import mkldnn_rnn
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    inputs = {batch: torch.randn(STEPS, batch, MODEL["input_size"]) for batch, _ in CALLS}
    gc.collect()
    before = status_bytes("VmRSS")

    model = torch.nn.LSTM(**MODEL).eval()
    weight_bytes = sum(p.numel() * p.element_size() for p in model.parameters())
    if variant == "mkldnn":
        converted = mkldnn_rnn.to_mkldnn(model)
        del model
        gc.collect()
        model = converted
    growth = {"model": status_bytes("VmRSS") - before, "build_peak": status_bytes("VmHWM") - before}
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # VmHWM = VmRSS from here on (Linux >= 4.0)
    with torch.inference_mode():
        for batch, calls in CALLS:
            for _ in range(calls):
                model(inputs[batch])
            gc.collect()
            growth[f"batch{batch}"] = status_bytes("VmRSS") - before
    growth["serving_peak"] = status_bytes("VmHWM") - before
    print(json.dumps({"variant": variant, "threads": torch.get_num_threads(),
                      "mkldnn_rnn_impl": os.environ.get("MKLDNN_RNN_IMPL", "auto"), "weight_bytes": weight_bytes,
                      "rss_before_mib": before / MIB, **{f"{k}_mib": v / MIB for k, v in growth.items()}}))


# --- the parent -----------------------------------------------------------------------------------

def measure(variant, threads, impl):
    print(f"[memory] {VARIANTS[variant]}, {threads} thr, MKLDNN_RNN_IMPL={impl} ", end="", flush=True)
    start = time.monotonic()
    result = runner.run_child([sys.executable, str(Path(__file__).resolve()), "--child", variant,
                               "--threads", str(threads)], threads=threads, impl=impl)
    result["seconds"] = time.monotonic() - start
    print(f"{result['batch32_mib']:.0f} MiB after batch 32, serving peak {result['serving_peak_mib']:.0f} MiB  "
          f"{result['seconds']:.1f} s", flush=True)
    return {"label": VARIANTS[variant], **result}


def _mib(key):
    return lambda r: f"{r[key]:.0f}"


def _weights(key):
    return lambda r: report.ratio(r[key] * MIB / r["weight_bytes"])


GROWTH_TABLE = [("model", lambda r: r["label"]), ("after the model (MiB)", _mib("model_mib")),
                ("peak making it", _mib("build_peak_mib")), ("after batch 1", _mib("batch1_mib")),
                ("after batch 32", _mib("batch32_mib")), ("peak serving", _mib("serving_peak_mib")),
                ("after batch 32 / weights", _weights("batch32_mib")),
                ("peak serving / weights", _weights("serving_peak_mib"))]
TARGET_TABLE = [("growth", lambda t: t["measure"]), ("nn.LSTM (MiB)", _mib("nn_mib")),
                ("mkldnn (MiB)", _mib("mkldnn_mib")), ("limit: nn + 10 % of weights", _mib("limit_mib")),
                ("met", lambda t: "yes" if t["met"] else "**no**")]


def targets(nn, ours):
    """The issue's target for the RSS after serving and for the peak."""
    margin = TARGET_SHARE * nn["weight_bytes"] / MIB
    rows = []
    for measure, key in (("after batch 32 (VmRSS)", "batch32_mib"), ("peak serving (VmHWM)", "serving_peak_mib")):
        limit = nn[key] + margin
        rows.append({"measure": measure, "nn_mib": nn[key], "mkldnn_mib": ours[key], "limit_mib": limit,
                     "met": ours[key] <= limit})
    return rows


def main():
    args = parse_args()
    if args.child:
        return child(args.child, args.threads)
    run_bench.child_environment(args.build_dir.resolve())
    started = time.monotonic()
    nn, ours = (measure(variant, args.threads, args.impl) for variant in ("nn", "mkldnn"))
    checks = targets(nn, ours)
    print(f"\n### Memory growth: nn.LSTM(1024, 1024, num_layers=3, bidirectional=True), "
          f"{nn['weight_bytes'] / MIB:.0f} MiB fp32 weights, T={STEPS}, MKLDNN_RNN_IMPL={args.impl}, "
          f"{args.threads} threads\n\nRSS growth over the process before the model exists; "
          f"calls {', '.join(f'{n} x batch {b}' for b, n in CALLS)}.\n")
    print(report.markdown(GROWTH_TABLE, [nn, ours]) + "\n\n" + report.markdown(TARGET_TABLE, checks) + "\n")
    if args.out:
        report.write_csv(args.out, [nn, ours])
    print(json.dumps({"impl": args.impl, "weight_mib": nn["weight_bytes"] / MIB, "nn": nn, "mkldnn": ours,
                      "targets": checks, "met": all(t["met"] for t in checks),
                      "seconds": time.monotonic() - started}), flush=True)


if __name__ == "__main__":
    runner.exit_on_child_error(main)
