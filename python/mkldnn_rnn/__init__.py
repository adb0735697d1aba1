# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""mkldnn_rnn: PyTorch's recurrent networks for inference on oneDNN.

A superset of torch.utils.mkldnn: `import mkldnn_rnn as mkldnn_utils` in place of
`from torch.utils import mkldnn as mkldnn_utils`, and to_mkldnn(model) converts the LSTM, GRU, RNN and
their cells as well. README.md shows the usage; docs/torch_contract.md the ops underneath.
"""
from . import _compat  # noqa: F401  first: checks torch's version and C++ ABI (ImportError saying why)
from . import _library

_library.load()  # before the modules below: their annotations name torch.classes.mkldnn_rnn
from . import _fake  # noqa: E402,F401  (torch 2.x: the fake class and kernels torch.compile and torch.export trace)
_library.declare_no_torch_function_on_script_objects()

from torch.utils.mkldnn import (MkldnnBatchNorm, MkldnnConv1d, MkldnnConv2d, MkldnnConv3d,  # noqa: E402
                                MkldnnLinear, MkldnnPrelu)

from .cells import MkldnnGRUCell, MkldnnLSTMCell, MkldnnRNNCell  # noqa: E402
from .convert import to_mkldnn  # noqa: E402
from .rnn import MkldnnGRU, MkldnnLSTM, MkldnnRNN  # noqa: E402
from .serialization import load  # noqa: E402
from .tuning import decisions, kernel_isa, tune  # noqa: E402
from . import _torch_mkldnn_pickling  # noqa: E402,F401  (registers copyreg reducers)

from ._version import __version__  # noqa: E402  (CMakeLists.txt's project VERSION)
__all__ = [
    "to_mkldnn", "load", "tune", "decisions", "kernel_isa",
    "MkldnnLSTM", "MkldnnGRU", "MkldnnRNN", "MkldnnLSTMCell", "MkldnnGRUCell", "MkldnnRNNCell",
    "MkldnnLinear", "MkldnnConv1d", "MkldnnConv2d", "MkldnnConv3d", "MkldnnBatchNorm", "MkldnnPrelu",
]
