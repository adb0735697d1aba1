# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""TorchScript deployment: converted models script like torch.nn's, save with their packed weights, and
load in a fresh Python process and in a C++ program without Python (examples/cpp_inference), giving
the same outputs."""
import subprocess
import textwrap

import pytest
import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence

import mkldnn_rnn
from conftest import BUILD_DIR, Classifier, assert_same


class PackedGRU(nn.Module):
    """A GRU fed a PackedSequence: the overload torch.nn's scripted modules accept."""

    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(6, 10, num_layers=2)

    def forward(self, x: Tensor, lengths: Tensor):
        out, h_n = self.gru(pack_padded_sequence(x, lengths, enforce_sorted=False))
        return out.data, h_n


def examples():
    torch.manual_seed(0)
    return {
        "classifier": (Classifier().eval(), (torch.randint(0, 50, (4, 9)),)),
        "packed_gru": (PackedGRU().eval(), (torch.randn(7, 3, 6), torch.tensor([7, 2, 5]))),
        "lstm_cell": (nn.LSTMCell(6, 10).eval(), (torch.randn(3, 6), (torch.randn(3, 10), torch.randn(3, 10)))),
    }


def flat(value):
    return [value] if isinstance(value, Tensor) else [t for v in value for t in flat(v)]


@pytest.fixture(scope="module", params=list(examples()))
def saved(request, tmp_path_factory):
    """(name, original outputs, scripted converted outputs, model path, inputs path)."""
    original, inputs = examples()[request.param]
    scripted = torch.jit.script(mkldnn_rnn.to_mkldnn(original))
    with torch.no_grad():
        want, got = original(*inputs), scripted(*inputs)
    folder = tmp_path_factory.mktemp(request.param)
    torch.jit.save(scripted, folder / "model.pt")
    torch.save(inputs, folder / "inputs.pt")
    return request.param, flat(want), flat(got), folder / "model.pt", folder / "inputs.pt"


def test_scripted_matches_original(saved):
    _, want, got, _, _ = saved
    for g, w in zip(got, want, strict=True):
        assert_same(g, w, mkldnn=False)


def test_fresh_python_process(saved, python, child_env, tmp_path):
    _, _, got, model, inputs = saved
    script = textwrap.dedent(f"""
        import torch
        import mkldnn_rnn  # registers the ops and PackedWeights before the model is loaded
        model = torch.jit.load({str(model)!r})
        with torch.no_grad():
            torch.save(model(*torch.load({str(inputs)!r}, weights_only=False)), {str(tmp_path / 'out.pt')!r})
    """)
    subprocess.run([python, "-c", script], env=child_env, check=True, timeout=120)
    for g, w in zip(flat(torch.load(tmp_path / "out.pt", weights_only=False)), got, strict=True):
        assert torch.equal(g, w), "the reloaded model must repeat the saved one's bits"


def test_cpp_program(saved, tmp_path):
    _, _, got, model, inputs = saved
    program = BUILD_DIR / "bin" / "cpp_inference"
    assert program.is_file(), f"{program} is missing: build with `make build`"
    subprocess.run([str(program), str(model), str(inputs), str(tmp_path / "out.pt")], check=True, timeout=120)
    for g, w in zip(flat(torch.load(tmp_path / "out.pt", weights_only=False)), got, strict=True):
        assert_same(g, w, mkldnn=False)


def test_bare_sequence_module_scripts_like_torch_nn():
    """Like torch.nn.LSTM, a bare converted LSTM scripts to its two typed overloads of forward."""
    theirs = torch.jit.script(nn.LSTM(4, 5))
    ours = torch.jit.script(mkldnn_rnn.to_mkldnn(nn.LSTM(4, 5)))
    overloads = {"forward__0", "forward__1"}
    assert overloads <= set(theirs._c._method_names()) and overloads <= set(ours._c._method_names())


def test_cpp_program_reports_errors(tmp_path):
    program = BUILD_DIR / "bin" / "cpp_inference"
    assert subprocess.run([str(program)], capture_output=True).returncode == 2
    missing = subprocess.run([str(program), str(tmp_path / "none.pt"), "x", "y"], capture_output=True, text=True)
    assert missing.returncode == 1 and "cpp_inference: error:" in missing.stderr
