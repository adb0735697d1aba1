# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""Real traffic through the package: a stream of calls with new lengths, batches and PackedSequences,
decisions made once per shape class (and carried by torch.jit.save), PackedSequences taken as they are
(and checked), state_dict rebuilt exactly from the one packed copy. No test here asserts a time."""
import random

import pytest
import torch
from torch import nn
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence

import mkldnn_rnn
from conftest import ATOL, RTOL


def models():
    torch.manual_seed(0)
    return {
        "lstm_proj_bidir": nn.LSTM(9, 16, num_layers=2, bidirectional=True, proj_size=5),
        "gru_batch_first": nn.GRU(9, 16, num_layers=2, batch_first=True),
        "rnn_relu_bidir": nn.RNN(9, 16, nonlinearity="relu", bidirectional=True),
    }


def random_request(module, rng):
    """A padded batch, or a PackedSequence of fresh lengths (sorted or not), with or without hx."""
    T, N = rng.randint(1, 90), rng.randint(1, 20)
    shape = (N, T, module.input_size) if module.batch_first else (T, N, module.input_size)
    x = torch.randn(*shape)
    if rng.random() < 0.5:
        lengths = torch.tensor([rng.randint(1, T) for _ in range(N)])
        lengths[rng.randrange(N)] = T
        x = pack_padded_sequence(x, lengths, batch_first=module.batch_first, enforce_sorted=False)
    hx = None
    if rng.random() < 0.3:
        states = module.num_layers * (2 if module.bidirectional else 1)
        h_out = module.proj_size or module.hidden_size
        hx = torch.randn(states, N, h_out)
        if isinstance(module, nn.LSTM):
            hx = (hx, torch.randn(states, N, module.hidden_size))
    return x, hx


def flat(result):
    if isinstance(result, torch.Tensor):
        return [result]
    if isinstance(result, PackedSequence):
        return [result.data]
    return [t for r in result for t in flat(r)]


@pytest.mark.parametrize("impl", ["fused", "plain_ldigo"])
@pytest.mark.parametrize("name", list(models()))
def test_stream_equals_each_call_on_a_fresh_model(name, impl, monkeypatch):
    monkeypatch.setenv("MKLDNN_RNN_IMPL", impl)  # read when the weights are packed
    module = models()[name].eval()
    served = mkldnn_rnn.to_mkldnn(module)
    rng = random.Random(1)
    with torch.no_grad():
        for _ in range(25):
            x, hx = random_request(module, rng)
            got, fresh = flat(served(x, hx)), flat(mkldnn_rnn.to_mkldnn(module)(x, hx))
            for g, f in zip(got, fresh):
                assert torch.equal(g, f)


@pytest.mark.parametrize("name", list(models()))
def test_stream_under_auto_matches_torch_nn(name):
    module = models()[name].eval()
    fast = mkldnn_rnn.to_mkldnn(module)
    rng = random.Random(2)
    with torch.no_grad():
        for _ in range(40):
            x, hx = random_request(module, rng)
            for g, w in zip(flat(fast(x, hx)), flat(module(x, hx))):
                torch.testing.assert_close(g, w, rtol=RTOL, atol=ATOL)
    # One decision per class, not per call: batches up to 20 are 6 classes per layer and direction.
    layers = module.num_layers * (2 if module.bidirectional else 1)
    assert 0 < len(mkldnn_rnn.decisions(fast)) <= 6 * layers


def test_tune_builds_every_kernel_new_lengths_need(monkeypatch):
    monkeypatch.setenv("MKLDNN_RNN_IMPL", "plain_ldigo")  # the kernel that builds primitives
    module = nn.GRU(9, 16, num_layers=2).eval()
    fast = mkldnn_rnn.tune(mkldnn_rnn.to_mkldnn(module), (torch.randn(5, 12, 9),))
    built = fast._packed.cached_primitive_count()
    assert built > 0
    rows = mkldnn_rnn.decisions(fast)
    assert {r["batch_class"] for r in rows} == {1, 2, 4, 8, 16}  # every class up to batch 12
    assert all(r["implementation"] == "plain_ldigo" and r["reason"] for r in rows)
    with torch.no_grad():
        for T in range(1, 300, 7):
            fast(torch.randn(T, 1 + T % 12, 9))
    assert fast._packed.cached_primitive_count() == built


def test_decisions_are_restored_by_jit_load(tmp_path):
    module = nn.LSTM(9, 16, bidirectional=True).eval()
    fast = mkldnn_rnn.tune(mkldnn_rnn.to_mkldnn(module), (), max_batch=4)
    made = {(r["layer"], r["direction"], r["batch_class"], r["threads"], r["implementation"])
            for r in mkldnn_rnn.decisions(fast)}
    assert len(made) == 2 * 3  # two directions, classes 1, 2, 4
    torch.jit.save(torch.jit.script(fast), str(tmp_path / "model.pt"))
    loaded = torch.jit.load(str(tmp_path / "model.pt"))
    rows = mkldnn_rnn.decisions(loaded)
    assert {(r["layer"], r["direction"], r["batch_class"], r["threads"], r["implementation"]) for r in rows} == made
    assert all("saved with the model" in r["reason"] for r in rows)


@pytest.mark.parametrize("impl", ["fused", "plain_ldigo", "auto"])
@pytest.mark.parametrize("make", [
    lambda: nn.LSTM(9, 16, num_layers=2, bidirectional=True, proj_size=5),
    lambda: nn.GRU(9, 20, num_layers=2, bias=False),
    lambda: nn.RNN(9, 17, nonlinearity="tanh"),
    lambda: nn.LSTMCell(9, 16),
    lambda: nn.GRUCell(9, 33),
])
def test_state_dict_round_trip_is_exact(make, impl, monkeypatch):
    monkeypatch.setenv("MKLDNN_RNN_IMPL", impl)
    torch.manual_seed(3)
    module = make().eval()
    fast = mkldnn_rnn.to_mkldnn(module)
    with torch.no_grad():
        fast(torch.randn(3, 9) if isinstance(module, nn.RNNCellBase) else torch.randn(4, 3, 9))
    want, got = module.state_dict(), fast.state_dict()
    assert list(got) == list(want)
    for key in want:
        assert torch.equal(got[key], want[key]), key
    again = mkldnn_rnn.to_mkldnn(make().eval())
    again.load_state_dict(got)
    for key, value in again.state_dict().items():
        assert torch.equal(value, want[key]), key


def test_one_copy_of_the_weights_is_held():
    """A hidden size of 64 blocks without padding: the copy held is the weights plus the kept biases."""
    module = nn.LSTM(32, 64, num_layers=2, bidirectional=True).eval()
    fast = mkldnn_rnn.to_mkldnn(module)
    with torch.no_grad():
        for T, N in [(30, 1), (7, 3), (50, 9)]:
            fast(torch.randn(T, N, 32))
    weights = sum(p.numel() * 4 for p in module.parameters())
    biases = sum(p.numel() * 4 for name, p in module.named_parameters() if name.startswith("bias"))
    assert fast._packed.weight_bytes() <= weights + biases + 4096


def _packed_op(batch_sizes, rows=6):
    module = nn.GRU(3, 4).eval()
    fast = mkldnn_rnn.to_mkldnn(module)
    return lambda: torch.ops.mkldnn_rnn.rnn_packed(fast._packed, torch.randn(rows, 3), batch_sizes, None, None)


@pytest.mark.parametrize("batch_sizes, message", [
    (torch.tensor([3.0, 2.0, 1.0]), "batch_sizes: expected dtype Long, got Float"),
    (torch.tensor([[3, 2, 1]]), "batch_sizes: expected a 1-D tensor"),
    (torch.tensor([], dtype=torch.long), "batch_sizes: expected at least one step"),
    (torch.tensor([3, 3, 0]), "batch_sizes[2]: expected a positive value, got 0"),
    (torch.tensor([3, -1, 4]), "batch_sizes[1]: expected a positive value, got -1"),
    (torch.tensor([2, 3, 1]), "batch_sizes[1]: expected a value no larger than batch_sizes[0] = 2"),
    (torch.tensor([3, 2]), "batch_sizes: expected values summing to the data's 6 rows, got a sum of 5"),
])
def test_malformed_packed_sequence_is_an_error(batch_sizes, message):
    with pytest.raises(RuntimeError, match=message.replace("[", r"\[").replace("]", r"\]")):
        _packed_op(batch_sizes)()


def test_hand_made_packed_sequence_through_the_module_is_checked():
    fast = mkldnn_rnn.to_mkldnn(nn.LSTM(3, 4).eval())
    bad = PackedSequence(torch.randn(6, 3), torch.tensor([2, 3, 1]), None, None)
    with pytest.raises(RuntimeError, match=r"mkldnn_rnn::rnn_packed: batch_sizes\[1\]"):
        fast(bad)


class Encoder(nn.Module):
    """A GRU in a model, as deployed (a scripted sequence module's forward is an overload set)."""

    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(9, 16)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.gru(x)[0]


def test_decisions_saved_on_another_cpu_are_made_afresh(tmp_path):
    """The archive's pickled cpu_signature, changed in one character (same length, so the pickle stays
    valid): the loaded model holds no decisions, and decides on its first call."""
    import zipfile

    fast = mkldnn_rnn.tune(mkldnn_rnn.to_mkldnn(Encoder()), (), max_batch=2)
    saved = tmp_path / "model.pt"
    torch.jit.save(torch.jit.script(fast), str(saved))
    moved = tmp_path / "moved.pt"
    with zipfile.ZipFile(saved) as src, zipfile.ZipFile(moved, "w") as dst:
        found = False
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith("data.pkl") and b"|family " in data:
                at = data.index(b"|family ") + 1
                data = data[:at] + (b"F" if data[at:at + 1] != b"F" else b"G") + data[at + 1:]
                found = True
            dst.writestr(info, data)
        assert found, "no cpu_signature in the pickled state"
    loaded = torch.jit.load(str(moved))
    assert mkldnn_rnn.decisions(loaded) == []
    with torch.no_grad():
        loaded(torch.randn(3, 2, 9))
    assert len(mkldnn_rnn.decisions(loaded)) == 1
