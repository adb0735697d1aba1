#!/usr/bin/env python3
# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""`make fuzz`: the corrupt-model fuzzer at full size (default 10000 cases, split between corrupted
pickle states and corrupted TorchScript archives; see model_fuzz.py for the cases and what passes).
Exits non-zero, listing each failing case, when any child crashed, hung, attempted an absurd allocation,
or (state cases) failed with something other than our own RuntimeError.

    fuzz_models.py [--cases N] [--seed S] [--batch B]
"""
import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import model_fuzz  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=10000, help="total cases, split evenly between the kinds")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch", type=int, default=1000, help="cases per child process")
    args = parser.parse_args()

    all_failures = []
    for n, kind in enumerate(model_fuzz.KINDS):
        cases = args.cases // len(model_fuzz.KINDS) + (1 if n < args.cases % len(model_fuzz.KINDS) else 0)
        start = time.monotonic()
        counts, failures = model_fuzz.run(kind, args.seed, cases, args.batch)
        print(f"{kind}: {cases} cases in {time.monotonic() - start:.1f} s: "
              + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())), flush=True)
        all_failures += failures
    _, failures, _ = model_fuzz.run_batch("regression", args.seed, 0, len(model_fuzz.REGRESSIONS))
    print(f"regression: {len(model_fuzz.REGRESSIONS)} fixed cases, {len(failures)} failing", flush=True)
    all_failures += failures
    for failure in all_failures:
        print("FAIL", failure)
    print(f"{len(all_failures)} failures (seed {args.seed})")
    return 1 if all_failures else 0


if __name__ == "__main__":
    sys.exit(main())
