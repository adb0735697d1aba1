# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""Fast subset of the corrupt-model fuzzer (tests/reliability/model_fuzz.py; `make fuzz` runs 10k cases):
150 corrupted PackedWeights pickle states through the TorchBind __setstate__ method, and 150 truncated,
bit-flipped or byte-substituted TorchScript archives through mkldnn_rnn.load, each batch in a child
process under a 4 GiB address-space cap. A crash (negative exit code), hang, absurd allocation, or (for
states) an error not raised by our checks fails the test and names the case. The fixed regression cases
(model_fuzz.REGRESSIONS, corruptions that once crashed) run too."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reliability"))
import model_fuzz  # noqa: E402

CASES = 150
SEED = 2026


@pytest.mark.parametrize("kind", model_fuzz.KINDS)
def test_corrupt_models(kind):
    counts, failures = model_fuzz.run(kind, SEED, CASES, batch=CASES)
    print(kind, counts)
    assert not failures, "\n".join(failures)
    assert sum(counts.values()) == CASES, f"only {sum(counts.values())} of {CASES} cases reported: {counts}"
    if kind == "state":
        assert counts.get("rejected", 0) > CASES // 2, counts
    else:  # raw damage fails a CRC-32, a corrupt pickle its walk: mkldnn_rnn.load's check refuses both
        assert counts.get("checked", 0) > CASES // 4, counts


def test_regressions():
    outcomes, failures, _ = model_fuzz.run_batch("regression", SEED, 0, len(model_fuzz.REGRESSIONS))
    assert not failures, "\n".join(failures)
    assert len(outcomes) == len(model_fuzz.REGRESSIONS), outcomes
