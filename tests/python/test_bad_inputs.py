# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""The bad-input table of docs/errors.md, one test (or one parametrised group) per row.

Op level goes through torch.ops.mkldnn_rnn.rnn / cell with a PackedWeights built from a torch.nn module;
module level (rows that are module concepts: tuples, PackedSequence, load_state_dict, unbatched input)
goes through the package, mkldnn_rnn.to_mkldnn. Errors must name the argument, the expectation and the
given value; inputs the contract accepts (views, stride 0, NaN, long sequences, mixed layouts) must give
torch.nn's results.
"""
import math
import sys
from pathlib import Path

import pytest
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reliability"))
import op_library  # noqa: E402
from mkldnn_rnn import _fake  # noqa: E402

ops = op_library.load()
I, H, P, L, N, T = 4, 6, 3, 2, 3, 5
TOL = dict(rtol=1e-4, atol=1e-5)


def lstm(**kw):
    torch.manual_seed(0)
    return nn.LSTM(I, H, L, **kw).eval()


def gru(**kw):
    torch.manual_seed(0)
    return nn.GRU(I, H, L, **kw).eval()


def rnn_tanh(**kw):
    torch.manual_seed(0)
    return nn.RNN(I, H, L, **kw).eval()


def run(module, x, hx=None, cx=None, lengths=None, batch_first=False):
    return ops.rnn(op_library.packed_weights(module), x, hx, cx, lengths, batch_first)


def package():
    """The Python package; an import failure fails the test (never a skip)."""
    import mkldnn_rnn
    return mkldnn_rnn


def converted(module):
    return package().to_mkldnn(module)


def x_tn():
    torch.manual_seed(1)
    return torch.randn(T, N, I)


# ---- input rank ---------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(), (I,), (T, N, I, 1)], ids=["rank0", "rank1", "rank4"])
def test_input_rank_op(shape):
    with pytest.raises(RuntimeError, match=rf"mkldnn_rnn::rnn: input: expected a 3-D tensor, got a {len(shape)}-D"):
        run(lstm(), torch.zeros(shape))


def test_input_rank_cell_op():
    cell = nn.LSTMCell(I, H)
    with pytest.raises(RuntimeError, match=r"mkldnn_rnn::cell: input: expected a 2-D tensor, got a 3-D"):
        ops.cell(op_library.packed_weights(cell), torch.zeros(1, N, I), None, None)


@pytest.mark.parametrize("shape", [(), (T, N, I, 1)], ids=["rank0", "rank4"])
def test_input_rank_module(shape):
    # torch.nn accepts 2-D (unbatched) and 3-D input; anything else must name both and the rank given.
    with pytest.raises((RuntimeError, ValueError), match=rf"(?is)input.*2-D.*3-D.*got a {len(shape)}-D"):
        converted(lstm())(torch.zeros(shape))


def test_input_rank1_module():
    with pytest.raises((RuntimeError, ValueError), match=r"(?is)input.*2-D.*3-D.*got a 1-D"):
        converted(lstm())(torch.zeros(I))


def test_input_size():
    with pytest.raises(RuntimeError, match=rf"mkldnn_rnn::rnn: input: expected size \[{T}, {N}, {I}\], "
                                           rf"got \[{T}, {N}, {I + 1}\]"):
        run(lstm(), torch.zeros(T, N, I + 1))


def test_input_size_module():
    with pytest.raises((RuntimeError, ValueError), match=rf"(?is)input.*{I}.*{I + 1}"):
        converted(lstm())(torch.zeros(T, N, I + 1))


@pytest.mark.parametrize("batch_first", [False, True])
def test_batch_zero(batch_first):
    x = torch.zeros(0, T, I) if batch_first else torch.zeros(T, 0, I)
    with pytest.raises(RuntimeError, match=r"mkldnn_rnn::rnn: input: expected at least one sequence of at least "
                                           r"one step, got size \[.*0.*\]"):
        run(lstm(), x, batch_first=batch_first)


def test_batch_zero_cell():
    with pytest.raises(RuntimeError, match=r"mkldnn_rnn::cell: input: expected a batch of at least one, got size \[0, 4\]"):
        ops.cell(op_library.packed_weights(nn.GRUCell(I, H)), torch.zeros(0, I), None, None)


@pytest.mark.parametrize("batch_first", [False, True])
def test_time_step_zero(batch_first):
    x = torch.zeros(N, 0, I) if batch_first else torch.zeros(0, N, I)
    with pytest.raises(RuntimeError, match=r"mkldnn_rnn::rnn: input: expected at least one sequence of at least "
                                           r"one step, got size"):
        run(lstm(), x, batch_first=batch_first)


# ---- hx / cx shapes -----------------------------------------------------------------------------
STATE_CASES = {
    "rank": (L * 2, N, H), "batch": (L * 2, N + 1, H), "layers_x_directions": (L, N, H), "hidden": (L * 2, N, H + 1),
}


@pytest.mark.parametrize("what", STATE_CASES)
@pytest.mark.parametrize("arg", ["hx", "cx"])
def test_state_shape(arg, what):
    model = lstm(bidirectional=True)
    good = torch.zeros(L * 2, N, H)
    bad = torch.zeros(N, H) if what == "rank" else torch.zeros(STATE_CASES[what])
    hx, cx = (bad, good) if arg == "hx" else (good, bad)
    given = ", ".join(map(str, bad.shape))
    with pytest.raises(RuntimeError, match=rf"mkldnn_rnn::rnn: {arg}: expected size \[{L * 2}, {N}, {H}\], "
                                           rf"got \[{given}\]"):
        run(model, x_tn(), hx, cx)


def test_hx_proj_size():
    # With a projection h is [L*D, N, proj_size] and c stays [L*D, N, hidden_size].
    model = lstm(proj_size=P)
    with pytest.raises(RuntimeError, match=rf"mkldnn_rnn::rnn: hx: expected size \[{L}, {N}, {P}\], got \[{L}, {N}, {H}\]"):
        run(model, x_tn(), torch.zeros(L, N, H), torch.zeros(L, N, H))
    with pytest.raises(RuntimeError, match=rf"mkldnn_rnn::rnn: cx: expected size \[{L}, {N}, {H}\], got \[{L}, {N}, {P}\]"):
        run(model, x_tn(), torch.zeros(L, N, P), torch.zeros(L, N, P))


def test_state_shape_module():
    with pytest.raises((RuntimeError, ValueError), match=rf"(?is)h.*{L}, {N}, {H}\b.*{L}, {N + 1}, {H}\b"):
        converted(lstm())(x_tn(), (torch.zeros(L, N + 1, H), torch.zeros(L, N, H)))


@pytest.mark.parametrize("make", [gru, rnn_tanh], ids=["GRU", "RNN"])
def test_cx_for_gru_rnn(make):
    mode = "GRU" if make is gru else "RNN_TANH"
    with pytest.raises(RuntimeError, match=rf"mkldnn_rnn::rnn: cx: expected None for mode {mode} "
                                           r"\(the cell state is LSTM only\), got a tensor"):
        run(make(), x_tn(), torch.zeros(L, N, H), torch.zeros(L, N, H))


def test_cx_for_gru_cell():
    with pytest.raises(RuntimeError, match=r"mkldnn_rnn::cell: cx: expected None for mode GRU"):
        ops.cell(op_library.packed_weights(nn.GRUCell(I, H)), torch.zeros(N, I), torch.zeros(N, H), torch.zeros(N, H))


@pytest.mark.parametrize("make", [gru, rnn_tanh], ids=["GRU", "RNN"])
def test_cx_for_gru_rnn_module(make):
    # torch.nn's GRU/RNN take hx as one tensor; a (h, c) tuple must be refused by name.
    with pytest.raises((RuntimeError, ValueError, TypeError), match=r"(?is)hx.*tensor.*tuple"):
        converted(make())(x_tn(), (torch.zeros(L, N, H), torch.zeros(L, N, H)))


@pytest.mark.parametrize("count", [1, 3])
def test_hx_tuple_length_module(count):
    states = tuple(torch.zeros(L, N, H) for _ in range(count))
    with pytest.raises((RuntimeError, ValueError, TypeError), match=rf"(?is)hx.*expected.*(2|two).*got.*{count}"):
        converted(lstm())(x_tn(), states)


def test_hx_tuple_op():
    # The op schema takes hx and cx as separate tensors; a tuple is refused by the dispatcher by name.
    with pytest.raises(RuntimeError, match=r"Expected a value of type 'Optional\[Tensor\]' for argument 'hx'"):
        run(lstm(), x_tn(), (torch.zeros(L, N, H),))


# ---- dtype, device, layout ----------------------------------------------------------------------
# bfloat16 activations are accepted (tests/python/test_reduced_precision.py): every other dtype is refused.
DTYPES = [torch.int32, torch.int64, torch.float64, torch.float16, torch.bool, torch.complex64]
DTYPE_NAMES = {torch.int32: "Int", torch.int64: "Long", torch.float64: "Double", torch.float16: "Half",
               torch.bool: "Bool", torch.complex64: "ComplexFloat"}


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("arg", ["input", "hx", "cx"])
def test_dtype(arg, dtype):
    tensors = {"input": x_tn(), "hx": torch.zeros(L, N, H), "cx": torch.zeros(L, N, H)}
    tensors[arg] = tensors[arg].to(dtype)
    with pytest.raises(RuntimeError, match=rf"mkldnn_rnn::rnn: {arg}: expected dtype Float or BFloat16, "
                                           rf"got {DTYPE_NAMES[dtype]}"):
        run(lstm(), tensors["input"], tensors["hx"], tensors["cx"])


def test_dtype_module():
    with pytest.raises(RuntimeError, match=r"(?is)input.*Float.*Double"):
        converted(lstm())(x_tn().double())


@pytest.mark.parametrize("arg", ["input", "hx", "cx", "lengths"])
def test_device_meta(arg):
    # CUDA is not available here: meta tensors take the same check (device().is_cpu(), any non-CPU device).
    tensors = {"input": x_tn(), "hx": torch.zeros(L, N, H), "cx": torch.zeros(L, N, H),
               "lengths": torch.full((N,), T, dtype=torch.long)}
    tensors[arg] = torch.empty(tensors[arg].shape, dtype=tensors[arg].dtype, device="meta")
    if not _fake.supported():  # torch 1.13: every tensor reaches the kernel, which wants the CPU
        with pytest.raises(RuntimeError, match=rf"mkldnn_rnn::rnn: {arg}: expected device cpu, got meta"):
            run(lstm(), *tensors.values())
        return
    # torch 2.x: a meta tensor takes the op to its fake kernel (python/mkldnn_rnn/_fake.py), which wants
    # every tensor on the input's device and names the first that is not.
    name, want, got = ("hx", "meta", "cpu") if arg == "input" else (arg, "cpu", "meta")
    with pytest.raises(RuntimeError, match=rf"mkldnn_rnn::rnn: {name}: expected device {want}, got {got}"):
        run(lstm(), *tensors.values())


@pytest.mark.skipif(not _fake.supported(), reason=f"torch {torch.__version__} has no fake kernels (torch 2.4+)")
def test_meta_tensors_give_shapes():
    """torch 2.x: meta tensors in give meta results of the real kernel's sizes (shape inference)."""
    meta = {"input": torch.empty(T, N, I, device="meta"), "hx": torch.empty(L, N, H, device="meta"),
            "cx": torch.empty(L, N, H, device="meta")}
    output, h_n, c_n = run(lstm(), *meta.values(), None)
    real = run(lstm(), x_tn(), torch.zeros(L, N, H), torch.zeros(L, N, H), None)
    assert [t.device.type for t in (output, h_n, c_n)] == ["meta"] * 3
    assert [t.shape for t in (output, h_n, c_n)] == [t.shape for t in real]


