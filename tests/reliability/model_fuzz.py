# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""Corrupt-model fuzzing of PackedWeights: the case generator and the crash-isolating runner.

Shared by tests/python/test_corrupt_models.py (a fast subset) and tests/reliability/fuzz_models.py
(`make fuzz`, 10k cases). Two kinds of case, each a pure function of (seed, index), so a parent process
can name any case that a child process ran:
  state - a corrupted pickle state (version, mode, I, H, L, bias, bidir, proj, weights) fed to the
          TorchBind __setstate__ method (the C++ from_state). Expected: success only for a state that is
          still valid, otherwise a RuntimeError raised by our own checks ("mkldnn_rnn::"), never an
          allocation attempt (MemoryError / bad_alloc) or a foreign error.
  zip   - torch.jit.save of a scripted module holding PackedWeights, then truncated, bit-flipped or
          byte-substituted, either as raw bytes (caught by the CRC-32 check of mkldnn_rnn.load; torch 1.13
          checks no CRC) or inside one archive member re-zipped with a valid CRC (reaching the pickle
          check, torch's unpickler and __setstate__), loaded with mkldnn_rnn.load, which checks the
          archive and then calls torch.jit.load. Expected: any clean exception, or a load whose forward
          then runs.
Cases run in child processes, a batch per child, under RLIMIT_AS so an absurd allocation fails instead of
swapping. A child killed by a signal (negative return code) or hanging is a failure naming the case it
was running (each case is announced on stdout before it starts).
"""
import io
import json
import random
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

MEMORY_CAP = 4 << 30
BATCH_TIMEOUT_S = 300
KINDS = ("state", "zip")  # the random kinds; "regression" runs the fixed REGRESSIONS cases

# ------------------------------------------------------------------------------------------------
# Valid starting points: (mode, I, H, L, bias, bidir, proj) covering every optional tensor.
BASE_CONFIGS = [
    ("LSTM", 3, 4, 1, True, False, 0),
    ("LSTM", 3, 5, 2, True, True, 2),
    ("GRU", 2, 3, 2, False, True, 0),
    ("RNN_TANH", 4, 3, 1, True, False, 0),
    ("RNN_RELU", 1, 2, 3, False, False, 0),
]
ABSURD_INTS = [0, -1, -(2 ** 63), 2 ** 31, 2 ** 31 - 1, 2 ** 32 + 3, 2 ** 40, 2 ** 62, 2 ** 63 - 1]


def _base_state(torch, rng):
    mode, i, h, layers, bias, bidir, proj = rng.choice(BASE_CONFIGS)
    if mode == "LSTM":
        module = torch.nn.LSTM(i, h, layers, bias=bias, bidirectional=bidir, proj_size=proj)
    elif mode == "GRU":
        module = torch.nn.GRU(i, h, layers, bias=bias, bidirectional=bidir)
    else:
        module = torch.nn.RNN(i, h, layers, bias=bias, bidirectional=bidir,
                              nonlinearity="tanh" if mode == "RNN_TANH" else "relu")
    return [1, mode, i, h, layers, bias, bidir, proj, [w.detach().clone() for w in module._flat_weights]]


def _bad_tensor(torch, rng, like):
    """A tensor that differs from `like` in one way PackedWeights must reject."""
    if not isinstance(like, torch.Tensor) or like.dim() == 0 or like.layout != torch.strided or like.device.type != "cpu":
        like = torch.zeros(2, 3)  # a previous corruption already replaced it
    choices = [
        lambda: torch.zeros(*like.shape[:-1], like.shape[-1] + 1),
        lambda: torch.zeros(like.shape[0] + rng.choice([-1, 1, 1000])) if like.dim() == 1
        else torch.zeros(max(like.shape[0] - 1, 0), *like.shape[1:]),
        lambda: like.t().contiguous() if like.dim() == 2 and like.shape[0] != like.shape[1] else like.unsqueeze(0),
        lambda: like.reshape(-1),
        lambda: torch.zeros(()),
        lambda: torch.zeros(0),
        lambda: like.to(rng.choice([torch.float64, torch.float16, torch.bfloat16, torch.int32, torch.int64,
                                    torch.bool, torch.complex64, torch.uint8])),
        lambda: torch.empty(like.shape, device="meta"),
        lambda: like.to_sparse(),
    ]
    return rng.choice(choices)()


def _mutate_state(torch, rng, state):
    """Applies one or two corruptions to a state list; returns a description."""
    what = []
    for _ in range(rng.choice([1, 1, 2])):
        if len(state) != 9:  # a previous corruption changed the tuple's shape: fields no longer line up
            break
        kind = rng.randrange(9)
        if kind == 0:
            state[0] = rng.choice([0, 2, -1, 2 ** 40, "1", 1.0, None])
            what.append(f"version={state[0]!r}")
        elif kind == 1:
            state[1] = rng.choice(["", "lstm", "LSTM\0", "GRU2", "RNN", "x" * 10000, 1, None])
            what.append(f"mode={str(state[1])[:12]!r}")
        elif kind in (2, 3):
            field = rng.choice([2, 3, 4, 7])
            state[field] = rng.choice(ABSURD_INTS + [state[field] + rng.choice([-1, 1])]
                                      if isinstance(state[field], int) else ABSURD_INTS)
            what.append(f"state[{field}]={state[field]}")
        elif kind == 4:
            field = rng.choice([5, 6])
            state[field] = rng.choice([not state[field], 1, "True"])
            what.append(f"state[{field}]={state[field]!r}")
        elif kind == 5 and isinstance(state[8], list):
            weights = state[8]
            op = rng.choice(["drop", "add", "empty", "dup"])
            if op == "drop" and weights:
                weights.pop(rng.randrange(len(weights)))
            elif op == "add":
                weights.append(torch.zeros(3))
            elif op == "empty":
                weights.clear()
            elif weights:
                weights.insert(0, weights[-1])
            what.append(f"weights {op} -> {len(weights)} tensors")
        elif kind in (6, 7) and isinstance(state[8], list) and state[8]:
            k = rng.randrange(len(state[8]))
            state[8][k] = _bad_tensor(torch, rng, state[8][k])
            t = state[8][k]
            what.append(f"weights[{k}] -> {tuple(t.shape)} {t.dtype} {t.layout} {t.device}")
        else:
            op = rng.choice(["short", "long", "list", "weights-not-list"])
            if op == "short":
                del state[rng.randrange(len(state)):]
            elif op == "long":
                state.append(0)
            elif op == "list":
                state[8] = [1, "a", None]
            else:
                state[8] = torch.zeros(3)
            what.append(f"shape {op} ({len(state)} fields)")
    return ", ".join(what)


def state_case(torch, seed, index):
    """(description, state tuple) of state case `index`."""
    rng = random.Random(f"state/{seed}/{index}")
    state = _base_state(torch, rng)
    return _mutate_state(torch, rng, state), tuple(state)


# ------------------------------------------------------------------------------------------------
def scripted_archive(torch):
    """Bytes of torch.jit.save of a scripted module holding two PackedWeights (LSTM with projection,
    bidirectional GRU), and a fixed input for its forward."""
    from op_library import packed_weights

    torch.manual_seed(0)
    lstm = torch.nn.LSTM(3, 5, 2, bidirectional=True, proj_size=2)
    gru = torch.nn.GRU(4, 3, 1, bias=False)

    class Holder(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = packed_weights(lstm)
            self.gru = packed_weights(gru)

        def forward(self, x):
            y = torch.ops.mkldnn_rnn.rnn(self.lstm, x, None, None, None, False)[0]
            return torch.ops.mkldnn_rnn.rnn(self.gru, y, None, None, None, False)[0]

    buffer = io.BytesIO()
    torch.jit.save(torch.jit.script(Holder()), buffer)
    return buffer.getvalue(), torch.randn(4, 2, 3)


def _mutate_bytes(rng, data):
    data = bytearray(data)
    op = rng.choice(["truncate", "flip", "flip", "substitute", "substitute"])
    if op == "truncate" or not data:
        cut = rng.randrange(len(data) + 1) if data else 0
        return bytes(data[:cut]), f"truncate at {cut}/{len(data)}"
    if op == "flip":
        spots = [rng.randrange(len(data)) for _ in range(rng.choice([1, 1, 2, 8]))]
        for p in spots:
            data[p] ^= 1 << rng.randrange(8)
        return bytes(data), f"bit flips at {spots}"
    p = rng.randrange(len(data))
    n = min(rng.choice([1, 2, 4, 8]), len(data) - p)
    value = rng.choice([b"\x00", b"\xff", b"\x7f", b"\x80"]) * n if rng.random() < 0.5 \
        else bytes(rng.randrange(256) for _ in range(n))
    data[p:p + n] = value
    return bytes(data), f"{n} bytes at {p} -> {value.hex()}"


def rezip(archive, target, transform):
    """The archive with member `target`'s bytes replaced by transform(bytes), re-zipped with valid CRCs."""
    members = zipfile.ZipFile(io.BytesIO(archive))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
        for info in members.infolist():
            content = members.read(info.filename)
            z.writestr(info, transform(content) if info.filename == target else content)
    return out.getvalue()


def zip_case(archive, seed, index):
    """(description, corrupted archive bytes) of zip case `index`."""
    rng = random.Random(f"zip/{seed}/{index}")
    if rng.random() < 0.3:
        data, what = _mutate_bytes(rng, archive)
        return f"raw: {what}", data
    names = zipfile.ZipFile(io.BytesIO(archive)).namelist()
    # data.pkl holds the PackedWeights states: weight it most.
    target = rng.choice([n for n in names if n.endswith("data.pkl")] * 4 + names)
    what = []

    def mutate(content):
        content, description = _mutate_bytes(rng, content)
        what.append(description)
        return content

    data = rezip(archive, target, mutate)
    return f"member {target}: {what[0]}", data


def _last_storage(archive):
    return max((n for n in zipfile.ZipFile(io.BytesIO(archive)).namelist() if "/data/" in n),
               key=lambda n: int(n.rsplit("/", 1)[1]))


# Archive corruptions that once crashed, kept as fixed cases (kind "regression"): (what, the loader that
# must survive it, the corruption as a function of the intact archive).
# 0: torch 1.13 gives a tensor whose storage record is empty a storage without data; PackedWeights'
#    own storage check refuses it, so plain torch.jit.load survives it (mkldnn_rnn.load refuses it earlier).
# 1: zip#3106 of seed 1, a TUPLE2 opcode on an empty stack: torch.jit.load itself segfaults on it, so only
#    mkldnn_rnn.load (its pickle check) can survive it.
REGRESSIONS = [
    ("last storage record truncated to 0 bytes", "torch.jit.load",
     lambda a: rezip(a, _last_storage(a), lambda c: b"")),
    ("constants.pkl pops 2 items from an empty stack", "mkldnn_rnn.load",
     lambda a: rezip(a, "archive/constants.pkl", lambda c: c[:2] + b"\x86\x5c" + c[4:])),
]


# ------------------------------------------------------------------------------------------------
def _classify(exc):
    text = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
    if isinstance(exc, MemoryError) or "bad_alloc" in str(exc) or "DefaultCPUAllocator" in str(exc):
        return "memory", text
    if isinstance(exc, RuntimeError) and "mkldnn_rnn::" in str(exc):
        return "rejected", text
    if isinstance(exc, RuntimeError) and str(exc).startswith("mkldnn_rnn.load:"):
        return "checked", text  # refused by the archive check before torch.jit.load
    if isinstance(exc, RuntimeError) and (str(exc).startswith("Tracer cannot infer type")
                                          or "Expected a value of type 'Any'" in str(exc)):
        # Python -> IValue conversion (a heterogeneous or empty list, an int beyond int64): refused by
        # torch before __setstate__ runs.
        return "unconvertible", text
    return "other-error", text


def _run_child(kind, seed, start, count):
    """Runs cases [start, start + count) of `kind`, printing one JSON line per event."""
    import faulthandler

    import torch
    faulthandler.enable()  # a crash prints the Python stack to stderr, which the parent reports
    from op_library import REPO, load, packed_weights

    load()
    sys.path.insert(0, str(REPO / "python"))
    import mkldnn_rnn
    torch.set_num_threads(1)
    if kind == "state":
        target = packed_weights(torch.nn.LSTM(3, 4))
        setstate = target._get_method("__setstate__")
    else:
        archive, x = scripted_archive(torch)
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))

    def emit(**event):
        print(json.dumps(event), flush=True)

    for index in range(start, start + count):
        if kind == "state":
            what, state = state_case(torch, seed, index)
            emit(event="start", index=index, case=what)
            try:
                setstate(state)
                outcome, detail = "ok", ""
            except Exception as exc:  # noqa: BLE001 - every exception is classified, none is hidden
                outcome, detail = _classify(exc)
        else:
            loader = mkldnn_rnn.load
            if kind == "zip":
                what, data = zip_case(archive, seed, index)
            else:
                what, loader_name, corrupt = REGRESSIONS[index]
                what, data = f"{what} ({loader_name})", corrupt(archive)
                loader = torch.jit.load if loader_name == "torch.jit.load" else mkldnn_rnn.load
            emit(event="start", index=index, case=what)
            try:
                module = loader(io.BytesIO(data))
                module(x)
                outcome, detail = "ok", ""
            except Exception as exc:  # noqa: BLE001
                outcome, detail = _classify(exc)
        emit(event="end", index=index, outcome=outcome, detail=detail)


