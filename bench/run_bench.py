# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""mkldnn_rnn's benchmark: torch.nn recurrent modules against mkldnn_rnn.to_mkldnn() of them.

    make bench       ->  /usr/bin/python3 bench/run_bench.py --out results         (~4 minutes + real traffic)
    make bench-all   ->  /usr/bin/python3 bench/run_bench.py --all --out results   (~16 minutes + real traffic)
                         /usr/bin/python3 bench/run_bench.py --traffic-only --out results   (real traffic alone)
    make bench-avx2  ->  make bench capped to AVX2 (see below), into results-avx2:
                         MKLDNN_RNN_MAX_ISA=avx2 DNNL_MAX_CPU_ISA=AVX2 ONEDNN_MAX_CPU_ISA=AVX2
                         ATEN_CPU_CAPABILITY=avx2 OPENBLAS_CORETYPE=Haswell
                         /usr/bin/python3 bench/run_bench.py --out results-avx2   (about as long as make bench)

The default run is the original design's table (LSTM 250 -> 200, batch 1, T = 15 and 1, all cores and
one core; nn.LSTM and mkldnn, each with and without jemalloc) beside the C++ peers that show where the
time goes: oneDNN called directly (weights `any` and plain `ldigo`) and mkldnn_rnn's engine without
Python (auto and each fixed MKLDNN_RNN_IMPL). --all adds GRU and RNN, batches 4 and 16, DeepBench's
inference shapes and packed variable-length batches. Beside the fp32 columns, which stay as they were,
the seed rows have reduced-precision ones (issue 12): to_mkldnn(model, torch.bfloat16) and
to_mkldnn(model, torch.qint8) through the module, the engine from C++ with EngineOptions::precision, and
PyTorch's own torch.ao.quantization.quantize_dynamic as their peer, each beside its max |error| against
fp32 nn.LSTM and labelled with its precision; --all adds GRU and RNN at the seed shape with those columns.
Every cell is a fresh child process
(bench/runner.py); the unit is forward calls per second (sentences/s at batch 1), the median of
repeated timed runs. docs/performance.md explains the method and reads the results.

Those cells repeat one shape and leave its first call out. The "real traffic" rows, after the seed
group in both runs, measure what a server sees instead: streams of requests whose shapes change from call
to call, PackedSequence batches with fresh lengths, and the cost of a never-seen length, each section in
one fresh process (bench/measure_traffic.py) that times mkldnn_rnn and the torch.nn module interleaved,
first calls included.

Every cell of ours names the kernel that served it ("mkldnn kernel", "engine kernel": "fused avx2",
"plain_ldigo (oneDNN)", ...), from the engine's decisions for the measured shape after the timed runs, and
each traffic row the distinct kernels its stream's decisions took ("mkldnn kernels"); the progress lines
print them too.

