# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""Models saved by release 0.1.0 load and run with this one (data/make_release_0_1_0_models.py wrote the
file): its op calls (the padded PackedSequence path), its pickled PackedWeights (state version 1) and
its state_dict names must keep working."""
from pathlib import Path

import torch

import mkldnn_rnn
from conftest import ATOL, RTOL

DATA = Path(__file__).resolve().parent / "data"


def test_release_0_1_0_model_loads_and_gives_its_outputs():
    saved = torch.load(str(DATA / "release_0_1_0_io.pt"), weights_only=False)
    model = torch.jit.load(str(DATA / "release_0_1_0_models.pt"))
    with torch.no_grad():
        outputs = model(*saved["inputs"])
    assert len(outputs) == len(saved["outputs"])
    for got, want in zip(outputs, saved["outputs"]):
        torch.testing.assert_close(got, want, rtol=RTOL, atol=ATOL)


def test_release_0_1_0_model_keeps_its_weights():
    saved = torch.load(str(DATA / "release_0_1_0_io.pt"), weights_only=False)
    model = torch.jit.load(str(DATA / "release_0_1_0_models.pt"))
    for name, want in saved["state_dict"].items():
        module, key = name.split(".", 1)
        packed = getattr(model, module)._packed  # a scripted module keeps the attribute, not the method
        names = getattr(model, module)._weight_names
        assert key in names, f"{name}: not among {names}"
        torch.testing.assert_close(packed.weights()[names.index(key)], want, rtol=0, atol=0)


def test_release_0_1_0_model_saves_again_in_the_current_format(tmp_path):
    saved = torch.load(str(DATA / "release_0_1_0_io.pt"), weights_only=False)
    model = torch.jit.load(str(DATA / "release_0_1_0_models.pt"))
    torch.jit.save(model, str(tmp_path / "again.pt"))
    again = mkldnn_rnn.load(str(tmp_path / "again.pt"))
    with torch.no_grad():
        for got, want in zip(again(*saved["inputs"]), saved["outputs"]):
            torch.testing.assert_close(got, want, rtol=RTOL, atol=ATOL)
