# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""tune(model, example_inputs) and decisions(model): the engine's per-shape-class decisions, made up front
and shown.

A converted module decides which implementation runs each shape class (a layer and direction, the batch
rounded up to a power of two, the thread count) on the first call of that class, with a short probe; the
sequence length never matters. tune() makes those decisions, and builds every kernel they need, before
the first request: it runs the model once on example inputs to learn the largest batch each recurrent
module sees, then has each module decide and build for every batch up to it. Decisions are pickled with
the packed weights, so a model saved with torch.jit.save after tune() starts warm when loaded on a CPU
with the same signature (elsewhere they are made afresh).
"""
from typing import Dict, List

import torch
from torch import nn
from torch.nn.utils.rnn import PackedSequence

from ._packed_module import PackedModule


def _packed_modules(model):
    """(name, PackedModule) of every converted recurrent module, eager or scripted."""
    for name, module in model.named_modules():
        if isinstance(module, PackedModule) or (isinstance(module, torch.jit.ScriptModule)
                                                 and hasattr(module, "_packed")):
            yield name or "(model)", module


def _batch_of(module, args) -> int:
    """The batch of one call: a sequence module's [T, N, I] / [N, T, I] or PackedSequence, a cell's [N, I];
    unbatched input is a batch of one."""
    x = args[0]
    if isinstance(x, PackedSequence):
        return int(x.batch_sizes[0])
    if not hasattr(module, "batch_first"):  # a cell
        return 1 if x.dim() == 1 else int(x.size(0))
    return 1 if x.dim() == 2 else int(x.size(0 if module.batch_first else 1))


def tune(model: nn.Module, example_inputs, max_batch: int = 0) -> nn.Module:
    """Decides, and builds the kernels for, every shape class `model` meets on `example_inputs` (a tuple of
    its forward's arguments) and on any batch up to that, at the current torch.get_num_threads().

    max_batch > 0 tunes every recurrent module for batches up to it instead of running the model. Returns
    `model`. Eager converted models only; tune before torch.jit.script or save (decisions are kept).
    """
    modules = list(_packed_modules(model))
    if not modules:
        raise TypeError("mkldnn_rnn.tune: model: expected a model converted by mkldnn_rnn.to_mkldnn "
                        f"(with MkldnnLSTM, MkldnnGRU, ... inside), got {type(model).__name__} without any")
    if max_batch < 0:
        raise ValueError(f"mkldnn_rnn.tune: max_batch: expected 0 (learn it from example_inputs) or a positive "
                         f"batch size, got {max_batch}")
    seen: Dict[str, int] = {}
    if max_batch == 0:
        if not isinstance(example_inputs, tuple):
            example_inputs = (example_inputs,)
        hooks = []
        for name, module in modules:
            if isinstance(module, torch.jit.ScriptModule):
                raise TypeError("mkldnn_rnn.tune: model: learning batches from example_inputs needs an eager "
                                "model; pass max_batch= for a scripted one")

            def record(module, args, name=name):
                seen[name] = max(seen.get(name, 0), _batch_of(module, args))
            hooks.append(module.register_forward_pre_hook(record))
        try:
            with torch.inference_mode():
                model(*example_inputs)
        finally:
            for hook in hooks:
                hook.remove()
    for name, module in modules:
        batch = max_batch or seen.get(name, 0)
        if batch:
            module._packed.tune(batch)
    return model


def decisions(model: nn.Module) -> List[dict]:
    """What each converted recurrent module decided so far, and what it holds: one dict per decision
    (module, layer, direction, batch_class, threads, run_threads, implementation, reason), plus per module
    its weight bytes and cached oneDNN primitives under the keys weight_bytes and cached_primitives.
    threads is the caller's (torch.get_num_threads()); run_threads what the class runs on: the same, or 1
    where the first call's probe found one thread faster."""
    rows = []
    for name, module in _packed_modules(model):
        packed = module._packed
        for layer, direction, batch_class, threads, run_threads, implementation, reason in packed.decisions():
            rows.append({"module": name, "layer": layer, "direction": direction, "batch_class": batch_class,
                         "threads": threads, "run_threads": run_threads, "implementation": implementation,
                         "reason": reason,
                         "weight_bytes": packed.weight_bytes(), "cached_primitives": packed.cached_primitive_count()})
    return rows


def kernel_isa(precision: str = "fp32") -> str:
    """The instructions the fused kernel's inner products use for `precision` ("fp32", "bf16", "int8") on
    this CPU and under MKLDNN_RNN_MAX_ISA: "avx2", "avx2_vnni", "avx512_core", "avx512_core_vnni",
    "avx512_core_bf16", "avx512_core_amx" or "none" (docs/precision.md)."""
    return torch.ops.mkldnn_rnn.kernel_isa(precision)
