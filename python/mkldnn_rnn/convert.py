# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""to_mkldnn(module): torch.utils.mkldnn.to_mkldnn, plus the recurrent modules."""
import copy

import torch
import torch.utils.mkldnn
from torch import nn

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


def _copy_converting_recurrent(module):
    """A deep copy of the tree in which every recurrent module is its converted twin, made from the
    original: the recurrent modules' weights are read once, never copied as torch tensors (for a large
    model a full deep copy first would hold the weights twice over, at the peak, beside the packed copy)."""
    memo = {}
    for m in module.modules():
        conversion = _CONVERSIONS.get(type(m))
        if conversion is not None and id(m) not in memo:
            memo[id(m)] = conversion(m)  # deepcopy takes memo's value for this object, whole
    return copy.deepcopy(module, memo)


def _has_recurrent(module):
    return any(type(m) in _CONVERSIONS for m in module.modules())


def to_mkldnn(module, dtype=torch.float):
    """A converted copy of `module` for inference on oneDNN; `module` itself is not modified.

    nn.LSTM, nn.GRU, nn.RNN, nn.LSTMCell, nn.GRUCell and nn.RNNCell anywhere in the tree become
    MkldnnLSTM, ... (float32 only). Then torch.utils.mkldnn.to_mkldnn converts what it knows (Linear,
    Conv1d/2d/3d, BatchNorm2d/3d, PReLU) with `dtype`; every other module is kept.
    """
    if dtype not in (torch.float, torch.bfloat16):
        raise TypeError(f"mkldnn_rnn.to_mkldnn: dtype: expected torch.float or torch.bfloat16, got {dtype}")
    if dtype != torch.float and _has_recurrent(module):
        raise TypeError(f"mkldnn_rnn.to_mkldnn: dtype: recurrent modules run in torch.float only, got {dtype}; "
                        "convert with dtype=torch.float")
    # torch.utils.mkldnn.to_mkldnn writes converted children into the modules it is given: work on a copy.
    return torch.utils.mkldnn.to_mkldnn(_copy_converting_recurrent(module), dtype)
