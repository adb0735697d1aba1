# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""Shape edits that keep a tensor's layout: mkldnn tensors have no views, so unsqueeze, squeeze and
index_select go through a dense copy and come back as mkldnn. Only the unbatched and PackedSequence
paths use them; the common batched call hands tensors to the op untouched."""
import torch
from torch import Tensor


def unsqueeze(t: Tensor, dim: int) -> Tensor:
    if t.is_mkldnn:
        return t.to_dense().unsqueeze(dim).to_mkldnn()
    return t.unsqueeze(dim)


def squeeze(t: Tensor, dim: int) -> Tensor:
    if t.is_mkldnn:
        return t.to_dense().squeeze(dim).to_mkldnn()
    return t.squeeze(dim)


def permute_batch(t: Tensor, permutation: Tensor) -> Tensor:
    """The states' batch dimension (1) reordered, as torch.nn's _apply_permutation."""
    if t.is_mkldnn:
        return t.to_dense().index_select(1, permutation).to_mkldnn()
    return t.index_select(1, permutation)
