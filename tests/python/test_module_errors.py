# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""Errors of the converted modules, each with its type and the message that names the argument, the
expectation and what was given: hx of the wrong Python type (module-level TypeError), input rank
(ValueError), and the op's checks (RuntimeError) reached through the module."""
import pytest
import torch
from torch import nn

import mkldnn_rnn
from mkldnn_rnn import _fake

I, H, T, N = 7, 11, 5, 3


def _lstm(**kw):
    torch.manual_seed(0)
    return mkldnn_rnn.to_mkldnn(nn.LSTM(I, H, **kw))


def _gru():
    torch.manual_seed(0)
    return mkldnn_rnn.to_mkldnn(nn.GRU(I, H))


def test_lstm_hx_tuple_of_three():
    h = torch.zeros(1, N, H)
    with pytest.raises(TypeError, match=r"^MkldnnLSTM: hx: expected a tuple \(h_0, c_0\) of two tensors, "
                                        r"got a tuple of length 3$"):
        _lstm()(torch.randn(T, N, I), (h, h, h))


def test_lstm_hx_tensor():
    with pytest.raises(TypeError, match=r"^MkldnnLSTM: hx: expected a tuple \(h_0, c_0\) of two tensors, got Tensor$"):
        _lstm()(torch.randn(T, N, I), torch.zeros(1, N, H))


def test_lstm_cell_hx_tensor():
    cell = mkldnn_rnn.to_mkldnn(nn.LSTMCell(I, H))
    with pytest.raises(TypeError, match=r"^MkldnnLSTMCell: hx: expected a tuple \(h_0, c_0\) of two tensors"):
        cell(torch.randn(N, I), torch.zeros(N, H))


def test_gru_hx_tuple():
    h = torch.zeros(1, N, H)
    with pytest.raises(TypeError, match=r"^MkldnnGRU: hx: expected a tensor \(only LSTM has the \(h_0, c_0\) "
                                        r"pair\), got tuple$"):
        _gru()(torch.randn(T, N, I), (h, h))


@pytest.mark.parametrize("which", ["input", "hx"])
def test_requires_grad(which):
    x, h = torch.randn(T, N, I), torch.zeros(1, N, H)
    {"input": x, "hx": h}[which].requires_grad_()
    with torch.enable_grad(), pytest.raises(RuntimeError, match=rf"^mkldnn_rnn::rnn: {which}: expected a tensor "
                                            r"that does not require grad \(inference only; use the original "
                                            r"torch.nn module to train\), got requires_grad=True"):
        _gru()(x, h)


@pytest.mark.parametrize("dtype, name", [(torch.double, "Double"), (torch.int32, "Int")])
def test_input_dtype(dtype, name):
    with pytest.raises(RuntimeError, match=rf"^mkldnn_rnn::rnn: input: expected dtype Float or BFloat16, "
                                                rf"got {name}$"):
        _lstm()(torch.randn(T, N, I).to(dtype))


def test_meta_device():
    if _fake.supported():  # torch 2.x: meta in gives meta out, the fake kernel's sizes (test_bad_inputs.py)
        output, _ = _lstm()(torch.randn(T, N, I, device="meta"))
        assert output.device.type == "meta" and output.shape[:2] == (T, N)
        return
    with pytest.raises(RuntimeError, match=r"^mkldnn_rnn::rnn: input: expected device cpu, got meta$"):
        _lstm()(torch.randn(T, N, I, device="meta"))


@pytest.mark.parametrize("make, name", [(_lstm, "MkldnnLSTM"), (_gru, "MkldnnGRU")])
def test_four_dimensional_input(make, name):
    with pytest.raises(ValueError, match=rf"^{name}: input: expected a 2-D \(unbatched\) or 3-D \(batched\) "
                                         r"tensor, got a 4-D tensor$"):
        make()(torch.randn(T, N, 1, I))


def test_wrong_input_size():
    with pytest.raises(RuntimeError, match=r"^mkldnn_rnn::rnn: input: expected size \[5, 3, 7\], got \[5, 3, 8\]$"):
        _lstm()(torch.randn(T, N, I + 1))


def test_hx_wrong_size():
    with pytest.raises(RuntimeError, match=r"^mkldnn_rnn::rnn: hx: expected size \[2, 3, 11\], got \[1, 3, 11\]$"):
        _lstm(num_layers=2)(torch.randn(T, N, I), (torch.zeros(1, N, H), torch.zeros(2, N, H)))


def test_cx_wrong_size():
    with pytest.raises(RuntimeError, match=r"^mkldnn_rnn::rnn: cx: expected size \[1, 3, 11\], got \[1, 3, 3\]$"):
        _lstm(proj_size=3)(torch.randn(T, N, I), (torch.zeros(1, N, 3), torch.zeros(1, N, 3)))


def test_lstm_3d_hx_for_unbatched_input():
    h = torch.zeros(1, 1, H)
    with pytest.raises(RuntimeError, match=r"^For unbatched 2-D input, hx and cx should also be 2-D but got "
                                           r"\(3-D, 3-D\) tensors$"):
        _lstm()(torch.randn(T, I), (h, h))


def test_gru_3d_hx_for_unbatched_input():
    with pytest.raises(RuntimeError, match=r"^For unbatched 2-D input, hx should also be 2-D but got 3-D tensor$"):
        _gru()(torch.randn(T, I), torch.zeros(1, 1, H))


@pytest.mark.parametrize("make", [lambda: nn.LSTM(I, H), lambda: nn.GRU(I, H)], ids=["LSTM", "GRU"])
def test_3d_hx_for_unbatched_input_like_torch(make):
    """Same exception type and message as torch.nn for the rank of hx."""
    module = make()
    converted = mkldnn_rnn.to_mkldnn(module)
    h = torch.zeros(1, 1, H)
    hx = (h, h) if isinstance(module, nn.LSTM) else h
    with pytest.raises(RuntimeError) as want:
        module(torch.randn(T, I), hx)
    with pytest.raises(RuntimeError) as got:
        converted(torch.randn(T, I), hx)
    assert str(got.value) == str(want.value)
