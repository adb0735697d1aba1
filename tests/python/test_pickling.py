# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""Python pickling of eager converted models: pickle, copy.deepcopy and torch.save round trips, and a
model unpickled in a fresh process, give the original converted model's outputs bit for bit.

The packed weights are a TorchBind object, which Python's pickle cannot rebuild; a converted module
pickles torch.nn's weights instead and packs them again when loaded (PackedModule.__getstate__). The same
weights packed again run the same code only for the same implementation, so the bit-for-bit tests fix
MKLDNN_RNN_IMPL (read when weights are packed, hence also on unpickling); under auto the copy decides
afresh and agrees within the tolerance. The modules of torch.utils.mkldnn that to_mkldnn puts beside ours
(MkldnnLinear, ...) pickle through the copyreg reducers of mkldnn_rnn._packed_module."""
import copy
import io
import pickle
import re
import subprocess
import textwrap

import pytest
import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_sequence

import mkldnn_rnn
from conftest import ATOL, REPO, RTOL, Classifier, torch_own_failure


def examples():
    """name -> (torch.nn model, inputs). Built with a fixed seed: the same in every process."""
    torch.manual_seed(0)
    return {
        "lstm_bidirectional_proj": (nn.LSTM(6, 8, num_layers=2, bidirectional=True, proj_size=5),
                                    (torch.randn(7, 3, 6), (torch.randn(4, 3, 5), torch.randn(4, 3, 8)))),
        "lstm_packed": (nn.LSTM(6, 8), (pack_sequence([torch.randn(t, 6) for t in (4, 9, 2)],
                                                      enforce_sorted=False),)),
        "gru": (nn.GRU(6, 8, num_layers=2, batch_first=True), (torch.randn(3, 7, 6), torch.randn(2, 3, 8))),
        "rnn_relu": (nn.RNN(6, 8, nonlinearity="relu", bias=False), (torch.randn(7, 6),)),  # unbatched
        "lstm_cell": (nn.LSTMCell(6, 8), (torch.randn(3, 6), (torch.randn(3, 8), torch.randn(3, 8)))),
        "gru_cell": (nn.GRUCell(6, 8), (torch.randn(3, 6), torch.randn(3, 8))),
        "rnn_cell": (nn.RNNCell(6, 8, nonlinearity="tanh"), (torch.randn(6),)),  # unbatched
        "classifier": (Classifier(), (torch.randint(0, 50, (4, 9)),)),
    }


def flat(value):
    """The tensors of an output, in order (a PackedSequence gives its data and index tensors)."""
    if isinstance(value, Tensor):
        return [value]
    return [t for v in value if v is not None for t in flat(v)]


def run(model, inputs):
    with torch.no_grad():
        return flat(model(*inputs))


def assert_bits(got, want):
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g.shape == w.shape and torch.equal(g, w), "expected the original converted model's bits"


@pytest.fixture(params=["fused", "plain_ldigo"])
def fixed_impl(request, monkeypatch):
    monkeypatch.setenv("MKLDNN_RNN_IMPL", request.param)
    return request.param


@pytest.mark.parametrize("name", list(examples()))
def test_pickle_round_trip_is_bit_identical(name, fixed_impl):
    original, inputs = examples()[name]
    converted = mkldnn_rnn.to_mkldnn(original.eval())
    before_first_call = pickle.dumps(converted)  # as a driver sends a model to its workers
    want = run(converted, inputs)
    copied = pickle.loads(pickle.dumps(converted))  # the original has decided; the copy decides afresh
    assert type(copied) is type(converted) and repr(copied) == repr(converted)
    assert_bits(run(copied, inputs), want)
    assert_bits(run(pickle.loads(before_first_call), inputs), want)
    # The state holds tensors, not the TorchBind object: it pickles again, and state_dict is unchanged.
    assert_bits(run(pickle.loads(pickle.dumps(copied)), inputs), want)
    for (k, v), (k2, v2) in zip(converted.state_dict().items(), copied.state_dict().items(), strict=True):
        assert k == k2 and torch.equal(v.to_dense() if v.is_mkldnn else v, v2.to_dense() if v2.is_mkldnn else v2)


@pytest.mark.parametrize("name", list(examples()))
def test_deepcopy_is_bit_identical_and_independent(name, fixed_impl):
    original, inputs = examples()[name]
    converted = mkldnn_rnn.to_mkldnn(original.eval())
    before_first_call = copy.deepcopy(converted)
    want = run(converted, inputs)
    copied = copy.deepcopy(converted)
    assert_bits(run(copied, inputs), want)
    assert_bits(run(before_first_call, inputs), want)
    packed = [m._packed for m in converted.modules() if hasattr(m, "_packed")]
    packed_copies = [m._packed for m in copied.modules() if hasattr(m, "_packed")]
    assert len(packed) == len(packed_copies) == 1 and packed[0] is not packed_copies[0]


TORCH_MKLDNN = ["linear", "linear_no_bias", "conv1d", "conv2d", "conv3d", "batchnorm2d", "prelu"]


# torch.utils.mkldnn converts BatchNorm in float only.
@pytest.mark.parametrize("name, dtype", [(n, torch.float) for n in TORCH_MKLDNN]
                         + [(n, torch.bfloat16) for n in TORCH_MKLDNN if n != "batchnorm2d"])
def test_torch_utils_mkldnn_modules(name, dtype):
    """to_mkldnn's other conversions (torch.utils.mkldnn's ScriptModules, which torch 1.13 cannot unpickle):
    same class, same bits, and they pickle again."""
    torch.manual_seed(0)
    module, x = {
        "linear": (nn.Linear(4, 3), torch.randn(2, 4)),
        "linear_no_bias": (nn.Linear(4, 3, bias=False), torch.randn(2, 4)),
        "conv1d": (nn.Conv1d(4, 6, 3, stride=2, padding=1, groups=2), torch.randn(2, 4, 9)),
        "conv2d": (nn.Conv2d(4, 6, 3, padding=(1, 2), dilation=2), torch.randn(2, 4, 9, 9)),
        "conv3d": (nn.Conv3d(2, 4, 2), torch.randn(1, 2, 5, 5, 5)),
        "batchnorm2d": (nn.BatchNorm2d(4, eps=1e-3), torch.randn(2, 4, 3, 3)),
        "prelu": (nn.PReLU(4), torch.randn(2, 4, 3, 3)),
    }[name]
    if name == "batchnorm2d":
        with torch.no_grad():
            module.running_mean.uniform_(), module.running_var.uniform_(0.5, 2), module.weight.uniform_()
    converted = mkldnn_rnn.to_mkldnn(module.eval(), dtype)
    if name.startswith("conv") or name == "batchnorm2d":
        x = x.to_mkldnn(dtype)  # these take mkldnn input only

    def out(m):
        with torch.no_grad():
            y = m(x)
        return y.to_dense() if y.is_mkldnn else y

    broken = torch_own_failure(module, x, dtype)
    if broken is not None:  # torch's own module fails on this torch: ours, the same class, fails alike
        for m in (converted, pickle.loads(pickle.dumps(converted))):
            assert type(m) is type(converted)
            with pytest.raises(type(broken), match=re.escape(str(broken).splitlines()[0])):
                out(m)
        return
    want = out(converted)
    copied = pickle.loads(pickle.dumps(converted))
    again = pickle.loads(pickle.dumps(copied))
    assert type(copied) is type(converted) and type(again) is type(converted)
    assert copied.training == converted.training
    assert_bits([out(copied), out(again)], [want, want])


def test_torch_save_of_an_eager_model(fixed_impl):
    """torch.save / torch.load of the whole eager module use pickle too."""
    original, inputs = examples()["classifier"]
    converted = mkldnn_rnn.to_mkldnn(original.eval())
    buffer = io.BytesIO()
    torch.save(converted, buffer)
    buffer.seek(0)
    assert_bits(run(torch.load(buffer, weights_only=False), inputs), run(converted, inputs))


def test_unpickled_model_scripts_and_saves(fixed_impl, tmp_path):
    original, inputs = examples()["classifier"]
    converted = mkldnn_rnn.to_mkldnn(original.eval())
    scripted = torch.jit.script(pickle.loads(pickle.dumps(converted)))
    torch.jit.save(scripted, tmp_path / "model.pt")
    assert_bits(run(torch.jit.load(tmp_path / "model.pt"), inputs), run(converted, inputs))


def test_decisions_are_dropped_and_made_again():
    """Documented behaviour: the engine's decisions are not pickled; the copy decides on its first call."""
    converted = mkldnn_rnn.to_mkldnn(nn.GRU(6, 8))
    x = torch.randn(5, 2, 6)
    want = run(converted, (x,))
    assert mkldnn_rnn.decisions(converted)
    copied = pickle.loads(pickle.dumps(converted))
    assert mkldnn_rnn.decisions(copied) == []
    got = run(copied, (x,))
    assert mkldnn_rnn.decisions(copied)
    torch.testing.assert_close(got, want, rtol=RTOL, atol=ATOL)  # auto may decide otherwise: same numbers