def run_batch(kind, seed, start, count, env=None):
    """Runs a batch in a child process. Returns (outcomes {index: (case, outcome, detail)}, failures, resume):
    after a crash or hang, `resume` is the index after the case that was running, else start + count."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", kind, str(seed), str(start), str(count)]
    failures, outcomes, current = [], {}, None
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=BATCH_TIMEOUT_S, env=env)
        stdout, stderr, code = proc.stdout, proc.stderr, proc.returncode
    except subprocess.TimeoutExpired as exc:
        stdout, stderr, code = exc.stdout or "", exc.stderr or "", "timeout"
        stdout = stdout.decode() if isinstance(stdout, bytes) else stdout
        stderr = stderr.decode() if isinstance(stderr, bytes) else stderr
    for line in stdout.splitlines():
        if not line.startswith("{"):
            continue
        event = json.loads(line)
        if event["event"] == "start":
            current = (event["index"], event["case"])
        else:
            outcomes[event["index"]] = (current[1], event["outcome"], event["detail"])
            current = None
    resume = start + count
    if code != 0:
        where = f"case {kind}#{current[0]} ({current[1]})" if current else f"batch {kind} [{start}, {start + count})"
        failures.append(f"{where}: child exited with {code}; stderr tail: {stderr[-1500:]}")
        if current:
            resume = current[0] + 1
    for index, (case, outcome, detail) in sorted(outcomes.items()):
        # A corrupt archive may make torch's own unpickler allocate absurdly (a clean MemoryError under the
        # cap); a corrupt state must be refused by our checks before anything is allocated.
        bad = kind == "state" and outcome in ("memory", "other-error")
        if bad:
            failures.append(f"case {kind}#{index} ({case}): {outcome}: {detail}")
    return outcomes, failures, resume


def run(kind, seed, cases, batch=500, env=None):
    """Runs `cases` cases of `kind` in batches; returns (outcome counts, failures). A crashed case counts
    as a failure, not an outcome."""
    counts, failures, start = {}, [], 0
    while start < cases:  # a crash ends its child: the next child resumes after the crashing case
        outcomes, batch_failures, start = run_batch(kind, seed, start, min(batch, cases - start), env)
        failures += batch_failures
        for _, outcome, _ in outcomes.values():
            counts[outcome] = counts.get(outcome, 0) + 1
    return counts, failures


if __name__ == "__main__" and len(sys.argv) == 6 and sys.argv[1] == "--child":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    _run_child(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
