# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""to_mkldnn as a drop-in for torch.utils.mkldnn.to_mkldnn: the original design's snippet with only the
import changed, whole-model conversion, what is and is not converted, dtypes, repr, no parameters."""
import copy
import re

import pytest
import torch
import torch.utils.mkldnn
from torch import nn

import mkldnn_rnn
from conftest import assert_same, torch_own_failure


def test_original_snippet_with_only_the_import_changed():
    import mkldnn_rnn as mkldnn_utils
    torch.manual_seed(0)
    rnn = torch.nn.LSTM(10, 20)
    mkldnn_rnn = mkldnn_utils.to_mkldnn(rnn)
    input = torch.randn(1, 5, 10)
    hx = torch.randn(1, 5, 20)
    cx = torch.randn(1, 5, 20)
    output, (hy, cy) = mkldnn_rnn(input.to_mkldnn(), (hx.to_mkldnn(), cx.to_mkldnn()))

    with torch.no_grad():
        want, (want_h, want_c) = rnn(input, (hx, cx))
    assert_same(output, want, mkldnn=True)
    assert_same(hy, want_h, mkldnn=True)
    assert_same(cy, want_c, mkldnn=True)


class Tagger(nn.Module):
    """Linear -> LSTM -> Linear, with the recurrent module nested in a container."""

    def __init__(self):
        super().__init__()
        self.embed = nn.Linear(6, 8)
        self.encoder = nn.Sequential(nn.LSTM(8, 12, num_layers=2, bidirectional=True))
        self.head = nn.Linear(24, 4)

    def forward(self, x):
        out, _ = self.encoder[0](self.embed(x))
        return self.head(out)


def test_whole_model():
    torch.manual_seed(0)
    original = Tagger().eval()
    converted = mkldnn_rnn.to_mkldnn(original)
    assert isinstance(converted.encoder[0], mkldnn_rnn.MkldnnLSTM)
    assert isinstance(converted.embed, torch.utils.mkldnn.MkldnnLinear)
    assert isinstance(original.encoder[0], nn.LSTM) and isinstance(original.embed, nn.Linear)
    x = torch.randn(5, 3, 6)
    with torch.no_grad():
        assert_same(converted(x), original(x), mkldnn=False)


def test_non_recurrent_modules_as_torch_utils_mkldnn():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6 * 6, 5)).eval()
    ours = mkldnn_rnn.to_mkldnn(model)
    theirs = torch.utils.mkldnn.to_mkldnn(copy.deepcopy(model))
    assert [type(m) for m in ours] == [type(m) for m in theirs]
    x = torch.randn(2, 3, 8, 8).to_mkldnn()
    broken = torch_own_failure(model[:3], x)
    with torch.no_grad():
        if broken is None:
            torch.testing.assert_close(ours[:3](x).to_dense(), theirs[:3](x).to_dense())
        else:  # torch's own MkldnnBatchNorm fails on this torch: ours is that class, and fails alike
            with pytest.raises(type(broken), match=re.escape(str(broken).splitlines()[0])):
                ours[:3](x)
    assert isinstance(model[0], nn.Conv2d), "the original must stay untouched"


def test_bfloat16():
    model = nn.Sequential(nn.Linear(4, 4))
    assert isinstance(mkldnn_rnn.to_mkldnn(model, torch.bfloat16)[0], torch.utils.mkldnn.MkldnnLinear)
    # Recurrent modules convert too (tests/python/test_reduced_precision.py checks their numbers).
    converted = mkldnn_rnn.to_mkldnn(nn.Sequential(nn.Linear(4, 4), nn.GRU(4, 4)), torch.bfloat16)
    assert isinstance(converted[0], torch.utils.mkldnn.MkldnnLinear) and converted[0].weight.dtype == torch.bfloat16
    assert isinstance(converted[1], mkldnn_rnn.MkldnnGRU) and converted[1].precision == "bf16"
    with pytest.raises(TypeError, match=r"dtype: expected torch.float, torch.bfloat16 or torch.qint8, got torch.float64"):
        mkldnn_rnn.to_mkldnn(model, torch.double)


@pytest.mark.parametrize("make", [
    lambda: nn.LSTM(7, 11, num_layers=2, bias=False, batch_first=True, dropout=0.5, bidirectional=True, proj_size=3),
    lambda: nn.GRU(7, 11), lambda: nn.RNN(7, 11, nonlinearity="relu"), lambda: nn.RNN(7, 11),
    lambda: nn.LSTMCell(7, 11), lambda: nn.GRUCell(7, 11, bias=False), lambda: nn.RNNCell(7, 11, nonlinearity="relu"),
], ids=["lstm", "gru", "rnn_relu", "rnn_tanh", "lstm_cell", "gru_cell", "rnn_cell"])
def test_converted_module_shape(make):
    original = make()
    converted = mkldnn_rnn.to_mkldnn(original)
    assert type(converted).__name__ == "Mkldnn" + type(original).__name__
    assert converted.extra_repr() == original.extra_repr()
    assert list(converted.parameters()) == [], "inference only: nothing for an optimizer to train"
    for attr in ("input_size", "hidden_size", "bias", "num_layers", "batch_first", "bidirectional", "proj_size",
                 "nonlinearity", "dropout"):
        if hasattr(original, attr):
            assert getattr(converted, attr) == getattr(original, attr), attr


def test_subclass_with_own_forward_is_kept():
    class Custom(nn.LSTM):
        def forward(self, x, hx=None):
            return super().forward(x * 2, hx)

    converted = mkldnn_rnn.to_mkldnn(nn.Sequential(Custom(3, 4)))
    assert type(converted[0]) is Custom
