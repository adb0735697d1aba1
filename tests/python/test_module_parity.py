# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""Converted modules against the torch.nn modules they replace, on the same weights.

Grid: kind (LSTM, LSTM with proj_size, GRU, RNN tanh, RNN relu) x num_layers {1, 2, 3} x bidirectional x
bias x batch_first x input form {padded, packed sorted, packed unsorted, unbatched} x hx {absent, dense,
mkldnn} x input layout {dense, mkldnn}; the full product less the combinations torch.nn itself does not
have (mkldnn PackedSequence data, batch_first on unbatched input is kept: it is valid). Odd sizes: I=7,
H=11, P=3, N=3, T=5, lengths {5, 1, 3} (unsorted) or {5, 3, 1} (sorted). Outputs, h_n and c_n are
compared at conftest's tolerance and checked for the layout rule: output follows the input, states
follow hx when given, else the input.
"""
import copy
import itertools

import pytest
import torch
from torch import nn
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence

import mkldnn_rnn
from conftest import assert_same

I, H, P, N, T = 7, 11, 3, 3, 5
KINDS = {
    "lstm": lambda **kw: nn.LSTM(I, H, **kw),
    "lstm_proj": lambda **kw: nn.LSTM(I, H, proj_size=P, **kw),
    "gru": lambda **kw: nn.GRU(I, H, **kw),
    "rnn_tanh": lambda **kw: nn.RNN(I, H, **kw),
    "rnn_relu": lambda **kw: nn.RNN(I, H, nonlinearity="relu", **kw),
}
FORMS = ("padded", "packed_sorted", "packed_unsorted", "unbatched")
HX = ("none", "dense", "mkldnn")


def grid():
    for kind, layers, bidir, bias, batch_first, form, hx, layout in itertools.product(
            KINDS, (1, 2, 3), (False, True), (True, False), (False, True), FORMS, HX, ("dense", "mkldnn")):
        if form.startswith("packed") and layout == "mkldnn":
            continue  # PackedSequence data is a dense tensor
        yield pytest.param(kind, layers, bidir, bias, batch_first, form, hx, layout,
                           id=f"{kind}-L{layers}-{'bi' if bidir else 'uni'}-{'bias' if bias else 'nobias'}-"
                              f"{'bf' if batch_first else 'tm'}-{form}-hx_{hx}-{layout}")


def make_states(module, batch, unbatched, seed):
    gen = torch.Generator().manual_seed(seed)
    D = 2 if module.bidirectional else 1
    h_out = module.proj_size if getattr(module, "proj_size", 0) else module.hidden_size
    shape = (module.num_layers * D,) + (() if unbatched else (batch,))
    h = torch.randn(*shape, h_out, generator=gen)
    if isinstance(module, nn.LSTM):
        return h, torch.randn(*shape, module.hidden_size, generator=gen)
    return h


def to_layout(value, mkldnn):
    if not mkldnn:
        return value
    return tuple(t.to_mkldnn() for t in value) if isinstance(value, tuple) else value.to_mkldnn()


@pytest.mark.parametrize("kind,layers,bidir,bias,batch_first,form,hx,layout", list(grid()))
def test_sequence_module(kind, layers, bidir, bias, batch_first, form, hx, layout):
    torch.manual_seed(hash((kind, layers, bidir, bias)) % 2**31)
    original = KINDS[kind](num_layers=layers, bidirectional=bidir, bias=bias, batch_first=batch_first).eval()
    check_sequence_module(original, I, batch_first, form, hx, layout)


# Each implementation the autotuner chooses from, forced (MKLDNN_RNN_IMPL is read when weights are packed),
# at the benchmark's sizes: H = 200 is 13 blocks of the fused kernel, split between the threads.
IMPLS = ("plain_ldigo", "onednn_preferred", "fused")
WIDE = {kind: (lambda make: lambda **kw: make(250, 200, **kw))(make) for kind, make in {
    "lstm": nn.LSTM, "lstm_proj": lambda i, h, **kw: nn.LSTM(i, h, proj_size=50, **kw), "gru": nn.GRU,
    "rnn_tanh": nn.RNN, "rnn_relu": lambda i, h, **kw: nn.RNN(i, h, nonlinearity="relu", **kw)}.items()}


@pytest.mark.parametrize("impl,kind,layers,bidir,form", [
    pytest.param(*p, id="-".join(map(str, p)))
    for p in itertools.product(IMPLS, WIDE, (1, 2), (False, True), ("padded", "packed_unsorted"))])
def test_each_implementation(monkeypatch, impl, kind, layers, bidir, form):
    monkeypatch.setenv("MKLDNN_RNN_IMPL", impl)
    torch.manual_seed(hash((impl, kind, layers, bidir)) % 2**31)
    batch_first = bidir  # both values of each, across the grid
    original = WIDE[kind](num_layers=layers, bidirectional=bidir, batch_first=batch_first).eval()
    check_sequence_module(original, 250, batch_first, form, hx="dense" if layers == 2 else "none", layout="dense")


def check_sequence_module(original, input_size, batch_first, form, hx, layout):
    """The converted module against `original` on one input of conftest's N, T and lengths."""
    converted = mkldnn_rnn.to_mkldnn(original)
    x = torch.randn(N, T, input_size) if batch_first else torch.randn(T, N, input_size)
    if form == "unbatched":
        x = x[0] if batch_first else x[:, 0]
    elif form.startswith("packed"):
        lengths = torch.tensor([5, 3, 1] if form == "packed_sorted" else [5, 1, 3])
        x = pack_padded_sequence(x, lengths, batch_first=batch_first, enforce_sorted=form == "packed_sorted")
    states = None if hx == "none" else make_states(original, N, form == "unbatched", seed=1)

    with torch.no_grad():
        want_out, want_h = original(x, states)
        x_in = to_layout(x, layout == "mkldnn") if not isinstance(x, PackedSequence) else x
        got_out, got_h = converted(x_in, to_layout(states, hx == "mkldnn") if states is not None else None)

    input_mkldnn = layout == "mkldnn" and not isinstance(x, PackedSequence)
    states_mkldnn = hx == "mkldnn" or (hx == "none" and input_mkldnn)
    if isinstance(x, PackedSequence):
        assert isinstance(got_out, PackedSequence)
        assert_same(got_out.data, want_out.data, mkldnn=False)
        for field in ("batch_sizes", "sorted_indices", "unsorted_indices"):
            g, w = getattr(got_out, field), getattr(want_out, field)
            assert (g is None and w is None) or torch.equal(g, w), field
    else:
        assert_same(got_out, want_out, input_mkldnn)
    for got, want in zip(got_h if isinstance(got_h, tuple) else (got_h,),
                         want_h if isinstance(want_h, tuple) else (want_h,), strict=True):
        assert_same(got, want, states_mkldnn)


