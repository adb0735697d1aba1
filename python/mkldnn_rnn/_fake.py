# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""What torch.compile and torch.export see of the ops on torch 2.x: a fake class for PackedWeights and a
fake (meta) kernel per op, so that a converted module traces into one graph with symbolic sizes and no
recompiling per sequence length (docs/torch_contract.md, "torch.compile and torch.export").

PackedWeights flattens to its configuration alone (`__obj_flatten__` in torch/packed_weights.cpp): a fake
kernel needs the sizes and the mode, never the weights, and an exported program keeps the real object as
a constant, pickled by its own state. Nothing here runs on torch 1.13, which has neither API.
"""
import torch


def supported():
    """torch.library.register_fake and fake script-object classes: torch 2.4 and later."""
    return hasattr(torch.library, "register_fake") and hasattr(torch, "_library") \
        and hasattr(torch._library, "register_fake_class")


def _register():
    @torch._library.register_fake_class("mkldnn_rnn::PackedWeights")
    class FakePackedWeights:
        """The configuration of a PackedWeights, as its __obj_flatten__ gives it."""

        def __init__(self, mode, input_size, hidden_size, num_layers, bias, bidirectional, proj_size, precision):
            self._config = dict(mode=mode, input_size=input_size, hidden_size=hidden_size, num_layers=num_layers,
                                bias=bias, bidirectional=bidirectional, proj_size=proj_size, precision=precision)

        @classmethod
        def __obj_unflatten__(cls, flat):
            return cls(**dict(flat))

        def __getattr__(self, name):  # mode(), hidden_size(), ...: the real class's accessors
            config = self.__dict__.get("_config", {})
            if name in config:
                return lambda: config[name]
            raise AttributeError(name)

    def config(weights):
        """The configuration of a real PackedWeights (meta tensors in eager mode) or of a fake one (tracing:
        a FakeScriptObject wraps the fake class)."""
        if isinstance(weights, torch.ScriptObject):
            return dict(weights.__obj_flatten__())
        return getattr(weights, "wrapped_obj", weights)._config

    def check_devices(op, named):
        """Every tensor given on the first one's device, as the real kernel requires the CPU of them all."""
        given = [(name, t) for name, t in named if t is not None]
        for name, t in given[1:]:
            if t.device != given[0][1].device:
                raise RuntimeError(f"mkldnn_rnn::{op}: {name}: expected device {given[0][1].device}, got {t.device}")

    def sizes(c):
        directions = 2 if c["bidirectional"] else 1
        return c["num_layers"] * directions, directions * (c["proj_size"] or c["hidden_size"])

    def states(c, batch, like):
        """h_n, c_n as the ops return them: [L*D, N, H_out] and, for LSTM, [L*D, N, H] (else empty)."""
        layers, _ = sizes(c)
        h_out = c["proj_size"] or c["hidden_size"]
        h_n = like.new_empty((layers, batch, h_out))
        c_n = like.new_empty((layers, batch, c["hidden_size"])) if c["mode"] == "LSTM" else like.new_empty((0,))
        return h_n, c_n

    @torch.library.register_fake("mkldnn_rnn::rnn")
    def _rnn(weights, input, hx, cx, lengths, batch_first):
        check_devices("rnn", [("input", input), ("hx", hx), ("cx", cx), ("lengths", lengths)])
        c = config(weights)
        _, width = sizes(c)
        batch = input.shape[0] if batch_first else input.shape[1]
        h_n, c_n = states(c, batch, hx if hx is not None else input)
        return input.new_empty((*input.shape[:-1], width)), h_n, c_n

    @torch.library.register_fake("mkldnn_rnn::rnn_packed")
    def _rnn_packed(weights, data, batch_sizes, hx, cx):
        check_devices("rnn_packed", [("data", data), ("hx", hx), ("cx", cx)])
        c = config(weights)
        _, width = sizes(c)
        # The batch is batch_sizes[0], a value: known from hx when it is given, else a size of its own.
        batch = hx.shape[1] if hx is not None else torch.library.get_ctx().new_dynamic_size()
        h_n, c_n = states(c, batch, hx if hx is not None else data)
        return data.new_empty((data.shape[0], width)), h_n, c_n

    @torch.library.register_fake("mkldnn_rnn::cell")
    def _cell(weights, input, hx, cx):
        check_devices("cell", [("input", input), ("hx", hx), ("cx", cx)])
        c = config(weights)
        like = hx if hx is not None else input
        h = like.new_empty((input.shape[0], c["hidden_size"]))
        return h, (like.new_empty((input.shape[0], c["hidden_size"])) if c["mode"] == "LSTM" else like.new_empty((0,)))


    # The ops read a TorchBind object, so torch orders them as effectful (torch._higher_order_ops.effects);
    # it infers that from a real object's presence, which a fake one hides from inductor's passes: say it once.
    from torch._higher_order_ops import effects
    for op in (torch.ops.mkldnn_rnn.rnn.default, torch.ops.mkldnn_rnn.rnn_packed.default,
               torch.ops.mkldnn_rnn.cell.default):
        if op not in effects.SIDE_EFFECTS:
            effects._register_effectful_op(op, effects._EffectType.ORDERED)


if supported():
    _register()
