# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""The int8 weights of PyTorch's dynamic quantized recurrent modules, read exactly.

torch.ao.quantization.quantize_dynamic(model, {nn.LSTM, ...}, dtype=torch.qint8) swaps nn.LSTM, nn.GRU,
nn.LSTMCell, nn.GRUCell and nn.RNNCell for torch.ao.nn.quantized.dynamic's LSTM, GRU, LSTMCell, GRUCell and
RNNCell, whose weights are quantized tensors inside packed params (torch 1.13 quantizes neither nn.RNN nor
bias=False nor proj_size). Their weights are read through those packed params as the modules' own
_weight_bias() does, and taken as they are: the int8 values (int_repr()), one fp32 scale per output row
(a per-tensor scale repeated for every row, a per-channel scale per row), the fp32 biases. Zero points must
be 0 (torch's dynamic quantization is symmetric); a float16 dynamic model has no int8 weights at all: both
are errors naming the module.
"""
from typing import List, Optional, Tuple

import torch
from torch import Tensor

try:
    import torch.ao.nn.quantized.dynamic as _nnqd
except ImportError:  # pragma: no cover - torch 1.13 has it; kept importable without quantization support
    _nnqd = None

DYNAMIC_SEQUENCE = tuple(getattr(_nnqd, name) for name in ("LSTM", "GRU")) if _nnqd else ()
DYNAMIC_CELLS = tuple(getattr(_nnqd, name) for name in ("LSTMCell", "GRUCell", "RNNCell")) if _nnqd else ()


def is_dynamic_quantized(module) -> bool:
    """True for an exact torch.ao.nn.quantized.dynamic LSTM, GRU, LSTMCell, GRUCell or RNNCell."""
    return type(module) in DYNAMIC_SEQUENCE + DYNAMIC_CELLS


def _name(module) -> str:
    return module._get_name() if hasattr(module, "_get_name") else type(module).__name__


def _check_int8_model(module) -> None:
    """A clear error for a dynamic quantized module whose weights are not int8 (quantize_dynamic's float16)."""
    dtype = getattr(module, "dtype", None) if type(module) in DYNAMIC_SEQUENCE else getattr(module, "weight_dtype", None)
    kinds = set()
    if type(module) in DYNAMIC_SEQUENCE:
        # Each (layer, direction) is a cell-params object whose state starts with its kind:
        # "quantized_dynamic" for int8, "quantized_fp16" for float16.
        for value in module._all_weight_values:
            kinds.add(value.param.__getstate__()[0][0])
    if dtype != torch.qint8 or kinds - {"quantized_dynamic"}:
        given = f"dtype {dtype}" + (f" (packed as {', '.join(sorted(kinds))})" if kinds - {"quantized_dynamic"} else "")
        raise TypeError(f"mkldnn_rnn.to_mkldnn: {_name(module)}: expected int8 weights "
                        f"(quantize_dynamic(..., dtype=torch.qint8)), got {given}; mkldnn_rnn runs fp32, bf16 and "
                        "int8 models: convert the float model with dtype=torch.bfloat16 or torch.qint8 instead")


def _int8_matrix(module, name: str, weight: Tensor) -> Tuple[Tensor, Tensor]:
    """(int8 values, fp32 scale per row) of one quantized weight, exactly."""
    where = f"mkldnn_rnn.to_mkldnn: {_name(module)}: {name}"
    if not isinstance(weight, Tensor) or not weight.is_quantized or weight.dtype != torch.qint8:
        given = weight.dtype if isinstance(weight, Tensor) else type(weight).__name__
        raise TypeError(f"{where}: expected a torch.qint8 quantized tensor, got {given}")
    rows = weight.size(0)
    scheme = weight.qscheme()
    if scheme in (torch.per_tensor_affine, torch.per_tensor_symmetric):
        zero_point = int(weight.q_zero_point())
        if zero_point != 0:
            raise ValueError(f"{where}: expected zero point 0 (symmetric quantization, as quantize_dynamic's "
                             f"qint8 weights are), got {zero_point}")
        scales = torch.full((rows,), weight.q_scale(), dtype=torch.float32)
    elif scheme in (torch.per_channel_affine, torch.per_channel_symmetric):
        axis = int(weight.q_per_channel_axis())
        if axis != 0:
            raise ValueError(f"{where}: expected per-channel scales along axis 0 (one per output row), got axis {axis}")
        zero_points = weight.q_per_channel_zero_points()
        if bool((zero_points != 0).any()):
            bad = int(torch.nonzero(zero_points != 0)[0])
            raise ValueError(f"{where}: expected zero points 0 (symmetric quantization, as quantize_dynamic's qint8 "
                             f"weights are), got {int(zero_points[bad])} at row {bad}")
        scales = weight.q_per_channel_scales().to(torch.float32)
    else:
        raise ValueError(f"{where}: expected a per-tensor or per-channel (axis 0) quantization, got {scheme}")
    return weight.int_repr().contiguous(), scales.contiguous()


def int8_weights(module, weight_names: List[str]) -> Tuple[List[Tensor], List[Tensor]]:
    """The module's weights in torch.nn's _flat_weights order (`weight_names`): the matrices as int8 values,
    the biases fp32; and the scales, one fp32 tensor [rows] per matrix in the matrices' order."""
    _check_int8_model(module)
    weight_bias = module._weight_bias()
    tensors: List[Tensor] = []
    scales: List[Tensor] = []
    for name in weight_names:
        if name.startswith("weight_"):
            values, row_scales = _int8_matrix(module, name, weight_bias["weight"][name])
            tensors.append(values)
            scales.append(row_scales)
        else:
            bias: Optional[Tensor] = weight_bias["bias"].get(name)
            if bias is None:
                raise ValueError(f"mkldnn_rnn.to_mkldnn: {_name(module)}: {name}: expected a float bias, got None")
            tensors.append(bias.detach().to(torch.float32).contiguous())
    return tensors, scales
