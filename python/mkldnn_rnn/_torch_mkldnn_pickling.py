# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""Python pickling of the torch.utils.mkldnn modules that to_mkldnn puts beside ours (MkldnnLinear, ...).

Importing this module registers the reducers (mkldnn_rnn/__init__.py does). A side effect to know: a pickle
of those torch modules made after `import mkldnn_rnn` names mkldnn_rnn's rebuild function, so loading it
needs mkldnn_rnn importable.
"""
import copyreg

import torch
import torch.utils.mkldnn as _torch_mkldnn
from torch import nn
# Pickling the modules of torch.utils.mkldnn that to_mkldnn puts beside ours. They are ScriptModules whose
# __getstate__/__setstate__ are TorchScript methods, which Python's pickle never calls: in torch 1.13 it
# pickles their __dict__ and fails on loading ("dictionary update sequence element #0 has length 3"). So
# a converted Embedding -> LSTM -> Linear could not be pickled. copyreg (which pickle and cloudpickle
# consult before __reduce_ex__) reduces each to the torch.nn module it was converted from, rebuilt exactly
# from its buffers, and converts that again on loading: the same class and the same weight bits.
# copy.deepcopy is unaffected (it calls the ScriptModule's own __deepcopy__ first).
def _dense_twin(module) -> nn.Module:
    """The torch.nn module that torch.utils.mkldnn.to_mkldnn would turn into `module`."""
    buffers = {name: tensor.to_dense() for name, tensor in module.named_buffers()}
    weight = buffers["weight"]
    if isinstance(module, _torch_mkldnn.MkldnnLinear):
        twin = nn.Linear(weight.size(1), weight.size(0))  # bias=None was converted to a zero bias
    elif isinstance(module, _torch_mkldnn._MkldnnConvNd):
        conv = {3: nn.Conv1d, 4: nn.Conv2d, 5: nn.Conv3d}[weight.dim()]
        twin = conv(weight.size(1) * module.groups, weight.size(0), tuple(weight.shape[2:]), stride=module.stride,
                    padding=module.padding, dilation=module.dilation, groups=module.groups)
    elif isinstance(module, _torch_mkldnn.MkldnnBatchNorm):
        twin = nn.BatchNorm2d(weight.numel(), eps=module.eps, momentum=module.exponential_average_factor)
    else:
        twin = nn.PReLU(weight.numel())
    with torch.no_grad():
        for name, tensor in list(twin.named_parameters()) + list(twin.named_buffers()):
            if name in buffers:
                tensor.copy_(buffers[name])  # bfloat16 weights widen to float exactly
    return twin.eval()


def _rebuild_torch_mkldnn(twin: nn.Module, dtype: torch.dtype, training: bool) -> nn.Module:
    return _torch_mkldnn.to_mkldnn(twin, dtype).train(training)


def _reduce_torch_mkldnn(module):
    return _rebuild_torch_mkldnn, (_dense_twin(module), module.weight.dtype, module.training)


for _cls in (_torch_mkldnn.MkldnnLinear, _torch_mkldnn.MkldnnConv1d, _torch_mkldnn.MkldnnConv2d,
             _torch_mkldnn.MkldnnConv3d, _torch_mkldnn.MkldnnBatchNorm, _torch_mkldnn.MkldnnPrelu):
    copyreg.pickle(_cls, _reduce_torch_mkldnn)
