# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""Importing mkldnn_rnn gives torch.ScriptObject the "no __torch_function__" marker that torch.Tensor
carries (python/mkldnn_rnn/_library.py: it spares each op call a thrown and cleared C++ exception). What
PyTorch decides must not change: the packed weights still have no override, and a tensor subclass passed
beside them still gets its own __torch_function__ called."""
import torch

import mkldnn_rnn


def test_script_objects_carry_the_disabled_marker():
    assert torch.ScriptObject.__torch_function__ is torch._C._disabled_torch_function_impl


def test_packed_weights_have_no_torch_function_override():
    packed = mkldnn_rnn.to_mkldnn(torch.nn.GRU(3, 4)).packed_weights()
    assert not torch.overrides.has_torch_function((packed,))
    assert torch.overrides.has_torch_function((packed, _Logged(torch.zeros(1))))


class _Logged(torch.Tensor):
    calls = []

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        cls.calls.append(func)
        with torch._C.DisableTorchFunction():
            return func(*args, **(kwargs or {}))


def test_tensor_subclass_beside_packed_weights_keeps_its_override():
    torch.manual_seed(0)
    dense = torch.nn.GRU(3, 4).eval()
    converted = mkldnn_rnn.to_mkldnn(dense)
    x = torch.randn(5, 2, 3)
    _Logged.calls.clear()
    output, h_n, _ = torch.ops.mkldnn_rnn.rnn(converted.packed_weights(), x.as_subclass(_Logged), None, None, None, False)
    assert _Logged.calls == [torch.ops.mkldnn_rnn.rnn]  # dispatched through the subclass, exactly once
    with torch.no_grad():
        want, want_h = dense(x)
    torch.testing.assert_close(output.as_subclass(torch.Tensor), want, rtol=1.3e-6, atol=1e-5)
