# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""One PackedWeights shared by 8 threads x 2,000 forwards (16,000 calls) with different inputs, shapes
and lengths: every result must be bit-identical (torch.equal) to the same call made serially. This is
the op-level check (torch.ops.mkldnn_rnn.rnn, which the package's modules call); the module-level
variant runs the same through mkldnn_rnn.to_mkldnn. Sizes are small to stay well under 60 s."""
import sys
import threading
from pathlib import Path

import pytest
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reliability"))
import op_library  # noqa: E402

THREADS, CALLS = 8, 2000


def make_cases(count=48):
    gen = torch.Generator().manual_seed(0)
    cases = []
    for k in range(count):
        t, n = 1 + k % 7, 1 + (k * 5) % 4
        x = torch.randn(t, n, 8, generator=gen)
        hx = torch.randn(4, n, 16, generator=gen) if k % 2 else None
        lengths = torch.randint(1, t + 1, (n,), generator=gen) if k % 3 == 0 else None
        cases.append((x, hx, lengths))
    return cases


def hammer(call, cases):
    """Runs `call(case)` serially for the reference, then from THREADS threads CALLS times each."""
    expected = [call(case) for case in cases]
    failures, errors = [], []
    start = threading.Barrier(THREADS)

    def worker(w):
        try:
            start.wait()
            for i in range(CALLS):
                k = (w * 13 + i * 7) % len(cases)
                got = call(cases[k])
                if not all(torch.equal(a, b) for a, b in zip(got, expected[k])):
                    failures.append((w, i, k))
        except Exception as exc:  # noqa: BLE001 - reported below, with the thread that raised it
            errors.append((w, repr(exc)))

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[:5]
    assert not failures, f"{len(failures)} of {THREADS * CALLS} results differ from serial (thread, call, case): " \
                         f"{failures[:10]}"


def test_concurrent_op_calls_bit_identical():
    ops = op_library.load()
    torch.manual_seed(0)
    model = torch.nn.GRU(8, 16, 2, bidirectional=True)
    weights = op_library.packed_weights(model)
    hammer(lambda c: ops.rnn(weights, c[0], c[1], None, c[2], False)[:2], make_cases())


def test_concurrent_module_calls_bit_identical():
    import mkldnn_rnn
    torch.manual_seed(0)
    module = mkldnn_rnn.to_mkldnn(torch.nn.GRU(8, 16, 2, bidirectional=True))
    cases = [c for c in make_cases() if c[2] is None]
    hammer(lambda c: module(c[0], c[1]), cases)