CELLS = {
    "lstm_cell": lambda bias: nn.LSTMCell(I, H, bias=bias),
    "gru_cell": lambda bias: nn.GRUCell(I, H, bias=bias),
    "rnn_tanh_cell": lambda bias: nn.RNNCell(I, H, bias=bias),
    "rnn_relu_cell": lambda bias: nn.RNNCell(I, H, bias=bias, nonlinearity="relu"),
}


@pytest.mark.parametrize("kind,bias,batched,hx,layout", [
    pytest.param(*p, id="-".join(map(str, p)))
    for p in itertools.product(CELLS, (True, False), (True, False), HX, ("dense", "mkldnn"))])
def test_cell(kind, bias, batched, hx, layout):
    torch.manual_seed(hash((kind, bias)) % 2**31)
    original = CELLS[kind](bias).eval()
    converted = mkldnn_rnn.to_mkldnn(original)
    x = torch.randn(N, I) if batched else torch.randn(I)
    states = None
    if hx != "none":
        shape = (N, H) if batched else (H,)
        states = (torch.randn(shape), torch.randn(shape)) if kind == "lstm_cell" else torch.randn(shape)
    with torch.no_grad():
        want = original(x, states)
        got = converted(to_layout(x, layout == "mkldnn"), None if states is None else to_layout(states, hx == "mkldnn"))
    states_mkldnn = hx == "mkldnn" or (hx == "none" and layout == "mkldnn")
    for g, w in zip(got if isinstance(got, tuple) else (got,), want if isinstance(want, tuple) else (want,), strict=True):
        assert_same(g, w, states_mkldnn)


def test_original_untouched():
    original = nn.Sequential(nn.Linear(I, I), nn.LSTM(I, H, 2, bidirectional=True))
    before = copy.deepcopy(original.state_dict())
    converted = mkldnn_rnn.to_mkldnn(original)
    assert isinstance(original[1], nn.LSTM) and isinstance(converted[1], mkldnn_rnn.MkldnnLSTM)
    for key, value in original.state_dict().items():
        assert torch.equal(value, before[key]), key


def test_steady_state_calls_repeat_bits():
    """Calls after the first run on cached primitives: the same input must give the same bits."""
    converted = mkldnn_rnn.to_mkldnn(nn.LSTM(I, H, 2, bidirectional=True))
    x = torch.randn(T, N, I)
    with torch.no_grad():
        first = converted(x)
        for _ in range(3):
            again = converted(x)
            assert torch.equal(again[0], first[0]) and torch.equal(again[1][0], first[1][0])
