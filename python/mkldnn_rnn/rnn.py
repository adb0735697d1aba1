# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""MkldnnLSTM, MkldnnGRU and MkldnnRNN: torch.nn.LSTM / GRU / RNN for inference on mkldnn_rnn.

Each takes exactly what the torch.nn module takes and returns what it returns: `(input, hx=None)` with
input [T, N, I] (or [N, T, I] with batch_first), unbatched [T, I], or a PackedSequence (which gives a
PackedSequence back); hx a tensor, or the tuple (h_0, c_0) for LSTM.

Layout rule (docs/torch_contract.md): dense tensors in give dense tensors out, mkldnn tensors in give
mkldnn tensors out. `output` has the layout of `input`; h_n (and c_n) have the layout of hx when hx is
given, else that of `input`. So an mkldnn input with dense states gives an mkldnn output and dense states.
PackedSequence data is dense.

Precision: each module runs in its `precision` ("fp32", "bf16", "int8"; docs/precision.md), given when it
is made from a torch.nn module (to_mkldnn's dtype picks it) or "int8" when it is made from a dynamic
quantized module (torch.ao.nn.quantized.dynamic.LSTM / GRU), whose int8 weights and scales are taken exactly.
Inputs and states may be float32 or bfloat16 in any precision: the results have the dtype the layout rule
gives them their layout from (output: the input's; states: hx's when given, else the input's).
"""
from typing import List, Optional, Tuple

import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import PackedSequence

from . import _layout, _quantized
from ._packed_module import PackedModule, check_state_pair, check_state_tensor


def _flat_weight_names(num_layers: int, bidirectional: bool, bias: bool, proj_size: int) -> List[str]:
    """torch.nn.RNNBase._flat_weights_names: per layer, per direction, w_ih w_hh [b_ih b_hh] [w_hr]."""
    names = []
    for layer in range(num_layers):
        for suffix in ("", "_reverse") if bidirectional else ("",):
            kinds = ["weight_ih", "weight_hh"] + (["bias_ih", "bias_hh"] if bias else []) + \
                    (["weight_hr"] if proj_size > 0 else [])
            names += [f"{kind}_l{layer}{suffix}" for kind in kinds]
    return names


def run_rnn(packed: torch.classes.mkldnn_rnn.PackedWeights, input: Tensor, batch_sizes: Optional[Tensor],
            h0: Optional[Tensor], c0: Optional[Tensor], batch_first: bool) -> Tuple[Tensor, Tensor, Tensor]:
    """One call of the op: a padded batch as given, or a PackedSequence's data and batch_sizes as they are
    (rnn_packed reads the packed rows in place: no padding, no repacking)."""
    if batch_sizes is None:
        return torch.ops.mkldnn_rnn.rnn(packed, input, h0, c0, None, batch_first)
    return torch.ops.mkldnn_rnn.rnn_packed(packed, input, batch_sizes, h0, c0)


class _MkldnnRNNBase(PackedModule):
    """What the three share: construction from the torch.nn module (or torch's dynamic quantized one) and its
    attributes."""

    def __init__(self, dense: nn.Module, precision: str = "fp32"):
        if dense.mode not in ("LSTM", "GRU", "RNN_TANH", "RNN_RELU"):
            raise ValueError(f"mkldnn_rnn: mode: expected LSTM, GRU, RNN_TANH or RNN_RELU, got {dense.mode}")
        proj_size = getattr(dense, "proj_size", 0)  # dynamic quantized modules have no projection
        names = _flat_weight_names(dense.num_layers, dense.bidirectional, dense.bias, proj_size)
        if _quantized.is_dynamic_quantized(dense):
            weights, scales = _quantized.int8_weights(dense, names)
            precision = "int8"
        else:
            weights, scales = list(dense._flat_weights), None
        super().__init__(dense.mode, dense.input_size, dense.hidden_size, dense.num_layers, dense.bias,
                         dense.bidirectional, proj_size, names, weights, precision, scales)
        self.batch_first = dense.batch_first
        self.dropout = float(dense.dropout)  # kept for repr and state; inference applies no dropout
        self.train(dense.training)

    def extra_repr(self) -> str:
        s = "{input_size}, {hidden_size}"
        if self.proj_size != 0:
            s += ", proj_size={proj_size}"
        if self.num_layers != 1:
            s += ", num_layers={num_layers}"
        if self.bias is not True:
            s += ", bias={bias}"
        if self.batch_first is not False:
            s += ", batch_first={batch_first}"
        if self.dropout != 0:
            s += ", dropout={dropout}"
        if self.bidirectional is not False:
            s += ", bidirectional={bidirectional}"
        return s.format(**self.__dict__) + self._precision_repr()

    def _check_input_dim(self, input: Tensor):
        if input.dim() not in (2, 3):
            raise ValueError(f"{self._module_name}: input: expected a 2-D (unbatched) or 3-D (batched) tensor, "
                             f"got a {input.dim()}-D tensor")


class MkldnnLSTM(_MkldnnRNNBase):
    @torch._jit_internal._overload_method  # noqa: F811
    def forward(self, input: Tensor, hx: Optional[Tuple[Tensor, Tensor]] = None
                ) -> Tuple[Tensor, Tuple[Tensor, Tensor]]:  # noqa: F811
        pass

    @torch._jit_internal._overload_method  # noqa: F811
    def forward(self, input: PackedSequence, hx: Optional[Tuple[Tensor, Tensor]] = None
                ) -> Tuple[PackedSequence, Tuple[Tensor, Tensor]]:  # noqa: F811
        pass

    def forward(self, input, hx=None):  # noqa: F811
        orig_input = input
        # As in torch.nn.LSTM: the isinstance checks must sit in conditionals for TorchScript.
        batch_sizes: Optional[Tensor] = None
        sorted_indices: Optional[Tensor] = None
        unsorted_indices: Optional[Tensor] = None
        is_batched = True
        if isinstance(orig_input, PackedSequence):
            # By field, not by unpacking: torch.compile's tracer (torch 2.6) cannot unpack a PackedSequence.
            input, batch_sizes = orig_input.data, orig_input.batch_sizes
            sorted_indices, unsorted_indices = orig_input.sorted_indices, orig_input.unsorted_indices
        else:
            self._check_input_dim(input)
            is_batched = input.dim() == 3
            if not is_batched:
                input = _layout.unsqueeze(input, 0 if self.batch_first else 1)

        h0: Optional[Tensor] = None
        c0: Optional[Tensor] = None
        if hx is not None:
            if not torch.jit.is_scripting():
                check_state_pair(self._module_name, hx)
            h0, c0 = hx[0], hx[1]
            if batch_sizes is None:
                expected = 3 if is_batched else 2
                if h0.dim() != expected or c0.dim() != expected:
                    raise RuntimeError(f"For {'batched 3-D' if is_batched else 'unbatched 2-D'} input, hx and cx "
                                       f"should also be {expected}-D but got ({h0.dim()}-D, {c0.dim()}-D) tensors")
                if not is_batched:
                    h0, c0 = _layout.unsqueeze(h0, 1), _layout.unsqueeze(c0, 1)
            if sorted_indices is not None:
                h0, c0 = _layout.permute_batch(h0, sorted_indices), _layout.permute_batch(c0, sorted_indices)

        output, h_n, c_n = run_rnn(self._packed, input, batch_sizes, h0, c0, self.batch_first)
        if unsorted_indices is not None:
            h_n, c_n = _layout.permute_batch(h_n, unsorted_indices), _layout.permute_batch(c_n, unsorted_indices)
        if isinstance(orig_input, PackedSequence):
            return PackedSequence(output, batch_sizes, sorted_indices, unsorted_indices), (h_n, c_n)
        if not is_batched:
            output = _layout.squeeze(output, 0 if self.batch_first else 1)
            h_n, c_n = _layout.squeeze(h_n, 1), _layout.squeeze(c_n, 1)
        return output, (h_n, c_n)


class _MkldnnSingleStateRNN(_MkldnnRNNBase):
    """GRU and RNN: one state tensor, hence one implementation.

    TorchScript looks a forward's overloads up by the class that declares them (and only in its body), so
    each subclass declares its own forward; this base holds the two typed halves they dispatch to.
    """

    def _forward_tensor(self, input: Tensor, hx: Optional[Tensor]) -> Tuple[Tensor, Tensor]:
        self._check_input_dim(input)
        is_batched = input.dim() == 3
        batch_dim = 0 if self.batch_first else 1
        if not is_batched:
            input = _layout.unsqueeze(input, batch_dim)
        if hx is not None:
            if not torch.jit.is_scripting():
                check_state_tensor(self._module_name, hx)
            expected = 3 if is_batched else 2
            if hx.dim() != expected:
                raise RuntimeError(f"For {'batched 3-D' if is_batched else 'unbatched 2-D'} input, hx should "
                                   f"also be {expected}-D but got {hx.dim()}-D tensor")
            if not is_batched:
                hx = _layout.unsqueeze(hx, 1)
        output, h_n, _ = run_rnn(self._packed, input, None, hx, None, self.batch_first)
        if not is_batched:
            output, h_n = _layout.squeeze(output, batch_dim), _layout.squeeze(h_n, 1)
        return output, h_n

    def _forward_packed(self, input: PackedSequence, hx: Optional[Tensor]) -> Tuple[PackedSequence, Tensor]:
        data, batch_sizes = input.data, input.batch_sizes  # by field: see MkldnnLSTM.forward
        sorted_indices, unsorted_indices = input.sorted_indices, input.unsorted_indices
        if hx is not None:
            if not torch.jit.is_scripting():
                check_state_tensor(self._module_name, hx)
            if sorted_indices is not None:
                hx = _layout.permute_batch(hx, sorted_indices)
        output, h_n, _ = run_rnn(self._packed, data, batch_sizes, hx, None, self.batch_first)
        if unsorted_indices is not None:
            h_n = _layout.permute_batch(h_n, unsorted_indices)
        return PackedSequence(output, batch_sizes, sorted_indices, unsorted_indices), h_n


class MkldnnGRU(_MkldnnSingleStateRNN):
    @torch._jit_internal._overload_method  # noqa: F811
    def forward(self, input: Tensor, hx: Optional[Tensor] = None) -> Tuple[Tensor, Tensor]:  # noqa: F811
        pass

    @torch._jit_internal._overload_method  # noqa: F811
    def forward(self, input: PackedSequence, hx: Optional[Tensor] = None  # noqa: F811
                ) -> Tuple[PackedSequence, Tensor]:
        pass

    def forward(self, input, hx=None):  # noqa: F811
        if isinstance(input, PackedSequence):
            return self._forward_packed(input, hx)
        return self._forward_tensor(input, hx)


class MkldnnRNN(_MkldnnSingleStateRNN):
    def __init__(self, dense: nn.RNN, precision: str = "fp32"):
        super().__init__(dense, precision)
        self.nonlinearity = dense.nonlinearity

    @torch._jit_internal._overload_method  # noqa: F811
    def forward(self, input: Tensor, hx: Optional[Tensor] = None) -> Tuple[Tensor, Tensor]:  # noqa: F811
        pass

    @torch._jit_internal._overload_method  # noqa: F811
    def forward(self, input: PackedSequence, hx: Optional[Tensor] = None  # noqa: F811
                ) -> Tuple[PackedSequence, Tensor]:
        pass

    def forward(self, input, hx=None):  # noqa: F811
        if isinstance(input, PackedSequence):
            return self._forward_packed(input, hx)
        return self._forward_tensor(input, hx)
