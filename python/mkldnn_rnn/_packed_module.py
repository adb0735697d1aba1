# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""The base of every converted module: it owns the packed weights and speaks torch.nn's state_dict.

The weights live in one torch.classes.mkldnn_rnn.PackedWeights object, packed once, in the module's
`precision`: "fp32", "bf16" (matrices rounded to bfloat16) or "int8" (matrices int8 with one scale per output
row: quantized by us from float weights, or taken exactly from a dynamic quantized module). The module has
no nn.Parameter, so an optimizer gets nothing to train and TorchScript pickles the object with the module.
state_dict() gives torch.nn's float32 tensors under torch.nn's names (weight_ih_l0, ...), rebuilt exactly
from the packed copy (no second copy is kept; bf16: the rounded values, int8: value * scale), so a
checkpoint of the original module loads into the converted one and back. Loading a state_dict packs it in
the module's precision again: for int8 that quantizes the given float tensors anew (per row, ours); the exact
int8 round trip is pickling or TorchScript, which keep the int8 values and scales.

Python's pickle (and copy.deepcopy, torch.save of an eager model, Dask's cloudpickle) stores torch.nn's
weights and packs them again on loading; see PackedModule.__getstate__. (The modules of torch.utils.mkldnn that
to_mkldnn puts beside them, MkldnnLinear, ..., are made picklable in _torch_mkldnn_pickling.py.)
"""
from typing import List, Optional, Tuple

import torch
from torch import Tensor, nn


PRECISIONS = ("fp32", "bf16", "int8")


class PackedModule(nn.Module):
    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int, bias: bool,
                 bidirectional: bool, proj_size: int, weight_names: List[str], weights: List[Tensor],
                 precision: str = "fp32", scales: Optional[List[Tensor]] = None):
        """`weights` in torch.nn's _flat_weights order, float; or, with `scales` (one fp32 tensor per matrix),
        the matrices as int8 values, taken exactly (precision must then be "int8")."""
        super().__init__()
        if precision not in PRECISIONS:
            raise ValueError(f"mkldnn_rnn: precision: expected one of {', '.join(PRECISIONS)}, got {precision!r}")
        if scales is not None and precision != "int8":
            raise ValueError(f"mkldnn_rnn: precision: int8 weights with scales make an int8 model, got {precision!r}")
        self.precision = precision
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        self._weight_names = weight_names
        self._module_name = type(self).__name__  # for messages: TorchScript cannot call type()
        self._packed = self._pack(weights, scales)

    def _pack(self, weights: List[Tensor], scales: Optional[List[Tensor]] = None):
        # detach(): the packed object copies the data; it must not hold an autograd graph.
        packed_weights = torch.classes.mkldnn_rnn.PackedWeights
        weights = [w.detach() for w in weights]
        if scales is not None:
            return packed_weights.from_int8(self.mode, self.input_size, self.hidden_size, self.num_layers, self.bias,
                                            self.bidirectional, self.proj_size, weights, [s.detach() for s in scales])
        if self.precision == "fp32":
            return packed_weights(self.mode, self.input_size, self.hidden_size, self.num_layers, self.bias,
                                  self.bidirectional, self.proj_size, weights)
        return packed_weights.from_float(self.mode, self.input_size, self.hidden_size, self.num_layers, self.bias,
                                         self.bidirectional, self.proj_size, weights, self.precision)

    def packed_weights(self):
        """The torch.classes.mkldnn_rnn.PackedWeights object the ops run on."""
        return self._packed

    @torch.jit.unused
    def int8_weights(self) -> Tuple[List[Tensor], List[Tensor]]:
        """An int8 module's weights exactly as packed: (torch.nn's _flat_weights with the matrices as int8
        values and the biases fp32, one fp32 scale tensor [rows] per matrix); w = value * scale of its row."""
        weights, scales = self._packed.int8_weights()
        return list(weights), list(scales)

    @torch.jit.unused
    def _save_to_state_dict(self, destination, prefix, keep_vars):
        # weights() rebuilds torch.nn's tensors from the packed copy: new tensors, which the caller may edit.
        for name, tensor in zip(self._weight_names, self._packed.weights()):
            destination[prefix + name] = tensor

    @torch.jit.unused
    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                              error_msgs):
        current = dict(zip(self._weight_names, self._packed.weights()))
        loaded, ok = [], True
        for name, tensor in current.items():
            key = prefix + name
            if key not in state_dict:
                # As torch.nn: reported (an error when strict), and the tensor keeps its value.
                missing_keys.append(key)
                loaded.append(tensor)
                continue
            value = state_dict[key]
            if not isinstance(value, Tensor):
                error_msgs.append(f'While copying the parameter named "{key}", expected torch.Tensor '
                                  f"from checkpoint but received {type(value)}")
                ok = False
            elif value.shape != tensor.shape:
                # torch.nn.Module's own wording, so tools that parse it keep working.
                error_msgs.append(f"size mismatch for {key}: copying a param with shape {value.shape} from "
                                  f"checkpoint, the shape in current model is {tensor.shape}.")
                ok = False
            else:
                # As nn.Module's copy_(): any dtype converts; the packed object checks the device.
                loaded.append((value.to_dense() if value.is_mkldnn else value).to(tensor.dtype))
        if strict:
            unexpected_keys.extend(key for key in state_dict
                                   if key.startswith(prefix) and "." not in key[len(prefix):]
                                   and key[len(prefix):] not in current)
        if ok:
            self._packed = self._pack(loaded)

    # Python pickling (pickle, copy.deepcopy, torch.save of the eager module, cloudpickle). The PackedWeights
    # ScriptObject does not survive Python's pickle (torch 1.13 cannot rebuild it from Python when its state
    # holds an empty list, as it does before the first call), so the state holds torch.nn's weights instead,
    # rebuilt exactly from the packed copy, and unpickling packs them again: the same bits, hence the same
    # outputs for the same implementation. fp32 and bf16 keep torch.nn's float32 tensors (bf16's hold the
    # rounded values, which rounding again leaves as they are); int8 keeps its int8 values and scales
    # (_packed_scales), never re-quantized. A pickle without `precision` (made before it existed) is fp32. The engine's decisions (self._packed.decisions()) are dropped:
    # the package has no API to restore them, and they are made again on the first call of each shape
    # class. Fix MKLDNN_RNN_IMPL (read when the weights are packed, so also on unpickling) for bit-identical
    # outputs across processes. TorchScript never compiles these (it skips dunder methods); torch.jit.save
    # pickles the ScriptObject itself, with its decisions, as before.
    def __getstate__(self):
        state = self.__dict__.copy()
        del state["_packed"]
        if self.precision == "int8":
            state["_packed_weights"], state["_packed_scales"] = self.int8_weights()
        else:
            state["_packed_weights"] = list(self._packed.weights())
        return state

    def __setstate__(self, state):
        state = dict(state)
        weights = state.pop("_packed_weights")
        scales = state.pop("_packed_scales", None)
        state.setdefault("precision", "fp32")
        super().__setstate__(state)
        self._packed = self._pack(weights, scales)

    def _precision_repr(self) -> str:
        return "" if self.precision == "fp32" else f", precision={self.precision}"

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}" + self._precision_repr()


# Eager-mode checks of hx's Python type. TorchScript enforces the annotated types itself, so the
# scripted forward never calls these (torch.jit.unused keeps them out of the compiled code).
@torch.jit.unused
def check_state_pair(module: str, hx) -> None:
    if not isinstance(hx, tuple) or len(hx) != 2 or not all(isinstance(t, Tensor) for t in hx):
        given = f"a tuple of length {len(hx)}" if isinstance(hx, tuple) else type(hx).__name__
        raise TypeError(f"{module}: hx: expected a tuple (h_0, c_0) of two tensors, got {given}")


@torch.jit.unused
def check_state_tensor(module: str, hx) -> None:
    if not isinstance(hx, Tensor):
        raise TypeError(f"{module}: hx: expected a tensor (only LSTM has the (h_0, c_0) pair), "
                        f"got {type(hx).__name__}")

