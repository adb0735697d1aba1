# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""What torch.compile costs a converted module per call (torch 2.x; issue 20's "compile no slower than
eager"): eager against torch.compile(fullgraph=True, dynamic=True) with each backend given, LSTM 250->200
batch 1 at T = 15 and 1, and over 50 distinct lengths at batch 2 (one graph, no recompiles), one thread.

    make test-debian13 once, then in its root:
    mk/debian13.sh -- env PYTHONPATH=/src/mkldnn_rnn/python /usr/bin/python3 /src/mkldnn_rnn/bench/compile_overhead.py

Times are the best of 5 passes over the inputs, per call. Inductor, torch's default backend, is absent on
torch 2.6: it fails on any op taking a TorchBind object (pytorch/pytorch#137734).
"""
import argparse
import time

import torch

import mkldnn_rnn


def per_call_us(f, inputs, passes=5):
    best = float("inf")
    for _ in range(passes):
        start = time.perf_counter()
        for x in inputs:
            f(x)
        best = min(best, (time.perf_counter() - start) / len(inputs))
    return best * 1e6


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backends", default="eager,aot_eager", help="comma-separated torch.compile backends")
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    model = mkldnn_rnn.to_mkldnn(torch.nn.LSTM(250, 200).eval())
    cases = {f"T={steps}, batch 1": [torch.randn(steps, 1, 250) for _ in range(2000)] for steps in (15, 1)}
    cases["50 lengths 2..51, batch 2"] = [torch.randn(steps, 2, 250) for steps in range(2, 52)]
    print(f"torch {torch.__version__}, one thread, us per call (best of 5 passes)")
    print("| case | eager | " + " | ".join(f"compiled, {b}" for b in args.backends.split(",")) + " |")
    print("|---|---|" + "---|" * len(args.backends.split(",")))
    with torch.inference_mode():
        compiled = {b: torch.compile(model, fullgraph=True, dynamic=True, backend=b) for b in args.backends.split(",")}
        for name, inputs in cases.items():
            for f in (model, *compiled.values()):
                for x in inputs[:50]:
                    f(x)  # compiles (once per backend: dynamic shapes) and warms up
            cells = [per_call_us(f, inputs) for f in (model, *compiled.values())]
            print(f"| {name} | " + " | ".join(f"{c:.1f}" for c in cells) + " |")


if __name__ == "__main__":
    main()