def test_device_meta_cell():
    call = lambda: ops.cell(op_library.packed_weights(nn.LSTMCell(I, H)), torch.empty(N, I, device="meta"), None, None)
    if _fake.supported():  # torch 2.x: the fake kernel's shapes (test_meta_tensors_give_shapes)
        assert [(t.device.type, tuple(t.shape)) for t in call()] == [("meta", (N, H))] * 2
        return
    with pytest.raises(RuntimeError, match=r"mkldnn_rnn::cell: input: expected device cpu, got meta"):
        call()


def test_device_check_is_device_agnostic():
    # The CUDA path cannot run here; prove by reading that the device check rejects every non-CPU device
    # (not a list that could miss cuda) and is applied to every tensor argument of both ops.
    src = (op_library.REPO / "torch" / "tensor_checks.cpp").read_text()
    assert 'TORCH_CHECK(t.device().is_cpu(), arg, ": expected device cpu, got ", t.device());' in src
    assert "check_cpu(arg, t);" in src.split("void check_activation")[1]
    ops_src = (op_library.REPO / "torch" / "ops.cpp").read_text()
    assert ops_src.count("check_activation(") >= 3 and "check_cpu(arg, *lengths)" in ops_src


def test_device_meta_module():
    call = lambda: converted(lstm())(torch.empty(T, N, I, device="meta"))
    if _fake.supported():  # torch 2.x: the fake kernel's shapes, as torch.nn.LSTM gives on meta tensors
        output, (h_n, c_n) = call()
        assert (output.device.type, tuple(output.shape), tuple(h_n.shape)) == ("meta", (T, N, H), (L, N, H))
        return
    with pytest.raises(RuntimeError, match=r"(?is)input.*cpu.*meta"):
        call()


