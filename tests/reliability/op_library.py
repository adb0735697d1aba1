# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""Loads the built op library (libmkldnn_rnn_torch.so) for the reliability tests and scripts.

One place decides where the library is, so that every test and standalone script of the reliability
suite exercises the same build: env MKLDNN_RNN_TORCH_LIBRARY, else $MKLDNN_RNN_BUILD_DIR/lib, else
<repo>/build/lib. A missing library is an error, never a skip: a suite that cannot run must fail loudly.
"""
import os
from pathlib import Path

import torch

REPO = Path(__file__).resolve().parents[2]


def library_path():
    explicit = os.environ.get("MKLDNN_RNN_TORCH_LIBRARY")
    if explicit:
        return Path(explicit)
    build = Path(os.environ.get("MKLDNN_RNN_BUILD_DIR", REPO / "build"))
    return build / "lib" / "libmkldnn_rnn_torch.so"


def load():
    """Loads the op library once per process and returns torch.ops.mkldnn_rnn."""
    path = library_path()
    if not path.is_file():
        raise RuntimeError(f"mkldnn_rnn op library not found at {path}: build it first, or set "
                           "MKLDNN_RNN_BUILD_DIR / MKLDNN_RNN_TORCH_LIBRARY")
    if str(path) not in torch.ops.loaded_libraries:
        torch.ops.load_library(str(path))
    return torch.ops.mkldnn_rnn


def packed_weights(module):
    """torch.classes.mkldnn_rnn.PackedWeights for an nn.LSTM/GRU/RNN or an nn.*Cell module."""
    load()
    cls = torch.classes.mkldnn_rnn.PackedWeights
    if isinstance(module, torch.nn.RNNCellBase):
        mode = {torch.nn.LSTMCell: "LSTM", torch.nn.GRUCell: "GRU"}.get(type(module))
        if mode is None:
            mode = "RNN_TANH" if module.nonlinearity == "tanh" else "RNN_RELU"
        weights = [module.weight_ih, module.weight_hh] + ([module.bias_ih, module.bias_hh] if module.bias else [])
        return cls(mode, module.input_size, module.hidden_size, 1, module.bias, False, 0,
                   [w.detach() for w in weights])
    return cls(module.mode, module.input_size, module.hidden_size, module.num_layers, module.bias,
               module.bidirectional, getattr(module, "proj_size", 0), [w.detach() for w in module._flat_weights])