make bench-avx2 is make bench as a CPU without AVX-512 would see it, on one that has it: the environment
caps every library that reads a cap (ISA_CAPS: mkldnn_rnn's kernels and the hardware-ceiling probes,
oneDNN 2.x and 3.x, so the oneDNN-direct cells and torch's oneDNN too, torch's own vectorized kernels;
OPENBLAS_CORETYPE=Haswell, which main() keeps, for torch.nn's OpenBLAS), and bench.md's first paragraph
says so. ONNX Runtime's MLAS reads no cap (see cap_note), so its column is not capped. The fallback
columns cap to the base of the family in use (avx2 there), never above the environment's cap.

Writes <out>/bench.md (machine, hardware ceiling, tables), <out>/<group>.csv and <out>/<group>.png,
<out>/traffic.csv and <out>/traffic.png, and (after the seed group) <out>/accuracy.md: bench/accuracy.py's
error of every mode in bf16 and int8 against fp32 torch.nn, also appended to bench.md.
"""
import argparse
import dataclasses
import os
import random
import sys
import time
from pathlib import Path

import accuracy
import debian13
import machine
import onnx_peer
import report
import runner

REPO = Path(__file__).resolve().parent.parent
ALL_CORES = os.cpu_count()
THREADS = sorted({ALL_CORES, 1}, reverse=True)
IMPLS = ("auto", "plain_ldigo", "onednn_preferred", "fused")  # the values of MKLDNN_RNN_IMPL
MODE_NAMES = {"lstm": "LSTM", "gru": "GRU", "rnn": "RNN"}
# "mkldnn vs original" in the original design's table (Xeon 6148: "all cores" = 20), by (T, threads).
SEED_RATIOS = {(15, "all"): 5.06, (15, 1): 3.69, (1, 1): 1.30}


@dataclasses.dataclass(frozen=True)
class Shape:
    mode: str = "lstm"
    steps: int = 15
    batch: int = 1
    input: int = 250
    hidden: int = 200
    lengths: tuple = ()  # valid length of each sequence (a PackedSequence batch); () = all T

    def flags(self):
        flags = ["--mode", self.mode, "--T", str(self.steps), "--batch", str(self.batch),
                 "--input", str(self.input), "--hidden", str(self.hidden)]
        return flags + (["--lengths", ",".join(map(str, self.lengths))] if self.lengths else [])

    def label(self):
        packed = ", packed" if self.lengths else ""
        return f"{MODE_NAMES[self.mode]} T={self.steps} N={self.batch} {self.input}->{self.hidden}{packed}"


@dataclasses.dataclass(frozen=True)
class Column:
    """One measured column: which child runs, with which flags, allocator and MKLDNN_RNN_IMPL."""

    key: str
    title: str
    program: str  # "measure_module.py" or a C++ peer in <build>/bench
    flags: tuple = ()
    jemalloc: bool = False
    impl: str = "auto"
    env: tuple = ()  # more (name, value) pairs for the child's environment
    multithreaded_only: bool = False
    modes: tuple = ()  # the modes it runs (quantize_dynamic has no nn.RNN); () = every mode
    stack: str = ""  # "debian13": runs in the Debian 13 root (bench/debian13.py); "": on this machine's stack
    unavailable: str = ""  # why it cannot run here, known before the run: its cells stay empty, saying why

    def applies_to(self, shape, threads):
        if self.multithreaded_only and threads == 1:
            return False
        if self.modes and shape.mode not in self.modes:
            return False
        return not (shape.lengths and self.program == "onednn_direct")  # oneDNN has no per-sequence lengths


MODULE = "measure_module.py"
ORIGINAL = Column("original", "original", MODULE, ("--impl", "nn"))
MKLDNN = Column("mkldnn", "mkldnn", MODULE, ("--impl", "mkldnn"))
ORIGINAL_JEMALLOC = dataclasses.replace(ORIGINAL, key="original_jemalloc", title="original (jemalloc)", jemalloc=True)
MKLDNN_JEMALLOC = dataclasses.replace(MKLDNN, key="mkldnn_jemalloc", title="mkldnn (jemalloc)", jemalloc=True)
# Debian's libopenblas0-pthread runs its own thread pool, sized by OMP_NUM_THREADS, beside PyTorch's
# OpenMP pool: with more than one thread and batch > 1 the two fight over the cores and nn.LSTM gets
# several times slower. This column gives the original its best configuration (BLAS on one thread).
ORIGINAL_BLAS1 = dataclasses.replace(ORIGINAL, key="original_blas1", title="original (OpenBLAS 1 thr)",
                                     env=(("OPENBLAS_NUM_THREADS", "1"),), multithreaded_only=True)
ENGINE = {impl: Column(f"engine_{impl}", f"engine C++ {impl}", "engine_bench", impl=impl) for impl in IMPLS}
ONEDNN = {w: Column(f"onednn_{w}", f"oneDNN direct {w}", "onednn_direct", ("--weights", w)) for w in ("any", "ldigo")}
PEERS = (*ENGINE.values(), *ONEDNN.values())
# ONNX Runtime through onnxruntime-node (bench/onnx_peer.py): the runtime a user would pick instead. Its
# rate includes the Node binding's own cost per call, printed beside the table (an identity model).
ORT_PROGRAM = "onnxruntime-node"
ORT = Column("ort", "ONNX Runtime (Node)", ORT_PROGRAM)
# The fp32 columns under fp32 titles, for the reduced-precision tables (same keys: the same measurements).
ORIGINAL_FP32 = dataclasses.replace(ORIGINAL, title="original fp32")
MKLDNN_FP32 = dataclasses.replace(MKLDNN, title="mkldnn fp32")
ENGINE_FP32 = dataclasses.replace(ENGINE["auto"], title="engine C++ fp32")
ORT_FP32 = dataclasses.replace(ORT, title="ONNX Runtime fp32 (Node)")
# Reduced precision (issue 12). Never shown as fp32: every title names its precision, and each module
# column carries the max |error| of its outputs against the fp32 torch.nn module (measure_module.py).
MKLDNN_BF16 = Column("mkldnn_bf16", "mkldnn bf16", MODULE, ("--impl", "mkldnn", "--precision", "bf16"))
MKLDNN_INT8 = Column("mkldnn_int8", "mkldnn int8", MODULE, ("--impl", "mkldnn", "--precision", "int8"))
# Today's stack (issue 20), in the Debian 13 root: torch 2.6's nn.* (torch 2.x sends fp32 nn.LSTM through
# oneDNN 3.x itself: the baseline users have today), and our module, engine and oneDNN called directly,
# built against oneDNN 3.7, beside the same on Debian 12's oneDNN 2.6.
DEBIAN13 = "debian13"
ORIGINAL_TORCH26 = dataclasses.replace(ORIGINAL, key="original_torch26", title="torch 2.6 nn (Debian 13)", stack=DEBIAN13)
MKLDNN_DEBIAN13 = dataclasses.replace(MKLDNN, key="mkldnn_debian13", title="mkldnn on Debian 13", stack=DEBIAN13)
ONEDNN_IMPLS = ("plain_ldigo", "onednn_preferred")  # the MKLDNN_RNN_IMPL values that run on oneDNN
ENGINE_DEBIAN13 = {impl: dataclasses.replace(ENGINE[impl], key=f"{ENGINE[impl].key}_debian13",
                                             title=f"{ENGINE[impl].title} on oneDNN 3.7", stack=DEBIAN13)
                   for impl in ONEDNN_IMPLS}
ONEDNN_DEBIAN13 = {w: dataclasses.replace(c, key=f"{c.key}_debian13", title=f"{c.title} on oneDNN 3.7", stack=DEBIAN13)
                   for w, c in ONEDNN.items()}
STACK_COLUMNS = (ORIGINAL_TORCH26, MKLDNN_DEBIAN13, *ENGINE_DEBIAN13.values(), *ONEDNN_DEBIAN13.values())
# Issue 20's target: every seed and traffic row at least this many times torch 2.6's nn.* (same machine).
TORCH26_TARGET = 2.0
# PyTorch's own int8 answer, on the quantized engine the machine has (the child picks it and reports it).
QDYN = Column("qdyn", "quantize_dynamic int8", MODULE, ("--impl", "quantize_dynamic"), modes=("lstm", "gru"))
ENGINE_BF16 = Column("engine_bf16", "engine C++ bf16", "engine_bench", ("--precision", "bf16"))
ENGINE_INT8 = Column("engine_int8", "engine C++ int8", "engine_bench", ("--precision", "int8"))
REDUCED_MODULES = (MKLDNN_BF16, MKLDNN_INT8, QDYN)
REDUCED_ENGINES = (ENGINE_BF16, ENGINE_INT8)
PRECISIONS = ("fp32", "bf16", "int8")  # kernel_isa's arguments (kernel_isa_here)


def fallback_engines(isas):
    """The reduced-precision engine columns again, on the emulated inner products of CPUs without
    AVX512_BF16 / VNNI (or AVX-VNNI), for the seed rows: capped with MKLDNN_RNN_MAX_ISA to the base of the
    family in use, isas["fp32"] (kernel_isa_here(): avx512_core, or avx2 on a CPU without AVX-512 or under
    make bench-avx2), so that the fallback never raises a cap the environment set. A column is missing, with
    the reason, where its precision runs on that base already (its native column is that figure) or where
    there is no fused kernel."""
    base = isas["fp32"]
    columns = []
    for column in REDUCED_ENGINES:
        precision = _short(column)
        why = ("no fused kernel on this CPU (kernel_isa none)" if base == "none"
               else f"{precision} already runs on {base}, the fallback, here: `{column.title}` is that figure"
               if isas[precision] == base else "")
        columns.append(dataclasses.replace(column, key=f"{column.key}_fallback", title=f"{column.title} on {base}",
                                           env=(("MKLDNN_RNN_MAX_ISA", base),), unavailable=why))
    return tuple(columns)


# Issue 12's targets: each reduced precision's speed-up over our own fp32, through the module at T=15 and
# from the engine in C++ at T=1; and int8 over quantize_dynamic.
PRECISION_TARGETS = {"bf16": 1.7, "int8": 2.5}
INT8_VS_QDYN_TARGET = 5.0


@dataclasses.dataclass
class Group:
    """Rows measured with the same columns and protocol, written as one CSV, one chart, some tables."""

    name: str
    title: str
    rows: list  # (Shape, threads)
    columns: tuple
    protocol: runner.Protocol
    tables: list  # (title, report table)
    chart: tuple  # the columns drawn
    notes: object = None  # records -> lines of Markdown after the tables (or None)


@dataclasses.dataclass(frozen=True)
class Traffic:
    """One row of the real-traffic table: a section of measure_traffic.py, in its own child process."""

    section: str  # measure_traffic.py --section
    label: str
    ort_model: str = ""  # bench/onnx_peer.py's export of the same module, served the same requests


TRAFFIC_PROGRAM = "measure_traffic.py"
TRAFFIC = (Traffic("gru_stream", "(a) GRU stream", "gru_stream"), Traffic("lstm_stream", "(a') LSTM stream", "lstm_stream"),
           Traffic("packed", "(b) packed"), Traffic("first_call", "(c) first call"))
# A section serves every request however slow its first calls are: a generous limit, only against a hang.
TRAFFIC_TIMEOUT = 3600
# torch.nn at its best, as the seed table's "original (OpenBLAS 1 thr)" column: Debian's OpenBLAS thread
# pool fights PyTorch's OpenMP pool over the cores at batch > 1 (docs/performance.md, "Known effects").
TRAFFIC_ENV = (("OPENBLAS_NUM_THREADS", "1"),)


# --- derived cells --------------------------------------------------------------------------------

def _get(record, column):
    return record.get(column.key)


def _per(value, base):
    """value / base, or None when either is missing (a column that does not apply to the row)."""
    return value / base if value and base else None


def _binding_micros(record):
    """Per-call cost of the Python module over the same engine called from C++: Python, the PyTorch
    dispatcher, TorchBind and tensor allocation."""
    py, cpp = _per(1e6, _get(record, MKLDNN)), _per(1e6, _get(record, ENGINE["auto"]))
    return py - cpp if py and cpp else None


def _reduced_binding_micros(record, module, engine):
    """As _binding_micros, for a reduced-precision module and the engine packed with the same precision."""
    py, cpp = _per(1e6, _get(record, module)), _per(1e6, _get(record, engine))
    return py - cpp if py and cpp else None


def _error_cell(column):
    """The column's max |error| against fp32 torch.nn over the outputs (h_n is their last step), as in
    bench/accuracy.py; the CSV also has it over h_n and c_n ("_max_error") and the mean."""
    name = column.title.split()[-1] if column is not QDYN else "quantize_dynamic"
    return f"{name} max abs err", lambda r: report.error(r.get(f"{column.key}_max_error_output"))


def _fixed_rates(record):
    """The engine's rate with each fixed MKLDNN_RNN_IMPL, by impl."""
    return {impl: _get(record, ENGINE[impl]) for impl in IMPLS if impl != "auto" and _get(record, ENGINE[impl])}


def _fastest_fixed(record):
    fixed = _fixed_rates(record)
    return max(fixed, key=fixed.get) if fixed else report.MISSING


def _auto_vs_best(record):
    return _per(_get(record, ENGINE["auto"]), max(_fixed_rates(record).values(), default=None))


def _vs_best_original(record):
    return _per(_get(record, MKLDNN), max(_get(record, ORIGINAL) or 0, _get(record, ORIGINAL_BLAS1) or 0))


def _seed_ratio(record):
    cores = "all" if record["threads"] == ALL_CORES and ALL_CORES > 1 else record["threads"]
    ratio = SEED_RATIOS.get((record["T"], cores))
    return report.ratio(ratio)


def _rate_cell(column):
    return column.title, lambda r: report.rate(_get(r, column))


def _kernel_cell(title, column):
    """The kernel that served the column's cell (measure_module.py's and engine_bench's "kernel")."""
    return title, lambda r: r.get(f"{column.key}_kernel") or report.MISSING


def _kernels_cell(title, labelled):
    """The kernels of several columns in one cell, each after its label: "fp32: fused avx2; bf16: ..."."""
    return title, lambda r: "; ".join(f"{label}: {r[c.key + '_kernel']}" for label, c in labelled
                                      if r.get(c.key + "_kernel")) or report.MISSING


_STEPS = ("time_step", lambda r: str(r["T"]))
_CORES = ("cores", lambda r: str(r["threads"]))
_SHAPE = ("shape", lambda r: r["label"])
_VS_ORIGINAL = ("mkldnn vs original", lambda r: report.ratio(_per(_get(r, MKLDNN), _get(r, ORIGINAL))))
_BINDING = ("Python binding µs/call", lambda r: report.micros(_binding_micros(r)))
_AUTO_VS_BEST = ("auto / best fixed", lambda r: report.ratio(_auto_vs_best(r)))
_FASTEST = ("fastest fixed", _fastest_fixed)
_MKLDNN_KERNEL = _kernel_cell("mkldnn kernel", MKLDNN)
_ENGINE_KERNEL = _kernel_cell("engine kernel", ENGINE["auto"])

SEED_TABLE = [_STEPS, _CORES, *map(_rate_cell, (ORIGINAL, MKLDNN, ORIGINAL_JEMALLOC, MKLDNN_JEMALLOC)),
              _VS_ORIGINAL, ("jemalloc boost", lambda r: report.ratio(_per(_get(r, MKLDNN_JEMALLOC), _get(r, MKLDNN)))),
              ("seed ratio", _seed_ratio), _MKLDNN_KERNEL]
PEERS_TABLE = [_STEPS, _CORES, *map(_rate_cell, (ORIGINAL, ORIGINAL_BLAS1, MKLDNN, *PEERS, ORT)),
               ("mkldnn / ORT", lambda r: report.ratio(_per(_get(r, MKLDNN), _get(r, ORT)))),
               ("mkldnn µs/call", lambda r: report.micros(_per(1e6, _get(r, MKLDNN)))),
               ("engine µs/call", lambda r: report.micros(_per(1e6, _get(r, ENGINE["auto"])))),
               _BINDING, _AUTO_VS_BEST, _FASTEST, _MKLDNN_KERNEL, _ENGINE_KERNEL]


def _vs(column, base, title=None):
    return (title or f"{column.title} / {base.title}", lambda r: report.ratio(_per(_get(r, column), _get(r, base))))


def _short(column):
    """bf16, int8, quantize_dynamic: the precision a reduced column's ratio titles name it by."""
    return "quantize_dynamic" if column is QDYN else "bf16" if "bf16" in column.key else "int8"


def reduced_table(first, seed_ratio):
    """Reduced precision through the module: each precision's rate, its max |error| against fp32 torch.nn,
    and its ratio to our fp32 module and to the fp32 original; quantize_dynamic beside."""
    table = [*first, _rate_cell(ORIGINAL_FP32), _rate_cell(MKLDNN_FP32)]
    for column in (MKLDNN_BF16, MKLDNN_INT8):
        table += [_rate_cell(column), _error_cell(column), _vs(column, MKLDNN, f"{_short(column)} / mkldnn fp32"),
                  _vs(column, ORIGINAL, f"{_short(column)} / original fp32")]
    table += [_rate_cell(QDYN), _error_cell(QDYN), _vs(QDYN, ORIGINAL, "quantize_dynamic / original fp32"),
              _vs(MKLDNN_INT8, QDYN, "int8 / quantize_dynamic"), ("mkldnn fp32 vs original", _VS_ORIGINAL[1])]
    if seed_ratio:
        table.append(("seed ratio (fp32 design)", _seed_ratio))
    table.append(_kernels_cell("mkldnn kernels", [("fp32", MKLDNN), ("bf16", MKLDNN_BF16), ("int8", MKLDNN_INT8)]))
    return table


def engine_table(first, ort, fallback):
    """The engine from C++ in each precision (and on the emulated inner products: the `fallback` columns,
    fallback_engines()), and what the module costs over it per call; with `ort`, each precision against
    ONNX Runtime (fp32)."""
    table = [*first, _rate_cell(ENGINE_FP32)]
    for column in REDUCED_ENGINES:
        table += [_rate_cell(column), _vs(column, ENGINE_FP32, f"{_short(column)} / engine fp32")]
    for column in fallback:
        table += [_rate_cell(column), _vs(column, ENGINE_FP32, f"{_short(column)} on {_cap(column)} / engine fp32")]
    table += [("fp32 binding µs/call", _BINDING[1])]
    for module, engine in zip((MKLDNN_BF16, MKLDNN_INT8), REDUCED_ENGINES):
        table.append((f"{module.title} binding µs/call",
                      lambda r, m=module, e=engine: report.micros(_reduced_binding_micros(r, m, e))))
    if ort:
        table.append(_rate_cell(ORT_FP32))
        table += [_vs(c, ORT, f"{_short(c)} / ORT fp32 (reduced precision vs ORT fp32)")
                  for c in (MKLDNN_BF16, MKLDNN_INT8)]
    table.append(("inner products (kernel_isa)", _isas))
    table.append(_kernels_cell("engine kernels", [("fp32", ENGINE_FP32), *((_short(c), c) for c in REDUCED_ENGINES),
                                                  *((f"{_short(c)} on {_cap(c)}", c) for c in fallback)]))
    return table


def _cap(column):
    """The MKLDNN_RNN_MAX_ISA a column runs under ("" for none)."""
    return dict(column.env).get("MKLDNN_RNN_MAX_ISA", "")


def _isas(record):
    """The instructions each reduced precision ran on, as the engine reports them (MKLDNN_RNN_MAX_ISA caps)."""
    found = [f"{_short(c)}: {record[c.key + '_isa']}" for c in (*REDUCED_ENGINES, *REDUCED_MODULES)
             if record.get(c.key + "_isa")]
    return ", ".join(dict.fromkeys(found)) or report.MISSING


def stack_table(first):
    """Debian 12's stack beside Debian 13's (issue 20): torch 2.6's nn.* against ours, and the same oneDNN
    paths on oneDNN 3.7 against 2.6."""
    table = [*first, _rate_cell(dataclasses.replace(ORIGINAL, title="torch 1.13 nn")), _rate_cell(ORIGINAL_TORCH26),
             _rate_cell(MKLDNN), _vs(MKLDNN, ORIGINAL_TORCH26, f"mkldnn / torch 2.6 nn (target ≥ {TORCH26_TARGET:.0f})"),
             _rate_cell(MKLDNN_DEBIAN13), _vs(MKLDNN_DEBIAN13, MKLDNN, "mkldnn Debian 13 / Debian 12")]
    for impl in ONEDNN_IMPLS:
        table += [_rate_cell(ENGINE[impl]), _rate_cell(ENGINE_DEBIAN13[impl]),
                  _vs(ENGINE_DEBIAN13[impl], ENGINE[impl], f"{impl}: oneDNN 3.7 / 2.6")]
    for weights, column in ONEDNN.items():
        table += [_rate_cell(column), _rate_cell(ONEDNN_DEBIAN13[weights]),
                  _vs(ONEDNN_DEBIAN13[weights], column, f"direct {weights}: oneDNN 3.7 / 2.6")]
    return table


WIDE_TABLE = [_SHAPE, _CORES, *map(_rate_cell, (ORIGINAL, ORIGINAL_BLAS1, MKLDNN)),
              ("mkldnn vs best original", lambda r: report.ratio(_vs_best_original(r))), *map(_rate_cell, PEERS),
              _BINDING, _AUTO_VS_BEST, _FASTEST, _MKLDNN_KERNEL, _ENGINE_KERNEL]


def _traffic_cell(key, format=report.micros):
    """A field of a traffic record, or MISSING in the rows whose section does not measure it."""
    return lambda r: report.MISSING if r.get(key) is None else format(r[key])


def _with_times(ratio_key, first_key, second_key, unit):
    """A ratio beside the two times it divides, e.g. "21.48 (67.7 / 3.2 ms)"."""
    def cell(r):
        if ratio_key not in r:
            return report.MISSING
        return f"{report.ratio(r[ratio_key])} ({report.micros(r[first_key])} / {report.micros(r[second_key])} {unit})"
    return cell


TRAFFIC_TABLE = [
    ("traffic", lambda r: r["label"]), ("calls", _traffic_cell("calls", str)), ("shapes", _traffic_cell("shapes", str)),
    ("original s", _traffic_cell("original_total_s")), ("mkldnn s", _traffic_cell("mkldnn_total_s")),
    ("original / mkldnn", _traffic_cell("ratio", report.ratio)),
    ("original p50 ms", _traffic_cell("original_p50_ms")), ("original p99 ms", _traffic_cell("original_p99_ms")),
    ("mkldnn p50 ms", _traffic_cell("mkldnn_p50_ms")), ("mkldnn p99 ms", _traffic_cell("mkldnn_p99_ms")),
    ("mkldnn s in first calls of a shape", _traffic_cell("mkldnn_new_shape_s")),
    ("ORT s", _traffic_cell("ort_total_s")), ("ORT p99 ms", _traffic_cell("ort_p99_ms")),
    ("mkldnn alone s", _traffic_cell("mkldnn_alone_total_s")), ("mkldnn alone p99 ms", _traffic_cell("mkldnn_alone_p99_ms")),
    ("ORT / mkldnn alone", _traffic_cell("ort_ratio", report.ratio)),
    ("torch 2.6 nn s (Debian 13)", _traffic_cell("torch26_total_s")), ("torch 2.6 p99 ms", _traffic_cell("torch26_p99_ms")),
    (f"torch 2.6 / mkldnn (target ≥ {TORCH26_TARGET:.0f})", _traffic_cell("torch26_ratio", report.ratio)),
    ("mkldnn on Debian 13 s", _traffic_cell("debian13_mkldnn_total_s")),
    ("packed / padded (mkldnn s)", _with_times("packed_vs_padded", "mkldnn_total_s", "mkldnn_padded_total_s", "s")),
    ("new / seen length (median ms)", _with_times("new_vs_seen", "new_p50_ms", "seen_p50_ms", "ms")),
    ("process s", _traffic_cell("seconds")),
    ("mkldnn kernels", _traffic_cell("mkldnn_kernels", str)),
]
# The chart's bars: one ratio per row (the y axis is logarithmic, so the three scales sit together).
TRAFFIC_CHART = {"original / mkldnn (total time)": "ratio", "torch 2.6 / mkldnn (total time)": "torch26_ratio", "ORT / mkldnn alone (total time)": "ort_ratio", "mkldnn packed / padded (total time)": "packed_vs_padded",
                 "first call: new / seen length (median)": "new_vs_seen"}


# --- the groups -----------------------------------------------------------------------------------

def seed_group(fallback):
    """The original design's rows; `fallback`: fallback_engines() for this CPU and environment."""
    rows = [(Shape(steps=steps), threads) for steps in (15, 1) for threads in THREADS]
    # The reduced-precision cells of a row run right after the fp32 ones they are divided by.
    columns = (ORIGINAL, MKLDNN, *REDUCED_MODULES, ORIGINAL_JEMALLOC, MKLDNN_JEMALLOC, ORIGINAL_BLAS1,
               ENGINE["auto"], *REDUCED_ENGINES, *fallback, *(ENGINE[impl] for impl in IMPLS if impl != "auto"),
               *ONEDNN.values(), ORT, *STACK_COLUMNS)
    return Group(
        "seed", "LSTM 250->200, batch 1: the original design's table", rows, columns, runner.Protocol(),
        [("Sentences/s (forward calls/s), the original design's columns", SEED_TABLE),
         ("Where the time goes: the same rows beside the C++ peers (calls/s)", PEERS_TABLE),
         ("Reduced precision (issue 12) through the module: bf16 and int8 beside fp32 (calls/s; "
          "max abs err against fp32 nn.LSTM)", reduced_table([_STEPS, _CORES], seed_ratio=True)),
         ("Reduced precision from the engine in C++ (natively and on the fallback MKLDNN_RNN_MAX_ISA="
          f"{_cap(fallback[0])}), the module's binding cost per call, and against ONNX Runtime (fp32)",
          engine_table([_STEPS, _CORES], ort=True, fallback=fallback)),
         ("Today's stack (issue 20): Debian 13's torch 2.6 nn.LSTM and our build on its oneDNN 3.7, beside Debian 12's "
          "(calls/s; in the Debian 13 root, one process per cell as every cell)", stack_table([_STEPS, _CORES]))],
        (ORIGINAL, ORIGINAL_TORCH26, MKLDNN, *REDUCED_MODULES, ORIGINAL_JEMALLOC, MKLDNN_JEMALLOC, ENGINE["auto"],
         *REDUCED_ENGINES, *ONEDNN.values(), ORT),
        notes=precision_notes)


def packed_lengths(batch, steps, seed=0):
    """Lengths uniform in 1..T, the first one T (the padded batch is exactly T long)."""
    draw = random.Random(seed)
    return (steps, *(draw.randint(1, steps) for _ in range(batch - 1)))


def extra_groups():
    """--all: shorter runs per cell (0.2 s x 5) to keep the whole run near 12 minutes."""
    protocol = runner.Protocol(warmup=0.2, seconds=0.2, repeats=5)
    columns = (ORIGINAL, ORIGINAL_BLAS1, MKLDNN, *PEERS)
    chart = (ORIGINAL, MKLDNN, ENGINE["auto"], *ONEDNN.values())
    modes = [(Shape(mode, steps, batch), threads) for mode in ("lstm", "gru", "rnn") for batch in (1, 4, 16)
             for steps in (15, 1) for threads in THREADS if (mode, batch) != ("lstm", 1)]
    deepbench = [(Shape(mode, steps, batch, hidden, hidden), threads)
                 for mode, steps, hidden in (("lstm", 25, 512), ("lstm", 25, 1024), ("gru", 1, 512))
                 for batch in (1, 4) for threads in THREADS]
    packed = [(Shape(mode, 25, 16, lengths=packed_lengths(16, 25)), threads)
              for mode in ("lstm", "gru") for threads in THREADS]
    wide = "Forward calls/s (a call runs N sequences)"
    precision_rows = [(Shape(mode, steps), threads) for mode in ("gru", "rnn") for steps in (15, 1)
                      for threads in THREADS]
    precision_columns = (ORIGINAL, MKLDNN, *REDUCED_MODULES, ENGINE["auto"], *REDUCED_ENGINES)
    return [
        Group("modes", "LSTM, GRU, RNN at 250->200, batch 1/4/16 (LSTM batch 1: see the seed table)",
              modes, columns, protocol, [(wide, WIDE_TABLE)], chart),
        Group("deepbench", "DeepBench inference shapes (input = hidden)", deepbench, columns, protocol,
              [(wide, WIDE_TABLE)], chart),
        Group("packed", "Packed variable-length batches: PackedSequence (enforce_sorted=False), lengths "
              f"{packed_lengths(16, 25)}", packed, columns, protocol, [(wide, WIDE_TABLE)],
              (ORIGINAL, MKLDNN, *ENGINE.values())),
        Group("precision_modes", "GRU and RNN (tanh) at 250->200, batch 1, in bf16 and int8 (issue 12; LSTM: "
              "see the seed table)", precision_rows, precision_columns, protocol,
              [("Reduced precision through the module (calls/s; max abs err against fp32 torch.nn)",
                reduced_table([_SHAPE, _CORES], seed_ratio=False)),
               ("Reduced precision from the engine in C++, and the module's binding cost per call",
                engine_table([_SHAPE, _CORES], ort=False, fallback=()))],
              precision_columns,
              notes=lambda records, unavailable: precision_notes(records, unavailable, targets=False)),
    ]


# --- measuring ------------------------------------------------------------------------------------

class Bench:
    def __init__(self, build_dir, total_cells, ort, stack):
        self.build_dir = build_dir
        self.total = total_cells
        self.done = 0
        self.ort = ort  # onnx_peer.Status: ready, or missing and why
        self.stack = stack  # debian13.Status: the Debian 13 root is built, or missing and why
        self.unavailable = {}  # column title -> why a reduced-precision child could not run here
        self.records = {}  # group name (and "traffic") -> its records, for the targets at the end

    def argv(self, program, args, stack=""):
        if stack == DEBIAN13:
            return debian13.argv(program, args)
        if program.endswith(".py"):
            return [sys.executable, str(Path(__file__).with_name(program)), *args]
        path = self.build_dir / "bench" / program
        if not path.exists():
            raise runner.ChildError(f"{path} is missing: build first (make build)")
        return [str(path), *args]

    def measure_cell(self, column, shape, threads, protocol):
        self.done += 1
        print(f"[{self.done:3d}/{self.total}] {shape.label()}, {threads} thr | {column.title:<26}", end="", flush=True)
        start = time.monotonic()
        if column.program == ORT_PROGRAM:
            result = onnx_peer.seed_rate(self.ort, shape.steps, threads, protocol)
            if result is None:
                print(f"  missing: {self.ort}", flush=True)
                return None
            print(f"{result['rate']:9.0f}/s ({result['rate_min']:.0f}-{result['rate_max']:.0f})"
                  f"  {time.monotonic() - start:4.1f} s", flush=True)
            return result
        if column.stack and not self.stack.ok:
            print(f"  {self.stack}", flush=True)
            return None
        if column.unavailable:
            print(f"  missing: {column.unavailable}", flush=True)
            self.unavailable[column.title] = column.unavailable
            return None
        args = [*shape.flags(), *column.flags, *protocol.flags()]
        if column.program == MODULE:
            args += ["--threads", str(threads)]
        env = (*column.env, *(debian13.env() if column.stack else ()))
        result = runner.run_child(self.argv(column.program, args, column.stack), threads=threads,
                                  jemalloc=column.jemalloc, impl=column.impl, extra_env=env)
        if "unavailable" in result:  # a reduced precision this machine cannot run: the cell stays empty
            print(f"  missing: {result['unavailable']}", flush=True)
            self.unavailable[column.title] = result["unavailable"]
            return None
        check_blas(result)
        # A column capped to its family's base ISA (fallback_engines) is measured on exactly that ISA.
        if _cap(column) and result.get("isa") != _cap(column):
            raise runner.ChildError(f"{column.title}: ran on {result.get('isa')}, expected {_cap(column)}: "
                                    f"MKLDNN_RNN_MAX_ISA={_cap(column)} was not applied")
        error = f"  max |err| {result['max_error']:.1e}" if "max_error" in result else ""
        if "quantized_engine" in result:
            error += f" (quantized engine {result['quantized_engine']})"
        kernel = f"  [{result['kernel']}]" if "kernel" in result else ""
        print(f"{result['rate']:9.0f}/s ({result['rate_min']:.0f}-{result['rate_max']:.0f})"
              f"  {time.monotonic() - start:4.1f} s{error}{kernel}", flush=True)
        return result

    def measure_group(self, group):
        print(f"== {group.title}", flush=True)
        records = []
        for shape, threads in group.rows:
            record = {"label": shape.label(), "mode": shape.mode, "T": shape.steps, "batch": shape.batch,
                      "input": shape.input, "hidden": shape.hidden,
                      "lengths": ",".join(map(str, shape.lengths)) or "full", "threads": threads}
            # All columns of a row run back to back, so that their ratios see the same machine state.
            for column in group.columns:
                if not column.applies_to(shape, threads):
                    continue
                result = self.measure_cell(column, shape, threads, group.protocol)
                if result is None:  # a peer that could not run here: its cells stay empty
                    continue
                record.update({column.key: result["rate"], f"{column.key}_min": result["rate_min"],
                               f"{column.key}_max": result["rate_max"]})
                for field in ("impl", "kernel"):  # MKLDNN_RNN_IMPL, and what the engine decided under it
                    if field in result:
                        record[f"{column.key}_{field}"] = result[field]
                # Reduced precision: what ran and how far from fp32 torch.nn (measure_module.py, engine_bench).
                for field in ("precision", "isa", "max_error", "mean_error", "max_error_output"):
                    if field in result and not (field == "precision" and result[field] == "fp32"):
                        record[f"{column.key}_{field}"] = result[field]
                if "quantized_engine" in result:
                    record["quantized_engine"] = result["quantized_engine"]
            records.append(record)
        return records

    def measure_traffic(self, row, impl):
        """One traffic section on all cores; its record is the child's JSON plus the row's label."""
        self.done += 1
        print(f"[{self.done:3d}/{self.total}] real traffic {row.label}, {ALL_CORES} thr, MKLDNN_RNN_IMPL={impl} ",
              end="", flush=True)
        result = runner.run_child(self.argv(TRAFFIC_PROGRAM, ["--section", row.section, "--threads", str(ALL_CORES)]),
                                  threads=ALL_CORES, impl=impl, extra_env=TRAFFIC_ENV, timeout=TRAFFIC_TIMEOUT)
        check_blas(result)
        summary = (f"original/mkldnn {result['ratio']:.2f}" if "ratio" in result
                   else f"new/seen {result['new_vs_seen']:.2f}")
        print(f"{result['calls']} calls, {summary}  {result['seconds']:.1f} s  [{result['mkldnn_kernels']}]",
              flush=True)
        shapes = result.pop("request_shapes", None)
        if row.ort_model and shapes:
            # The same requests, in their own Node process (ORT cannot share ours), on the same threads;
            # and ours alone in a process of its own, as ORT is (measure_traffic.py --alone).
            ort = onnx_peer.stream(self.ort, row.ort_model, shapes, ALL_CORES)
            if ort is None:
                print(f"    ONNX Runtime: missing: {self.ort}", flush=True)
            else:
                alone = runner.run_child(self.argv(TRAFFIC_PROGRAM, ["--section", row.section, "--threads", str(ALL_CORES),
                                                                     "--alone"]),
                                         threads=ALL_CORES, impl=impl, extra_env=TRAFFIC_ENV, timeout=TRAFFIC_TIMEOUT)
                result.update(ort_total_s=ort["total_s"], ort_p50_ms=ort["p50_ms"], ort_p99_ms=ort["p99_ms"],
                              mkldnn_alone_total_s=alone["mkldnn_total_s"], mkldnn_alone_p99_ms=alone["mkldnn_p99_ms"],
                              ort_ratio=ort["total_s"] / alone["mkldnn_total_s"])
                print(f"    ONNX Runtime: {ort['total_s']:.1f} s; mkldnn_rnn alone {alone['mkldnn_total_s']:.1f} s; "
                      f"ORT/mkldnn {result['ort_ratio']:.2f}", flush=True)
        if "original_total_s" in result:
            self.traffic_on_debian13(row, impl, result)
        return {"label": row.label, **result}

    def traffic_on_debian13(self, row, impl, result):
        """The same section in the Debian 13 root: torch 2.6's nn.* against our build there, interleaved
        as here; torch 2.6's total is divided by ours on this machine's stack (result)."""
        if not self.stack.ok:
            print(f"    torch 2.6 (Debian 13): {self.stack}", flush=True)
            return
        there = runner.run_child(self.argv(TRAFFIC_PROGRAM, ["--section", row.section, "--threads", str(ALL_CORES)], DEBIAN13),
                                 threads=ALL_CORES, impl=impl, extra_env=(*TRAFFIC_ENV, *debian13.env()),
                                 timeout=TRAFFIC_TIMEOUT)
        check_blas(there)
        result.update(torch26_total_s=there["original_total_s"], torch26_p99_ms=there["original_p99_ms"],
                      debian13_mkldnn_total_s=there["mkldnn_total_s"],
                      torch26_ratio=there["original_total_s"] / result["mkldnn_total_s"])
        print(f"    torch {there['torch']} nn (Debian 13): {there['original_total_s']:.1f} s, torch 2.6/mkldnn "
              f"{result['torch26_ratio']:.2f}; mkldnn on Debian 13 {there['mkldnn_total_s']:.1f} s", flush=True)

    def bandwidth(self, nbytes):
        """(GB/s one core reads from a buffer of nbytes, rounded up to the probe's 512-byte stride; the
        vectors it read with, "avx512" or "avx2": the widest the CPU has and MKLDNN_RNN_MAX_ISA allows)."""
        nbytes = -(-nbytes // 512) * 512
        print(f"[probe] l2_bandwidth {nbytes} bytes, 1 thr ", end="", flush=True)
        result = runner.run_child(self.argv("l2_bandwidth", ["--bytes", str(nbytes), *runner.Protocol().flags()]),
                                  threads=1)
        print(f"{result['gb_per_s']:.1f} GB/s ({result['isa']})", flush=True)
        return result["gb_per_s"], result["isa"]

    def fma_rate(self):
        """(fp32 multiply-adds per second, in G, one core completes; the vectors, as bandwidth's)."""
        print("[probe] fma_throughput, 1 thr ", end="", flush=True)
        result = runner.run_child(self.argv("fma_throughput", runner.Protocol().flags()), threads=1)
        print(f"{result['gfma_per_s']:.1f} G multiply-adds/s ({result['isa']})", flush=True)
        return result["gfma_per_s"], result["isa"]


def check_blas(result):
    if "blas" in result and not any("openblas" in lib or "mkl" in lib for lib in result["blas"]):
        raise runner.ChildError(f"PyTorch runs on the reference BLAS {result['blas']}: "
                                "apt-get install libopenblas0-pthread, or nn.LSTM is 10x too slow")


def group_section(bench, group, out):
    """Measures a group; writes its CSV and chart; returns bench.md's section."""
    records = bench.records[group.name] = bench.measure_group(group)
    report.write_csv(out / f"{group.name}.csv", records)
    report.bar_chart(out / f"{group.name}.png", group.title, [f"{r['label']}, {r['threads']} thr" for r in records],
                     {c.title: [_get(r, c) for r in records] for c in group.chart}, "forward calls/s")
    p = group.protocol
    lines = ["", f"## {group.title}", "",
             f"Protocol: {p.warmup} s warm-up, median of {p.repeats} runs of {p.seconds} s each."]
    for title, table in group.tables:
        lines += ["", f"### {title}", "", report.markdown(table, records)]
    if group.notes:
        lines += ["", *group.notes(records, bench.unavailable)]
    return lines


def real_traffic(bench, out):
    """Measures the traffic rows; writes traffic.csv and traffic.png; returns bench.md's section."""
    impl = os.environ.get("MKLDNN_RNN_IMPL", "auto")  # what the user runs with, as a user's server would
    print(f"== Real traffic: shapes that change from call to call, MKLDNN_RNN_IMPL={impl}", flush=True)
    started = time.monotonic()
    records = bench.records["traffic"] = [bench.measure_traffic(row, impl) for row in TRAFFIC]
    elapsed = time.monotonic() - started
    report.write_csv(out / "traffic.csv", records)
    report.bar_chart(out / "traffic.png", f"Real traffic, {ALL_CORES} threads, MKLDNN_RNN_IMPL={impl}",
                     [r["label"] for r in records],
                     {name: [r.get(key) for r in records] for name, key in TRAFFIC_CHART.items()}, "ratio")
    return [
        "", "## Real traffic: shapes that change from call to call", "",
        f"Each row is one fresh process (`bench/measure_traffic.py`, seed {records[0]['seed']}) on {ALL_CORES} "
        "threads that serves every request to mkldnn_rnn.to_mkldnn(module) and to the torch.nn module, "
        "interleaved (torch.nn first on even requests, second on odd), with no warm-up and no tuning: "
        "the first call of every new shape counts, as for a new user. Times are sums of per-call "
        "perf_counter times; p50/p99 are per-request latencies; every result of ours is checked against "
        "torch.nn's. ONNX Runtime serves the same requests alone in a Node process, so the figure it is "
        "divided by is ours alone too ('mkldnn alone': the same requests in a process of its own, without "
        "torch.nn's calls in between, every 10th result checked; see bench/measure_traffic.py --alone). "
        "'mkldnn kernels': the distinct kernels the converted model's decisions took over the stream, each "
        "with its count of decisions (shape classes of a layer and direction). "
        f"The {len(records)} sections took {elapsed:.0f} s.",
        "",
        f"### Real traffic (MKLDNN_RNN_IMPL={impl}, {ALL_CORES} threads; in (b), 'padded' is our module called "
        "on the dense padded [T, 32, 300] tensor of the same batch, without lengths)",
        "", report.markdown(TRAFFIC_TABLE, records), "",
        *(f"- {r['label']}: {r['workload']}" for r in records),
    ]


def ort_note(status, threads):
    """What the ONNX Runtime columns are, or why they are missing; with the Node binding's cost per call."""
    if not status.ok:
        return f"ONNX Runtime columns: missing ({status})."
    overhead = ", ".join(f"{us:.1f} µs on {t} thr" for t in threads
                         if (us := onnx_peer.binding_overhead_us(status, t)) is not None)
    return (f"ONNX Runtime columns: {status} (models exported with torch.onnx.export, opset 14, dynamic T and "
            f"batch; intra-op threads = the row's threads). Each call through onnxruntime-node costs "
            f"{overhead} before any work (an identity model), included in its figures, not subtracted. "
            "ORT has no PackedSequence: its traffic rows are the dense streams (a), (a').")


def stack_note(status):
    """What the Debian 13 columns are, or why they are missing."""
    if not status.ok:
        return f"Debian 13 columns (torch 2.6, oneDNN 3.7): missing ({status})."
    return (f"Debian 13 columns: {status}; each cell is a child process in that root (`mk/debian13.sh -- ...`, "
            "bench/debian13.py), on the same cores, right after this machine's cells of its row. 'torch 2.6 nn' "
            "is Debian 13's own nn.LSTM (torch 2.x runs fp32 nn.LSTM on oneDNN); 'on Debian 13' / 'on oneDNN 3.7' is "
            "this tree built there. In the traffic rows the Debian 13 process serves the same requests to "
            "torch 2.6's module and to ours built there, interleaved; 'torch 2.6 / mkldnn' divides its torch 2.6 "
            "total by our total on this machine's stack.")


# The variables that cap the instruction sets of what the benchmark runs (make bench-avx2 sets them all),
# each with what reads it. Both spellings of oneDNN's: 2.x reads DNNL_ and ONEDNN_, 3.x prefers ONEDNN_.
ISA_CAPS = (("MKLDNN_RNN_MAX_ISA", "mkldnn_rnn's kernels, and the hardware-ceiling probes"),
            ("DNNL_MAX_CPU_ISA", "oneDNN: the oneDNN-direct cells, our plain_ldigo and onednn_preferred, torch's "
                                 "oneDNN"),
            ("ONEDNN_MAX_CPU_ISA", "oneDNN 3.x's spelling of the same, for the Debian 13 cells"),
            ("ATEN_CPU_CAPABILITY", "torch's own vectorized kernels"))
# Why the ONNX Runtime columns stay as the CPU allows under those caps.
ORT_UNCAPPED = ("ONNX Runtime is not capped: MLAS, its CPU kernels, picks them from CPUID when the library "
                "loads (onnxruntime/core/mlas/lib/platform.cpp) and reads no environment variable or session "
                "option for it; only a build without its AVX-512 kernels could cap it, and onnxruntime-node's "
                "library is npm's prebuilt one. Its columns run with every instruction this CPU has, so ratios "
                "against ORT favour it in this run.")


def kernel_isa_here():
    """kernel_isa of each precision as mkldnn_rnn answers it under this environment, by precision: in a
    child, as every measurement, since MKLDNN_RNN_MAX_ISA is read once per process."""
    code = ("import json, sys, torch, mkldnn_rnn; print(json.dumps({'threads': torch.get_num_threads(), "
            "**{p: mkldnn_rnn.kernel_isa(p) for p in sys.argv[1:]}}))")
    result = runner.run_child([sys.executable, "-c", code, *PRECISIONS], threads=1)
    return {p: result[p] for p in PRECISIONS}


def cap_note(isas, coretype_given):
    """bench.md's opening words when the environment caps instruction sets (ISA_CAPS; make bench-avx2), or
    "": which variables, what each caps (with OPENBLAS_CORETYPE when the environment gave it), what our
    kernels run on under them, and that ORT is not capped."""
    caps = [(name, os.environ[name], what) for name, what in ISA_CAPS if os.environ.get(name)]
    if not caps:
        return ""
    levels = {value.lower() for _, value, _ in caps}
    head = f"**This run is capped to {levels.pop().upper()}**" if len(levels) == 1 else "**This run is capped**"
    if coretype_given:
        caps.append(("OPENBLAS_CORETYPE", coretype_given, "torch.nn's OpenBLAS"))
    listed = "; ".join(f"{name}={value} ({what})" for name, value, what in caps)
    return (f"{head} by the environment, as a CPU with no more than that would run it: {listed}. Under it our "
            f"kernels run on fp32 {isas['fp32']}, bf16 {isas['bf16']}, int8 {isas['int8']} (kernel_isa). "
            f"{ORT_UNCAPPED} ")


def stack_targets(records):
    """Issue 20's targets, on the rows this run measured: ours against torch 2.6's nn.* on every seed and
    traffic row."""
    lines = ["", "## Targets of issue 20: against Debian 13's torch 2.6 (same machine, same run)", "",
             "| target | bound | this run | met |", "|---|---|---|---|"]
    for r in records.get("seed", []):
        lines.append(_check(f"mkldnn / torch 2.6 nn, LSTM T={r['T']}, {r['threads']} thr",
                            _per(_get(r, MKLDNN), _get(r, ORIGINAL_TORCH26)), TORCH26_TARGET,
                            f"{report.rate(_get(r, MKLDNN))} / {report.rate(_get(r, ORIGINAL_TORCH26))}"))
    for r in records.get("traffic", []):
        if "original_total_s" in r:
            lines.append(_check(f"torch 2.6 / mkldnn total time, {r['label']}", r.get("torch26_ratio"), TORCH26_TARGET,
                                f"{report.micros(r.get('torch26_total_s'))} / {report.micros(r['mkldnn_total_s'])} s"))
    return lines


def precision_notes(records, unavailable, targets=True):
    """What the reduced-precision columns are, which quantized engine and instructions ran, why a column
    is empty; with `targets`, issue 12's targets checked on the seed rows."""
    engines = sorted({r["quantized_engine"] for r in records if r.get("quantized_engine")})
    lines = [
        "Reduced precision: `mkldnn bf16` is `mkldnn_rnn.to_mkldnn(model, torch.bfloat16)`, `mkldnn int8` is "
        "`to_mkldnn(model, torch.qint8)` (weights quantized per output row), both called on the same fp32 "
        "input and giving fp32 out; `engine C++ bf16/int8` is `PackedRnn::pack` with `EngineOptions::precision`; "
        "`quantize_dynamic int8` is `torch.ao.quantization.quantize_dynamic(model, dtype=torch.qint8)` on "
        f"torch's quantized engine `{', '.join(engines) or 'none'}` (torch.backends.quantized.engine, the first "
        "of x86, fbgemm, onednn, qnnpack this torch supports). max abs err: the largest |difference| from the "
        "fp32 torch.nn module over every element of the output (h_n is its last step; the CSV has h_n and c_n "
        "too, and the mean) for 8 unit-normal inputs of the row's shape (torch's default init, seed 0); "
        "bench/accuracy.py has max and mean per mode. "
        "'fp32 design' ratios are the original design's fp32 ones: a reduced-precision figure never stands "
        "in an fp32 column.",
    ]
    lines += [f"- `{title}`: missing here ({why})." for title, why in unavailable.items()]
    if targets:
        lines += ["", "#### Targets of issue 12 (LSTM 250->200, batch 1)", "", *precision_targets(records)]
    return lines


def _row(records, steps, threads):
    return next((r for r in records if r["T"] == steps and r["threads"] == threads), None)


def _check(target, value, bound, detail=""):
    """One line of the targets table: value >= bound (a missing value is not met)."""
    met = "–" if value is None else "yes" if value >= bound else "**no**"
    shown = report.ratio(value) + (f" ({detail})" if detail else "")
    return f"| {target} | ≥ {bound:.2f} | {shown} | {met} |"


def precision_targets(records):
    lines = ["| target | bound | this run | met |", "|---|---|---|---|"]
    cores = [(ALL_CORES, "all cores")] if ALL_CORES > 1 else []
    cores.append((1, "one core"))
    for name, module, engine in (("bf16", MKLDNN_BF16, ENGINE_BF16), ("int8", MKLDNN_INT8, ENGINE_INT8)):
        bound = PRECISION_TARGETS[name]
        for threads, where in cores:
            r = _row(records, 15, threads) or {}
            lines.append(_check(f"{name} / mkldnn fp32, module, T=15, {where}",
                                _per(_get(r, module), _get(r, MKLDNN)), bound,
                                f"{report.rate(_get(r, module))} / {report.rate(_get(r, MKLDNN))}"))
        for threads, where in cores:
            r = _row(records, 1, threads) or {}
            binding = report.micros(_reduced_binding_micros(r, module, engine))
            lines.append(_check(f"{name} / engine fp32, engine in C++, T=1, {where}",
                                _per(_get(r, engine), _get(r, ENGINE["auto"])), bound,
                                f"{report.rate(_get(r, engine))} / {report.rate(_get(r, ENGINE['auto']))}; the "
                                f"module's binding costs {binding} µs/call beside, module {name} "
                                f"{report.ratio(_per(_get(r, module), _get(r, MKLDNN)))}×"))
    for r in records:
        lines.append(_check(f"int8 / quantize_dynamic, module, T={r['T']}, {r['threads']} thr",
                            _per(_get(r, MKLDNN_INT8), _get(r, QDYN)), INT8_VS_QDYN_TARGET,
                            f"{report.rate(_get(r, MKLDNN_INT8))} / {report.rate(_get(r, QDYN))}"))
    for (steps, cores_key), bound in SEED_RATIOS.items():
        threads = ALL_CORES if cores_key == "all" else cores_key
        if cores_key == "all" and ALL_CORES == 1:
            continue
        r = _row(records, steps, threads) or {}
        bf16, int8 = (_per(_get(r, c), _get(r, ORIGINAL)) for c in (MKLDNN_BF16, MKLDNN_INT8))
        best = max((v for v in (bf16, int8) if v is not None), default=None)
        lines.append(_check(f"bf16 or int8 / original fp32 (seed ratio), module, T={steps}, {threads} thr",
                            best, bound, f"bf16 {report.ratio(bf16)}, int8 {report.ratio(int8)}; fp32 "
                            f"{report.ratio(_per(_get(r, MKLDNN), _get(r, ORIGINAL)))}"))
    return lines


def accuracy_section(out):
    """bench/accuracy.py's table (two child processes, ~15 s): the error of every mode and reduced
    precision against fp32 torch.nn, natively and on the fallback ISA; also written to <out>/accuracy.md."""
    print("== Accuracy of bf16 and int8 against fp32 torch.nn (bench/accuracy.py)", flush=True)
    started = time.monotonic()
    text = accuracy.markdown()
    (out / "accuracy.md").write_text(text)
    print(f"   {time.monotonic() - started:.0f} s, wrote {out}/accuracy.md", flush=True)
    return ["", "## Accuracy of the reduced precisions against fp32 torch.nn (issue 12)", "", text]


# The probes' "isa" (bench/cpp/probe_vectors.hpp), as bench.md names them.
VECTORS = {"avx512": "AVX-512", "avx2": "AVX2"}


def ceiling(bench, l2_bytes):
    """Sentences/s the hardware allows the seed shape on one core (docs/performance.md, "What bounds a
    batch-1 call"). Each phase takes the longer of reading its weights and doing its multiply-adds: the
    input projection of all T steps reads W_ih once (a GEMM) and is compute-bound; each step then reads
    W_hh, which stays in L2, for 4H x H multiply-adds; at T=1 both are read once. fp32, LSTM (4 gates).
    The probes use the widest vectors this CPU has and MKLDNN_RNN_MAX_ISA allows, as our kernel does: the
    text names the ones they reported."""
    s = Shape()
    w_hh, w_ih = 4 * s.hidden * s.hidden * 4, 4 * s.hidden * s.input * 4
    (bw_hh, isa_hh), (bw_all, isa_all), (gfma, isa_fma) = (bench.bandwidth(w_hh), bench.bandwidth(w_hh + w_ih),
                                                           bench.fma_rate())
    fma_ih, fma_hh = 4 * s.hidden * s.input / (gfma * 1e9), 4 * s.hidden * s.hidden / (gfma * 1e9)  # s per row
    read_ih, read_hh = w_ih / (bw_all * 1e9), w_hh / (bw_hh * 1e9)
    t15 = max(read_ih, 15 * fma_ih) + 15 * max(read_hh, fma_hh)
    t1 = max((w_hh + w_ih) / (bw_all * 1e9), fma_ih + fma_hh)
    vectors = ", ".join(dict.fromkeys(VECTORS[isa] for isa in (isa_hh, isa_all, isa_fma)))
    return "\n".join([
        f"## Hardware ceiling (LSTM 250->200, batch 1, one core, fp32, {vectors})",
        "",
        f"- W_hh = {w_hh / 1e6:.2f} MB (read every step), W_ih = {w_ih / 1e6:.2f} MB (read once per call, "
        f"input projection as one GEMM), total {(w_hh + w_ih) / 1e6:.2f} MB; L2 per core {l2_bytes / 2**20:.2f} MiB.",
        f"- One core: reads {bw_hh:.1f} GB/s over {w_hh / 1e6:.2f} MB (L2) with {VECTORS[isa_hh]} loads, "
        f"{bw_all:.1f} GB/s over {(w_hh + w_ih) / 1e6:.2f} MB with {VECTORS[isa_all]} loads; {gfma:.1f} G fp32 "
        f"multiply-adds/s with {VECTORS[isa_fma]} FMA.",
        f"- T=15: projection max({read_ih * 1e6:.1f} µs read, {15 * fma_ih * 1e6:.1f} µs compute) + 15 steps x "
        f"max({read_hh * 1e6:.2f} µs read, {fma_hh * 1e6:.2f} µs compute) = {t15 * 1e6:.1f} µs per call "
        f"-> ceiling {1 / t15:.0f} sentences/s.",
        f"- T=1: {t1 * 1e6:.1f} µs per call -> ceiling {1 / t1:.0f} sentences/s.",
    ])


# --- main -----------------------------------------------------------------------------------------

def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("results"), help="folder for bench.md, CSV, PNG")
    runs = parser.add_mutually_exclusive_group()
    runs.add_argument("--all", action="store_true", help="also GRU/RNN, batches, DeepBench, packed (make bench-all)")
    runs.add_argument("--traffic-only", action="store_true", help="only the real-traffic rows (no seed group, "
                      "no hardware ceiling)")
    parser.add_argument("--build-dir", type=Path,
                        default=Path(os.environ.get("MKLDNN_RNN_BUILD_DIR", REPO / "build")),
                        help="CMake build folder with lib/ and bench/ (default: $MKLDNN_RNN_BUILD_DIR or build)")
    return parser.parse_args()


def child_environment(build_dir):
    """What the Python children need to import mkldnn_rnn from this checkout, unless already set."""
    os.environ.setdefault("PYTHONPATH", str(REPO / "python"))
    torch_library = build_dir / "lib" / "libmkldnn_rnn_torch.so"
    if torch_library.exists():
        os.environ.setdefault("MKLDNN_RNN_TORCH_LIBRARY", str(torch_library))


def main():
    args = parse_args()
    build_dir = args.build_dir.resolve()
    child_environment(build_dir)
    args.out.mkdir(parents=True, exist_ok=True)
    print("== mkldnn_rnn's kernel ISAs under this environment (kernel_isa)", flush=True)
    isas = kernel_isa_here()
    print("   " + ", ".join(f"{p} {isa}" for p, isa in isas.items()), flush=True)
    seed = [] if args.traffic_only else [seed_group(fallback_engines(isas))]
    extra = extra_groups() if args.all else []
    groups = seed + extra
    total = sum(1 for g in groups for shape, threads in g.rows for c in g.columns if c.applies_to(shape, threads))
    print("== ONNX Runtime (onnxruntime-node from npm, models from torch.onnx.export)", flush=True)
    ort = onnx_peer.prepare()
    print(f"   {ort}", flush=True)
    print("== Today's stack: Debian 13 (torch 2.6, oneDNN 3.7) in a root (bench/debian13.py)", flush=True)
    stack = debian13.prepare()
    print(f"   {stack}", flush=True)
    bench = Bench(build_dir, total + len(TRAFFIC), ort, stack)
    started = time.monotonic()
    flag = " --all" if args.all else " --traffic-only" if args.traffic_only else ""

    info = machine.describe()
    given = os.environ.get("OPENBLAS_CORETYPE")  # e.g. make bench-avx2's Haswell (AVX2 kernels)
    coretype = machine.openblas_coretype()  # "" when the environment gives one: that one is kept
    if coretype:  # every child inherits it: only torch.nn uses OpenBLAS
        os.environ["OPENBLAS_CORETYPE"] = coretype
    blas_note = (f"OpenBLAS kernels: {machine.openblas_core()} (OPENBLAS_CORETYPE={given}, from the environment). "
                 if given else
                 f"OpenBLAS falls back to its generic Prescott kernels on this CPU; the children run with "
                 f"OPENBLAS_CORETYPE={coretype} (its AVX-512 kernels), which is fairer to torch.nn. "
                 if coretype else f"OpenBLAS kernels: {machine.openblas_core()}. ")
    load = os.getloadavg()[0]
    if load > 0.5:
        print(f"warning: load average {load:.2f}: other processes share the cores, expect noise", flush=True)
    sections = [
        "# mkldnn_rnn benchmark",
        "",
        cap_note(isas, given)
        + f"{info['cpu']}, {info['cores']} cores ({info['isa']}), L2 {info['l2_per_core_bytes'] / 2**20:.2f} MiB "
        f"per core; load average {load:.2f} at the start. "
        + ("Unit: forward calls per second (sentences/s at batch 1), median of the timed runs; 'cores' = "
           "threads (torch.set_num_threads and OMP_NUM_THREADS). 'kernel' columns: what served the cell, from "
           "the engine's decisions after the timed runs ('fused <kernel_isa>', or '<implementation> (oneDNN)'). "
           if groups else "")
        + blas_note + f"Generated by `bench/run_bench.py{flag}`.",
    ]
    if seed:
        sections += ["", ceiling(bench, info["l2_per_core_bytes"])]
    sections += ["", ort_note(ort, THREADS), "", stack_note(stack)]
    for group in seed:
        sections += group_section(bench, group, args.out)
    if seed:
        sections += accuracy_section(args.out)
    sections += real_traffic(bench, args.out)
    for group in extra:
        sections += group_section(bench, group, args.out)
    sections += stack_targets(bench.records)

    text = "\n".join(sections) + "\n"
    (args.out / "bench.md").write_text(text)
    print("\n" + text, flush=True)
    print(f"Total {time.monotonic() - started:.0f} s; wrote {args.out}/bench.md"
          f"{', accuracy.md' if seed else ''} and "
          f"{', '.join(f'{name}.csv/.png' for name in [*(g.name for g in groups), 'traffic'])}", flush=True)


if __name__ == "__main__":
    runner.exit_on_child_error(main)