def test_requires_grad():
    with pytest.raises(RuntimeError, match=r"mkldnn_rnn::rnn: input: expected a tensor that does not require grad "
                                           r"\(inference only.*got requires_grad=True"):
        run(lstm(), x_tn().requires_grad_())


# ---- views: accepted, and results equal torch.nn's -----------------------------------------------
def assert_matches_torch(model, x, hx=None, cx=None, batch_first=False):
    out, h_n, c_n = run(model, x, hx, cx, None, batch_first)
    with torch.no_grad():
        state = None if hx is None else ((hx, cx) if isinstance(model, nn.LSTM) else hx)
        ref_out, ref_state = model(x.contiguous(), state)
    ref_h = ref_state[0] if isinstance(model, nn.LSTM) else ref_state
    torch.testing.assert_close(out, ref_out, **TOL)
    torch.testing.assert_close(h_n, ref_h, **TOL)
    if isinstance(model, nn.LSTM):
        torch.testing.assert_close(c_n, ref_state[1], **TOL)


def test_non_contiguous_views():
    torch.manual_seed(2)
    big = torch.randn(T, N * 2, I * 3)
    x = big[:, ::2, 1::3]                   # strided in every dim
    hx = torch.randn(L, N * 2, H)[:, 1::2]  # every other batch row
    cx = torch.randn(L, N, H * 2)[..., :H]
    assert not x.is_contiguous() and not hx.is_contiguous() and not cx.is_contiguous()
    model = lstm()
    model.batch_first = False
    assert_matches_torch(model, x, hx, cx)


