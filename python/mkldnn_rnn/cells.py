# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""MkldnnLSTMCell, MkldnnGRUCell and MkldnnRNNCell: torch.nn's cells for inference on mkldnn_rnn.

Same calls and results as the torch.nn cells: input [N, I] or unbatched [I]; hx [N, H] (or [H]), the tuple
(h, c) for LSTMCell, or None for zeros. Layout rule as for the sequence modules (mkldnn_rnn.rnn): the new
states have the layout of hx when given, else that of the input; and their dtype likewise (float32 or
bfloat16 inputs, in any precision). Precision as for the sequence modules (mkldnn_rnn.rnn): "fp32", "bf16"
or "int8", and "int8" for a cell made from torch.ao.nn.quantized.dynamic's LSTMCell / GRUCell / RNNCell.
"""
from typing import Optional, Tuple

import torch
from torch import Tensor, nn

from . import _layout, _quantized
from ._packed_module import PackedModule, check_state_pair, check_state_tensor


class _MkldnnCellBase(PackedModule):
    def __init__(self, dense: nn.Module, mode: str, precision: str):
        names = ["weight_ih", "weight_hh"] + (["bias_ih", "bias_hh"] if dense.bias else [])
        if _quantized.is_dynamic_quantized(dense):
            weights, scales = _quantized.int8_weights(dense, names)
            precision = "int8"
        else:
            weights, scales = [getattr(dense, name) for name in names], None
        super().__init__(mode, dense.input_size, dense.hidden_size, 1, dense.bias, False, 0, names, weights,
                         precision, scales)
        self.train(dense.training)

    def extra_repr(self) -> str:
        s = "{input_size}, {hidden_size}"
        if self.bias is not True:
            s += ", bias={bias}"
        return s.format(**self.__dict__) + self._precision_repr()

    def _check_input_dim(self, input: Tensor):
        if input.dim() not in (1, 2):
            raise ValueError(f"{self._module_name}: input: expected a 1-D (unbatched) or 2-D (batched) tensor, "
                             f"got a {input.dim()}-D tensor")

    def _check_state_dim(self, name: str, state: Tensor, is_batched: bool):
        if state.dim() != (2 if is_batched else 1):
            raise RuntimeError(f"{self._module_name}: {name}: expected a {2 if is_batched else 1}-D tensor for "
                               f"{'batched 2-D' if is_batched else 'unbatched 1-D'} input, got a {state.dim()}-D tensor")


class MkldnnLSTMCell(_MkldnnCellBase):
    def __init__(self, dense: nn.LSTMCell, precision: str = "fp32"):
        super().__init__(dense, "LSTM", precision)

    def forward(self, input: Tensor, hx: Optional[Tuple[Tensor, Tensor]] = None) -> Tuple[Tensor, Tensor]:
        self._check_input_dim(input)
        is_batched = input.dim() == 2
        if not is_batched:
            input = _layout.unsqueeze(input, 0)
        h0: Optional[Tensor] = None
        c0: Optional[Tensor] = None
        if hx is not None:
            if not torch.jit.is_scripting():
                check_state_pair(self._module_name, hx)
            h0, c0 = hx[0], hx[1]
            self._check_state_dim("hx[0]", h0, is_batched)
            self._check_state_dim("hx[1]", c0, is_batched)
            if not is_batched:
                h0, c0 = _layout.unsqueeze(h0, 0), _layout.unsqueeze(c0, 0)
        h, c = torch.ops.mkldnn_rnn.cell(self._packed, input, h0, c0)
        if not is_batched:
            h, c = _layout.squeeze(h, 0), _layout.squeeze(c, 0)
        return h, c


class _MkldnnSingleStateCell(_MkldnnCellBase):
    """GRUCell and RNNCell: one state tensor, so one forward."""

    def forward(self, input: Tensor, hx: Optional[Tensor] = None) -> Tensor:
        self._check_input_dim(input)
        is_batched = input.dim() == 2
        if not is_batched:
            input = _layout.unsqueeze(input, 0)
        if hx is not None:
            if not torch.jit.is_scripting():
                check_state_tensor(self._module_name, hx)
            self._check_state_dim("hx", hx, is_batched)
            if not is_batched:
                hx = _layout.unsqueeze(hx, 0)
        h, _ = torch.ops.mkldnn_rnn.cell(self._packed, input, hx, None)
        if not is_batched:
            h = _layout.squeeze(h, 0)
        return h


class MkldnnGRUCell(_MkldnnSingleStateCell):
    def __init__(self, dense: nn.GRUCell, precision: str = "fp32"):
        super().__init__(dense, "GRU", precision)


class MkldnnRNNCell(_MkldnnSingleStateCell):
    def __init__(self, dense: nn.RNNCell, precision: str = "fp32"):
        if dense.nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"mkldnn_rnn: nonlinearity: expected 'tanh' or 'relu', got {dense.nonlinearity!r}")
        super().__init__(dense, "RNN_TANH" if dense.nonlinearity == "tanh" else "RNN_RELU", precision)
        self.nonlinearity = dense.nonlinearity

    def extra_repr(self) -> str:
        s = "{input_size}, {hidden_size}"
        if self.bias is not True:
            s += ", bias={bias}"
        if self.nonlinearity != "tanh":
            s += ", nonlinearity={nonlinearity}"
        return s.format(**self.__dict__) + self._precision_repr()
