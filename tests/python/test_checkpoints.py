# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""state_dict / load_state_dict: torch.nn's names and values both ways, repacking on load."""
import pytest
import torch
from torch import nn

import mkldnn_rnn
from conftest import assert_same

MODELS = {
    "lstm_proj_bidir": lambda: nn.LSTM(5, 8, num_layers=2, bidirectional=True, proj_size=3),
    "gru_nobias": lambda: nn.GRU(5, 8, bias=False),
    "rnn_relu": lambda: nn.RNN(5, 8, num_layers=2, nonlinearity="relu"),
    "lstm_cell": lambda: nn.LSTMCell(5, 8),
    "gru_cell": lambda: nn.GRUCell(5, 8),
}


def run(module, cell):
    x = torch.randn(4, 5) if cell else torch.randn(6, 4, 5)
    with torch.no_grad():
        out = module(x)
    return out[0] if isinstance(out, tuple) else out


@pytest.mark.parametrize("name", MODELS)
def test_state_dict_matches_original(name):
    original = MODELS[name]()
    converted = mkldnn_rnn.to_mkldnn(original)
    want, got = original.state_dict(), converted.state_dict()
    assert list(got) == list(want)
    for key in want:
        assert torch.equal(got[key], want[key]), key


@pytest.mark.parametrize("name", MODELS)
def test_load_state_dict_repacks(name):
    torch.manual_seed(0)
    converted = mkldnn_rnn.to_mkldnn(MODELS[name]())
    other = MODELS[name]()  # different random weights
    converted.load_state_dict(other.state_dict())
    cell = "cell" in name
    torch.manual_seed(1)
    want = run(other, cell)
    torch.manual_seed(1)
    assert_same(run(converted, cell), want, mkldnn=False)

    back = MODELS[name]()
    back.load_state_dict(converted.state_dict())  # and the converted checkpoint loads into torch.nn
    for key, value in other.state_dict().items():
        assert torch.equal(back.state_dict()[key], value), key


def test_wrong_shape_and_missing_key():
    converted = mkldnn_rnn.to_mkldnn(nn.LSTM(5, 8))
    state = nn.LSTM(5, 9).state_dict()
    with pytest.raises(RuntimeError, match=r"size mismatch for weight_ih_l0: copying a param with shape "
                                           r"torch.Size\(\[36, 5\]\) from checkpoint, the shape in current model "
                                           r"is torch.Size\(\[32, 5\]\)"):
        converted.load_state_dict(state)
    state = nn.LSTM(5, 8).state_dict()
    del state["bias_hh_l0"]
    with pytest.raises(RuntimeError, match=r'Missing key\(s\) in state_dict: "bias_hh_l0"'):
        converted.load_state_dict(state)
    state = nn.LSTM(5, 8).state_dict()
    state["weight_hr_l0"] = torch.zeros(2, 8)
    with pytest.raises(RuntimeError, match=r'Unexpected key\(s\) in state_dict: "weight_hr_l0"'):
        converted.load_state_dict(state)


def test_missing_key_not_strict_like_torch():
    """strict=False: torch.nn reports the missing key and loads every key that is present."""
    torch.manual_seed(0)
    original = nn.LSTM(5, 8, num_layers=2, bidirectional=True)
    converted = mkldnn_rnn.to_mkldnn(original)
    state = nn.LSTM(5, 8, num_layers=2, bidirectional=True).state_dict()
    del state["bias_hh_l1_reverse"]
    want, got = original.load_state_dict(state, strict=False), converted.load_state_dict(state, strict=False)
    assert got.missing_keys == want.missing_keys == ["bias_hh_l1_reverse"]
    assert got.unexpected_keys == want.unexpected_keys == []
    for name, tensor in original.state_dict().items():
        assert torch.equal(converted.state_dict()[name], tensor), name


def test_nested_prefix():
    model = nn.Sequential(nn.Dropout(), nn.GRU(5, 8))
    converted = mkldnn_rnn.to_mkldnn(model)
    assert "1.weight_ih_l0" in converted.state_dict()
    converted.load_state_dict(model.state_dict())