def test_transposed_views():
    torch.manual_seed(3)
    x = torch.randn(N, T, I).transpose(0, 1)  # [T, N, I] with batch-major strides
    hx = torch.randn(N, L, H).transpose(0, 1)
    assert not x.is_contiguous()
    assert_matches_torch(gru(), x, hx)


def test_transposed_batch_first():
    torch.manual_seed(4)
    model = gru(batch_first=True)
    x = torch.randn(T, N, I).transpose(0, 1)  # [N, T, I] view of time-major storage
    assert_matches_torch(model, x, batch_first=True)


def test_negative_view():
    x = torch._neg_view(x_tn())
    assert x.is_neg()
    assert_matches_torch(lstm(), x)


def test_expanded_stride_zero():
    # Accepted: a stride-0 view is made contiguous (a copy) before the core reads it.
    torch.manual_seed(5)
    x = torch.randn(T, 1, I).expand(T, N, I)
    hx = torch.randn(L, 1, H).expand(L, N, H)
    cx = torch.randn(1, 1, H).expand(L, N, H)
    assert 0 in x.stride() and 0 in hx.stride()
    assert_matches_torch(lstm(), x, hx, cx)


def test_views_module():
    torch.manual_seed(6)
    model = lstm()
    x = torch.randn(N, T, I).transpose(0, 1)
    hx = (torch.randn(L, 1, H).expand(L, N, H), torch.randn(L, N, H * 2)[..., ::2])
    out, (h, c) = converted(model)(x, hx)
    with torch.no_grad():
        ref, (rh, rc) = model(x, hx)
    torch.testing.assert_close(out, ref, **TOL)
    torch.testing.assert_close(h, rh, **TOL)
    torch.testing.assert_close(c, rc, **TOL)


