# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""How far mkldnn_rnn's bf16 and int8 modules are from fp32 torch.nn, and how far PyTorch's own int8 is.

    /usr/bin/python3 bench/accuracy.py                 (PYTHONPATH=python, MKLDNN_RNN_BUILD_DIR=<build>)
    /usr/bin/python3 bench/accuracy.py --out results/accuracy.md

For every mode (LSTM, GRU, RNN_TANH, RNN_RELU, and the cells LSTMCell, GRUCell, RNNCell tanh and relu)
at the seed shape (input 250, hidden 200, T = 15, batch 1 and 8; torch's default init under
torch.manual_seed(0)) and each reduced precision, the max and mean |error| of the outputs and of h_n
against the fp32 torch.nn module, over INPUTS unit-normal inputs [T, batch, 250] with zero initial
state. A cell runs the T steps as a user's loop does (h fed back each step): its "output" is every step's
h', its h_n the last one. The precisions:

    bf16                to_mkldnn(model, torch.bfloat16)
    int8                to_mkldnn(model, torch.qint8)            (our per-row quantization of the weights)
    int8 (qdyn weights) to_mkldnn(quantize_dynamic(model))       (PyTorch's int8 weights, taken as they are)
    quantize_dynamic    torch.ao.quantization.quantize_dynamic(model, dtype=torch.qint8) itself, on the
                        quantized engine measure_module.quantized_engine() picks (LSTM, GRU and the cells)

Each set runs in a fresh child process twice: as the CPU and the environment allow, and with
MKLDNN_RNN_MAX_ISA capped to the base of the family that run used (its fp32 kernel_isa: avx512_core, or
avx2 on a CPU without AVX-512 or under make bench-avx2; read once per process), the "fallback" columns:
the emulated inner products of CPUs without AVX512_BF16 / VNNI (or AVX-VNNI). The cap is never raised:
under MKLDNN_RNN_MAX_ISA=avx2 the fallback is avx2, not avx512_core. The Markdown table goes to stdout
(and --out), for docs/precision.md; then the check of issue 12 that our int8 is at least as accurate as
quantize_dynamic on the same model and inputs. A precision the package cannot run yet is a cell saying
why, not a failure. Under a minute on 2 cores.
"""
import argparse
import json
import os
import sys
import time
from pathlib import Path

import runner

REPO = Path(__file__).resolve().parent.parent
INPUT, HIDDEN, STEPS, BATCHES = 250, 200, 15, (1, 8)
INPUTS = 4  # unit-normal inputs per (mode, batch)
MODES = ("LSTM", "GRU", "RNN_TANH", "RNN_RELU", "LSTMCell", "GRUCell", "RNNCell_TANH", "RNNCell_RELU")
PRECISIONS = ("bf16", "int8", "int8 (qdyn weights)", "quantize_dynamic")
# The modes torch 1.13's quantize_dynamic covers (torch.ao.nn.quantized.dynamic: no RNN).
QDYN_MODES = ("LSTM", "GRU", "LSTMCell", "GRUCell", "RNNCell_TANH", "RNNCell_RELU")


def make_module(torch, mode):
    nn = torch.nn
    torch.manual_seed(0)
    if mode == "LSTM":
        return nn.LSTM(INPUT, HIDDEN).eval()
    if mode == "GRU":
        return nn.GRU(INPUT, HIDDEN).eval()
    if mode.startswith("RNN_"):
        return nn.RNN(INPUT, HIDDEN, nonlinearity=mode[4:].lower()).eval()
    if mode == "LSTMCell":
        return nn.LSTMCell(INPUT, HIDDEN).eval()
    if mode == "GRUCell":
        return nn.GRUCell(INPUT, HIDDEN).eval()
    return nn.RNNCell(INPUT, HIDDEN, nonlinearity=mode.split("_")[1].lower()).eval()


def run(torch, module, mode, x):
    """(output [T, N, H], h_n [N, H]) of a module or of a cell looped over the T steps, dense fp32."""
    def dense(t):
        return (t.to_dense() if t.is_mkldnn else t).float()

    if "Cell" not in mode:
        output, state = module(x)
        h_n = state[0] if isinstance(state, tuple) else state
        return dense(output), dense(h_n)[-1]
    state, hs = None, []
    for t in range(x.shape[0]):
        state = module(x[t]) if state is None else module(x[t], state)
        hs.append(dense(state[0] if isinstance(state, tuple) else state))
    return torch.stack(hs), hs[-1]


def convert(torch, measure_module, mode, precision, model):
    import mkldnn_rnn

    if precision == "bf16":
        converted = mkldnn_rnn.to_mkldnn(model, torch.bfloat16)
    elif precision == "int8":
        converted = mkldnn_rnn.to_mkldnn(model, torch.qint8)
    elif mode not in QDYN_MODES:
        return None
    else:
        quantized = measure_module.quantize_dynamic(model)
        if precision == "quantize_dynamic":
            return quantized
        # The whole dynamic-quantized tree, as a user converts it (the recurrent module is a child of it).
        converted = mkldnn_rnn.to_mkldnn(torch.nn.Sequential(quantized))[0]
    expected = "bf16" if precision == "bf16" else "int8"
    if getattr(converted, "precision", None) != expected:  # never an fp32 figure under a reduced label
        raise TypeError(f"to_mkldnn made {type(converted).__name__} of precision "
                        f"{getattr(converted, 'precision', None)!r}, expected {expected!r}")
    return converted


def child():
    """Every (mode, batch, precision) of one process: a JSON list of cells on stdout."""
    import torch

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import measure_module

    torch.set_num_threads(1)
    engine = measure_module.quantized_engine()
    cells = []
    with torch.inference_mode():
        for mode in MODES:
            model = make_module(torch, mode)
            torch.manual_seed(1)
            inputs = {n: [torch.randn(STEPS, n, INPUT) for _ in range(INPUTS)] for n in BATCHES}
            for precision in PRECISIONS:
                cell = {"mode": mode, "precision": precision}
                try:
                    converted = convert(torch, measure_module, mode, precision, model)
                except Exception as e:  # noqa: BLE001  a precision not there yet: the table says why
                    converted, cell["failed"] = None, f"{type(e).__name__}: {e}".splitlines()[0][:80]
                if converted is None and "failed" not in cell:
                    cell["failed"] = "not covered"
                for n in BATCHES:
                    row = dict(cell, batch=n)
                    if converted is not None:
                        try:
                            row.update(errors(torch, mode, converted, model, inputs[n]))
                        except Exception as e:  # noqa: BLE001
                            row["failed"] = f"{type(e).__name__}: {e}".splitlines()[0][:80]
                    cells.append(row)
    isa = {}
    for precision in ("fp32", "bf16", "int8"):
        try:
            isa[precision] = measure_module.kernel_isa(precision)
        except Exception:  # noqa: BLE001  informative only (an op library without the op)
            isa[precision] = ""
    print(json.dumps({"threads": torch.get_num_threads(), "quantized_engine": engine, "isa": isa,
                      "max_isa": os.environ.get("MKLDNN_RNN_MAX_ISA", ""), "torch": torch.__version__,
                      "cells": cells}), flush=True)


def errors(torch, mode, converted, model, inputs):
    """max and mean |converted - model| of the outputs and of h_n, over `inputs`."""
    out_errors, h_errors = [], []
    for x in inputs:
        out, h_n = run(torch, converted, mode, x)
        ref_out, ref_h = run(torch, model, mode, x)
        out_errors.append((out - ref_out).abs().flatten())
        h_errors.append((h_n - ref_h).abs().flatten())
    out_all, h_all = torch.cat(out_errors), torch.cat(h_errors)
    return {"out_max": out_all.max().item(), "out_mean": out_all.mean(dtype=torch.float64).item(),
            "h_max": h_all.max().item(), "h_mean": h_all.mean(dtype=torch.float64).item()}


# --- the parent ---------------------------------------------------------------------------------------

def measure(extra_env):
    argv = [sys.executable, str(Path(__file__).resolve()), "--child"]
    return runner.run_child(argv, threads=1, extra_env=extra_env, timeout=300)


def fmt(value):
    return "–" if value is None else f"{value:.1e}"


def table(native, fallback, fallback_isa):
    by_key = {(c["mode"], c["batch"], c["precision"]): c for c in fallback["cells"]}
    lines = [f"| module | batch | precision | output max | output mean | h_n max | h_n mean | "
             f"fallback ({fallback_isa}) output max | fallback output mean | fallback h_n max |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for c in native["cells"]:
        if c.get("failed") == "not covered":
            continue
        f = by_key.get((c["mode"], c["batch"], c["precision"]), {})
        if c["precision"] == "quantize_dynamic":  # torch's own kernels: MKLDNN_RNN_MAX_ISA does not apply
            fallback_cells = ["(same kernels)"] * 3
        elif "failed" in f:
            fallback_cells = ["failed" + ("" if f["failed"] == c.get("failed") else f": {f['failed']}"), "–", "–"]
        else:
            fallback_cells = [fmt(f.get("out_max")), fmt(f.get("out_mean")), fmt(f.get("h_max"))]
        if "failed" in c:
            cells = [f"failed: {c['failed']}", "–", "–", "–"]
        else:
            cells = [fmt(c["out_max"]), fmt(c["out_mean"]), fmt(c["h_max"]), fmt(c["h_mean"])]
        lines.append(f"| {c['mode']} | {c['batch']} | {c['precision']} | " + " | ".join(cells + fallback_cells) + " |")
    return lines


def qdyn_checks(native, fallback, fallback_isa):
    """Issue 12: our int8 at least as accurate against fp32 torch.nn as quantize_dynamic (max and mean of
    the outputs), on the same model and inputs; natively and with the fallback."""
    lines = ["| module | batch | ISA | quantize_dynamic output max / mean | int8 max / mean | met | "
             "int8 (qdyn weights) max / mean | met |", "|---|---|---|---|---|---|---|---|"]
    qdyn = {(c["mode"], c["batch"]): c for c in native["cells"]
            if c["precision"] == "quantize_dynamic" and "failed" not in c}
    for label, run_ in (("native", native), (fallback_isa, fallback)):
        ours = {(c["mode"], c["batch"], c["precision"]): c for c in run_["cells"]}
        for (mode, batch), q in qdyn.items():
            cells = []
            for precision in ("int8", "int8 (qdyn weights)"):
                c = ours.get((mode, batch, precision), {})
                if "out_max" not in c:
                    cells += ["failed" if label != "native" else f"failed: {c.get('failed', 'missing')}", "–"]
                    continue
                met = c["out_max"] <= q["out_max"] and c["out_mean"] <= q["out_mean"]
                cells += [f"{fmt(c['out_max'])} / {fmt(c['out_mean'])}", "yes" if met else "**no**"]
            lines.append(f"| {mode} | {batch} | {label} | {fmt(q['out_max'])} / {fmt(q['out_mean'])} | "
                         + " | ".join(cells) + " |")
    return lines


def markdown():
    """Both child runs (native, then the fallback ISA), as the Markdown of docs/precision.md."""
    os.environ.setdefault("PYTHONPATH", str(REPO / "python"))
    build = Path(os.environ.get("MKLDNN_RNN_BUILD_DIR", REPO / "build"))
    library = build / "lib" / "libmkldnn_rnn_torch.so"
    if library.exists():
        os.environ.setdefault("MKLDNN_RNN_TORCH_LIBRARY", str(library))
    native = measure(())
    # The base of the family the native run used: capping to it never raises a cap the environment set.
    # Without a fused kernel (none) there is nothing to cap, and the fallback run is the native one again.
    base = native["isa"]["fp32"] or "none"
    fallback = measure((("MKLDNN_RNN_MAX_ISA", base),) if base != "none" else ())
    isa = ", ".join(f"{p}: {v}" for p, v in native["isa"].items() if v) or "as this CPU allows"
    fallback_isa = ", ".join(f"{p}: {v}" for p, v in fallback["isa"].items() if v) or base
    return "\n".join([
        f"Error against fp32 torch.nn at input {INPUT}, hidden {HIDDEN}, T={STEPS}, over {INPUTS} unit-normal "
        f"inputs per batch size (torch's default init, torch.manual_seed(0); zero initial state; cells "
        f"looped over the T steps). Inner products: {isa}; fallback columns with "
        f"MKLDNN_RNN_MAX_ISA={base} ({fallback_isa}). quantize_dynamic: torch "
        f"{native['torch']} on the quantized engine `{native['quantized_engine']}`. Generated by `bench/accuracy.py`.",
        "", *table(native, fallback, base), "",
        "int8 against quantize_dynamic (issue 12: at least as accurate on the same model and inputs, max and "
        "mean |error| of the outputs):", "", *qdyn_checks(native, fallback, base), "",
    ])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help="also write the Markdown here")
    args = parser.parse_args()
    if args.child:
        return child()
    started = time.monotonic()
    text = markdown()
    print(text, flush=True)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)
    print(f"({time.monotonic() - started:.0f} s)", file=sys.stderr)


if __name__ == "__main__":
    runner.exit_on_child_error(main)