def test_round_trip_under_auto(monkeypatch):
    monkeypatch.delenv("MKLDNN_RNN_IMPL", raising=False)
    for original, inputs in examples().values():
        converted = mkldnn_rnn.to_mkldnn(original.eval())
        want = run(converted, inputs)
        torch.testing.assert_close(run(pickle.loads(pickle.dumps(converted)), inputs), want, rtol=RTOL, atol=ATOL)


def test_unpickled_in_a_fresh_process(fixed_impl, python, child_env, tmp_path):
    """A fresh /usr/bin/python3 unpickles every example (pickle itself imports mkldnn_rnn, which loads the op
    library) and repeats the original converted models' bits."""
    models, inputs, want = {}, {}, {}
    for name, (original, example_inputs) in examples().items():
        models[name] = mkldnn_rnn.to_mkldnn(original.eval())
        inputs[name] = example_inputs
    (tmp_path / "models.pkl").write_bytes(pickle.dumps(models))  # before any call, as a driver does
    for name, model in models.items():
        want[name] = run(model, inputs[name])
    torch.save(inputs, tmp_path / "inputs.pt")
    script = textwrap.dedent(f"""
        import pickle, sys
        import torch
        sys.path.insert(0, {str(REPO / 'tests' / 'python')!r})  # where pickle finds Classifier
        assert "mkldnn_rnn" not in sys.modules
        with open({str(tmp_path / 'models.pkl')!r}, "rb") as f:
            models = pickle.load(f)
        assert "mkldnn_rnn" in sys.modules
        inputs = torch.load({str(tmp_path / 'inputs.pt')!r}, weights_only=False)

        def flat(value):
            if isinstance(value, torch.Tensor):
                return [value]
            return [t for v in value if v is not None for t in flat(v)]

        with torch.no_grad():
            torch.save({{name: flat(model(*inputs[name])) for name, model in models.items()}},
                       {str(tmp_path / 'outputs.pt')!r})
    """)
    subprocess.run([python, "-c", script], env=dict(child_env, MKLDNN_RNN_IMPL=fixed_impl), check=True,
                   timeout=120)
    got = torch.load(tmp_path / "outputs.pt", weights_only=False)
    assert sorted(got) == sorted(want)
    for name in want:
        assert_bits(got[name], want[name])