# ---- lengths ------------------------------------------------------------------------------------
def test_unsorted_enforce_sorted_module():
    # torch's own error, raised by pack_padded_sequence before the package sees anything.
    with pytest.raises(RuntimeError, match=r"`lengths` array must be sorted in decreasing order when "
                                           r"`enforce_sorted` is True"):
        converted(lstm())(pack_padded_sequence(x_tn(), torch.tensor([2, 5, 3]), enforce_sorted=True))


@pytest.mark.parametrize("bad", [0, -1, T + 1], ids=["zero", "negative", "above_T"])
def test_lengths_value(bad):
    lengths = torch.tensor([T, bad, 1])
    with pytest.raises(RuntimeError, match=rf"mkldnn_rnn::rnn: lengths\[1\]: expected a value in \[1, {T}\] "
                                           rf"\(the sequence length\), got {bad}"):
        run(lstm(), x_tn(), lengths=lengths)


@pytest.mark.parametrize("count", [N - 1, N + 1])
def test_lengths_count(count):
    with pytest.raises(RuntimeError, match=rf"mkldnn_rnn::rnn: lengths: expected size \[{N}\], got \[{count}\]"):
        run(lstm(), x_tn(), lengths=torch.full((count,), T, dtype=torch.long))


def test_lengths_dtype():
    with pytest.raises(RuntimeError, match=r"mkldnn_rnn::rnn: lengths: expected dtype Long, got Int"):
        run(lstm(), x_tn(), lengths=torch.full((N,), T, dtype=torch.int32))


def test_lengths_zero_module():
    # torch refuses a zero length itself when packing; the package never sees it.
    with pytest.raises(RuntimeError, match=r"Length of all samples has to be greater than 0, but found an element "
                                           r"in 'lengths' that is <= 0"):
        converted(lstm())(pack_padded_sequence(x_tn(), torch.tensor([5, 0, 2]), enforce_sorted=False))


# ---- non-finite values --------------------------------------------------------------------------
@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf], ids=["nan", "inf", "-inf"])
@pytest.mark.parametrize("make", [lstm, gru], ids=["LSTM", "GRU"])
def test_non_finite_row(make, value):
    # Batch rows are independent: the bad row gives what torch.nn gives (NaN/saturated), the others are exact.
    model = make(bidirectional=True)
    x = x_tn()
    x[2, 1, 0] = value
    out, h_n, _ = run(model, x)
    with torch.no_grad():
        ref, ref_state = model(x)
    ref_h = ref_state[0] if isinstance(ref_state, tuple) else ref_state
    torch.testing.assert_close(out, ref, equal_nan=True, **TOL)
    torch.testing.assert_close(h_n, ref_h, equal_nan=True, **TOL)
    assert torch.isfinite(out[:, [0, 2]]).all() and torch.isfinite(h_n[:, [0, 2]]).all()


def test_nan_in_padding():
    model = lstm(bidirectional=True)
    lengths = torch.tensor([T, 2, 4])
    x = x_tn()
    clean = x.clone()
    for n, length in enumerate(lengths.tolist()):
        x[length:, n] = math.nan
        clean[length:, n] = 0
    out, h_n, c_n = run(model, x, lengths=lengths)
    with torch.no_grad():
        packed = pack_padded_sequence(clean, lengths, enforce_sorted=False)
        ref_packed, (rh, rc) = model(packed)
    ref, _ = pad_packed_sequence(ref_packed, total_length=T)
    assert not out.isnan().any()
    torch.testing.assert_close(out, ref, **TOL)
    torch.testing.assert_close(h_n, rh, **TOL)
    torch.testing.assert_close(c_n, rc, **TOL)


def test_nan_in_padding_module():
    model = gru()
    lengths = torch.tensor([3, T, 1])
    x = x_tn()
    clean = x.clone()
    for n, length in enumerate(lengths.tolist()):
        x[length:, n] = math.nan
        clean[length:, n] = 0
    out, h = converted(model)(pack_padded_sequence(x, lengths, enforce_sorted=False))
    with torch.no_grad():
        ref, rh = model(pack_padded_sequence(clean, lengths, enforce_sorted=False))
    torch.testing.assert_close(pad_packed_sequence(out)[0], pad_packed_sequence(ref)[0], **TOL)
    torch.testing.assert_close(h, rh, **TOL)


