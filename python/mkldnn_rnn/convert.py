# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""to_mkldnn(module, dtype): torch.utils.mkldnn.to_mkldnn, plus the recurrent modules, in fp32, bf16 or int8."""
import copy

import torch
import torch.utils.mkldnn
from torch import nn

from . import _quantized
from .cells import MkldnnGRUCell, MkldnnLSTMCell, MkldnnRNNCell
from .rnn import MkldnnGRU, MkldnnLSTM, MkldnnRNN

# Exact types, most derived first: a user's subclass of nn.LSTM may have its own forward, which a
# conversion would silently drop, so subclasses are kept as they are (like any unknown module).
_CONVERSIONS = {
    nn.LSTM: MkldnnLSTM,
    nn.GRU: MkldnnGRU,
    nn.RNN: MkldnnRNN,
    nn.LSTMCell: MkldnnLSTMCell,
    nn.GRUCell: MkldnnGRUCell,
    nn.RNNCell: MkldnnRNNCell,
}
# PyTorch's dynamic quantized modules (quantize_dynamic(..., dtype=torch.qint8)): int8 models whatever the
# dtype, with their own int8 weights and scales.
if _quantized._nnqd is not None:
    _CONVERSIONS.update({
        _quantized._nnqd.LSTM: MkldnnLSTM,
        _quantized._nnqd.GRU: MkldnnGRU,
        _quantized._nnqd.LSTMCell: MkldnnLSTMCell,
        _quantized._nnqd.GRUCell: MkldnnGRUCell,
        _quantized._nnqd.RNNCell: MkldnnRNNCell,
    })

# to_mkldnn's dtype -> (the recurrent modules' precision, the dtype torch.utils.mkldnn.to_mkldnn converts the
# other modules with). qint8 leaves the other modules as torch's to_mkldnn does for torch.float.
_DTYPES = {
    torch.float: ("fp32", torch.float),
    torch.bfloat16: ("bf16", torch.bfloat16),
    torch.qint8: ("int8", torch.float),
}


def _copy_converting_recurrent(module, precision):
    """A deep copy of the tree in which every recurrent module is its converted twin, made from the
    original: the recurrent modules' weights are read once, never copied as torch tensors (for a large
    model a full deep copy first would hold the weights twice over, at the peak, beside the packed copy)."""
    memo = {}
    for m in module.modules():
        conversion = _CONVERSIONS.get(type(m))
        if conversion is not None and id(m) not in memo:
            memo[id(m)] = conversion(m, precision)  # deepcopy takes memo's value for this object, whole
    return copy.deepcopy(module, memo)


def to_mkldnn(module, dtype=torch.float):
    """A converted copy of `module` for inference on oneDNN; `module` itself is not modified.

    nn.LSTM, nn.GRU, nn.RNN, nn.LSTMCell, nn.GRUCell and nn.RNNCell anywhere in the tree become
    MkldnnLSTM, ... with `dtype`'s precision: torch.float (fp32), torch.bfloat16 (bf16 weights, fp32
    accumulation and state), torch.qint8 (int8 weights, one scale per output row, quantized here).
    PyTorch's dynamic quantized LSTM, GRU, LSTMCell, GRUCell and RNNCell (torch.ao.quantization.quantize_dynamic
    with dtype=torch.qint8) become int8 modules whatever `dtype` is, with their own int8 weights and scales.
    Then torch.utils.mkldnn.to_mkldnn converts what it knows (Linear, Conv1d/2d/3d, BatchNorm2d/3d, PReLU) with
    `dtype` (torch.float for torch.qint8); every other module is kept. Inputs may be float32 or bfloat16 in
    every precision; results come back in the input's dtype and layout.
    """
    if not isinstance(dtype, torch.dtype) or dtype not in _DTYPES:
        raise TypeError(f"mkldnn_rnn.to_mkldnn: dtype: expected torch.float, torch.bfloat16 or torch.qint8, "
                        f"got {dtype}")
    precision, others = _DTYPES[dtype]
    # torch.utils.mkldnn.to_mkldnn writes converted children into the modules it is given: work on a copy.
    return torch.utils.mkldnn.to_mkldnn(_copy_converting_recurrent(module, precision), others)
