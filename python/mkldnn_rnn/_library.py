# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""Finds and loads libmkldnn_rnn_torch.so, which registers torch.ops.mkldnn_rnn.* and
torch.classes.mkldnn_rnn.PackedWeights (docs/torch_contract.md).

Search order, first existing file wins:
  1. $MKLDNN_RNN_TORCH_LIBRARY (a path to the .so itself);
  2. $MKLDNN_RNN_BUILD_DIR/lib/ (a CMake build folder of this repository);
  3. <this package>/lib/ (an installed package: the wheel's layout, `pip install`, `make install`);
  4. <repository>/build/lib/ (the source tree after `make`; only when the package is in one).
"""
import os
from pathlib import Path

import torch

LIBRARY_NAME = "libmkldnn_rnn_torch.so"
_PACKAGE_DIR = Path(__file__).resolve().parent


def candidates():
    paths = []
    if os.environ.get("MKLDNN_RNN_TORCH_LIBRARY"):
        paths.append(Path(os.environ["MKLDNN_RNN_TORCH_LIBRARY"]))
    if os.environ.get("MKLDNN_RNN_BUILD_DIR"):
        paths.append(Path(os.environ["MKLDNN_RNN_BUILD_DIR"]) / "lib" / LIBRARY_NAME)
    paths.append(_PACKAGE_DIR / "lib" / LIBRARY_NAME)
    if (_PACKAGE_DIR.parent.parent / "CMakeLists.txt").is_file():
        paths.append(_PACKAGE_DIR.parent.parent / "build" / "lib" / LIBRARY_NAME)
    return paths


def find():
    """The library load() would load (the first candidate that exists), or None."""
    return next((path for path in candidates() if path.is_file()), None)


def declare_no_torch_function_on_script_objects():
    """Makes torch 1.13 find quickly what it already concludes: a TorchBind object has no __torch_function__.

    Before every torch.ops call, PyTorch looks __torch_function__ up on each argument. On a
    torch.ScriptObject (our PackedWeights) the lookup falls through to pybind11's __getattr__, which throws
    a C++ exception that becomes an AttributeError that is then cleared: ~8 us of a ~12 us op call,
    measured with a 1x1 RNN. torch.Tensor carries torch._C._disabled_torch_function_impl for the same
    reason, and has_torch_function() treats that value as "none", so answers do not change, only their
    cost. Tensors passed with it keep their own __torch_function__ (subclasses, modes).
    """
    script_object = torch._C.ScriptObject
    if "__torch_function__" not in vars(script_object):
        script_object.__torch_function__ = torch._C._disabled_torch_function_impl


def load():
    """Loads the op library once per process; returns its path."""
    path = find()
    if path is not None:
        # torch.ops.load_library is idempotent for one path: it dlopens once and records it.
        torch.ops.load_library(str(path))
        return path
    tried = candidates()
    raise ImportError(f"mkldnn_rnn: {LIBRARY_NAME} not found; tried {', '.join(map(str, tried))}. "
                      "Build it with `make build` (or set MKLDNN_RNN_TORCH_LIBRARY to its path).")