# ---- weights ------------------------------------------------------------------------------------
def test_packed_weights_wrong_shape():
    model = lstm()
    weights = [w.detach() for w in model._flat_weights]
    weights[1] = torch.zeros(4 * H, H + 1)
    with pytest.raises(RuntimeError, match=rf"mkldnn_rnn::PackedWeights: weights\[1\] \(weight_hh\): expected size "
                                           rf"\[{4 * H}, {H}\], got \[{4 * H}, {H + 1}\]"):
        torch.classes.mkldnn_rnn.PackedWeights("LSTM", I, H, L, True, False, 0, weights)


def test_load_state_dict_wrong_shape_module():
    module = converted(lstm())
    state = lstm().state_dict()
    state["weight_hh_l0"] = torch.zeros(4 * H, H + 1)
    # Any order: torch.nn's own message gives the checkpoint's shape first.
    with pytest.raises(RuntimeError, match=rf"(?s)(?=.*weight_hh_l0)(?=.*{4 * H}, {H}\b)(?=.*{4 * H}, {H + 1}\b)"):
        module.load_state_dict(state)


# ---- very long sequence -------------------------------------------------------------------------
def rss_bytes():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("VmRSS missing from /proc/self/status")


@pytest.mark.parametrize("make", [lstm, gru], ids=["LSTM", "GRU"])
def test_very_long_sequence(make):
    steps = 100_000
    torch.manual_seed(7)
    model = make()
    x = torch.randn(steps, 1, I) * 0.5
    before = rss_bytes()
    out, h_n, _ = run(model, x)
    grown = rss_bytes() - before
    with torch.no_grad():
        _, ref_state = model(x)
    ref_h = ref_state[0] if isinstance(ref_state, tuple) else ref_state
    # Float32 over 100k steps: small drift is expected, a wrong recurrence is not.
    torch.testing.assert_close(h_n, ref_h, rtol=1e-3, atol=1e-3)
    # The output itself is steps * H floats (2.4 MB); anything beyond a few times that is a leak or a copy storm.
    assert grown < 64 << 20, f"RSS grew by {grown >> 20} MiB for a {steps}-step sequence"


# ---- mixed layouts ------------------------------------------------------------------------------
def test_mkldnn_input_dense_states():
    model = lstm()
    x, hx, cx = x_tn(), torch.randn(L, N, H), torch.randn(L, N, H)
    out, h_n, c_n = run(model, x.to_mkldnn(), hx, cx)
    assert out.layout == torch._mkldnn and h_n.layout == torch.strided and c_n.layout == torch.strided
    with torch.no_grad():
        ref, (rh, rc) = model(x, (hx, cx))
    torch.testing.assert_close(out.to_dense(), ref, **TOL)
    torch.testing.assert_close(h_n, rh, **TOL)
    torch.testing.assert_close(c_n, rc, **TOL)


def test_dense_input_mkldnn_states():
    model = lstm()
    x, hx, cx = x_tn(), torch.randn(L, N, H), torch.randn(L, N, H)
    out, h_n, c_n = run(model, x, hx.to_mkldnn(), cx.to_mkldnn())
    assert out.layout == torch.strided and h_n.layout == torch._mkldnn and c_n.layout == torch._mkldnn
    with torch.no_grad():
        ref, (rh, rc) = model(x, (hx, cx))
    torch.testing.assert_close(out, ref, **TOL)
    torch.testing.assert_close(h_n.to_dense(), rh, **TOL)
    torch.testing.assert_close(c_n.to_dense(), rc, **TOL)


def test_mkldnn_input_no_states():
    out, h_n, c_n = run(lstm(), x_tn().to_mkldnn())
    assert out.layout == h_n.layout == c_n.layout == torch._mkldnn


def test_sparse_input():
    with pytest.raises(RuntimeError, match=r"mkldnn_rnn::rnn: input: expected layout Strided or Mkldnn, got Sparse"):
        run(lstm(), x_tn().to_sparse())


def test_mixed_layouts_module():
    model = lstm()
    x, hx, cx = x_tn(), torch.randn(L, N, H), torch.randn(L, N, H)
    out, (h, c) = converted(model)(x.to_mkldnn(), (hx, cx))
    assert out.layout == torch._mkldnn and h.layout == torch.strided and c.layout == torch.strided
    with torch.no_grad():
        ref, _ = model(x, (hx, cx))
    torch.testing.assert_close(out.to_dense(), ref, **TOL)
