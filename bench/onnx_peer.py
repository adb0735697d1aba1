# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""ONNX Runtime as a peer in the benchmark: the runtime most users would pick instead of mkldnn_rnn.

    status = onnx_peer.prepare()              # installs onnxruntime-node once, exports the models once
    onnx_peer.seed_rate(status, 15, 2)        # {"rate", "rate_min", "rate_max", "threads", ...} or None
    onnx_peer.binding_overhead_us(status, 1)  # µs per call of a trivial graph: the Node binding itself
    onnx_peer.stream(status, "gru_stream", shapes, 2)   # {"total_s", "p50_ms", "p99_ms", ...} or None

    /usr/bin/python3 bench/onnx_peer.py measure     (by hand: prepare, then every figure above)

ONNX Runtime is measured through onnxruntime-node (its Node.js binding, which bundles the release's
libonnxruntime.so and runs the default CPU execution provider) because npm's registry is the one
package index this benchmark may reach. The package is pinned (ORT_VERSION) and installed once into a cache folder outside the
repository that survives `make bench` runs and `git clean` (default ~/.cache/mkldnn_rnn/ort,
$MKLDNN_RNN_ORT_CACHE overrides it); Node and npm come from Debian (apt-get, as root) only when
missing. The models are torch.nn modules exported by torch.onnx.export (opset OPSET) with the sequence
length and the batch as dynamic axes; each is checked against torch.nn on a few shapes, once, when it
is exported. A PackedSequence cannot be exported: a packed batch is run by ORT as its padded tensor.

Nothing here raises for a missing peer: a network or npm failure, or a failing child later on, gives a
Status that says "missing: <why>", and every measurement on it returns None, so the benchmark still
finishes and its table can say why the column is empty. bench/ort/run.js does the measuring, one
fresh Node process per figure, through bench/runner.py's run_child like every other child.
"""
import argparse
import dataclasses
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import runner

ORT_VERSION = "1.30.0"  # onnxruntime-node; its CPU execution provider is ONNX Runtime's default one
OPSET = 14  # torch 1.13's default; its exporter writes nn.LSTM and nn.GRU as ONNX's LSTM and GRU ops
TOLERANCE = 1e-4  # max |ORT - torch.nn| over every output element, checked once per export
RUNNER = Path(__file__).resolve().with_name("ort") / "run.js"
DEFAULT_CACHE = Path(os.environ.get("MKLDNN_RNN_ORT_CACHE")
                     or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "mkldnn_rnn" / "ort")
INSTALL_TIMEOUT = 900  # apt-get or npm install: generous, only against a hang
STREAM_TIMEOUT = 3600  # as run_bench.py's traffic sections


@dataclasses.dataclass(frozen=True)
class Model:
    """One exported model: a torch.nn module made under torch.manual_seed(0), with the (T, N) shapes
    its ONNX graph is checked on (other than the export's, so that the dynamic axes are checked too)."""

    kind: str  # "lstm", "gru" or "identity"
    input: int
    hidden: int = 0
    layers: int = 1
    batch_first: bool = False
    checks: tuple = ((7, 3), (1, 1))

    def shape(self, steps, batch):
        return [batch, steps, self.input] if self.batch_first else [steps, batch, self.input]

    def title(self):
        if self.kind == "identity":
            return "x + 0 on [1, 1, 1]"
        layers = f", num_layers={self.layers}" if self.layers > 1 else ""
        batch_first = ", batch_first=True" if self.batch_first else ""
        return f"nn.{self.kind.upper()}({self.input}, {self.hidden}{layers}{batch_first})"


MODELS = {
    "seed": Model("lstm", 250, 200, checks=((15, 1), (1, 1), (7, 3))),  # the original design's table
    "gru_stream": Model("gru", 80, 256, layers=2, checks=((7, 3), (40, 8), (1, 1))),  # measure_traffic (a)
    "lstm_stream": Model("lstm", 128, 256, layers=2, batch_first=True),  # measure_traffic (a')
    "identity": Model("identity", 1, checks=((1, 1),)),  # the per-call cost of the binding and session
}
# What the exported files depend on: a cache made for anything else is exported again. (Through JSON
# and back, as the manifest reads it: tuples become lists.)
MANIFEST_KEY = json.loads(json.dumps({"ort": ORT_VERSION, "opset": OPSET, "tolerance": TOLERANCE,
                                      "models": {name: dataclasses.asdict(m) for name, m in MODELS.items()}}))


@dataclasses.dataclass
class Status:
    """What prepare() found: ok, or missing and why. A measurement that fails turns it to missing (the
    peer is then skipped for the rest of the run rather than failing it)."""

    ok: bool
    reason: str  # ok: what runs (versions, check result); missing: why not
    cache: Path
    node: str = ""
    package: Path = None  # the onnxruntime-node folder

    def __str__(self):
        return self.reason if self.ok else f"missing: {self.reason}"

    def model(self, name):
        return self.cache / "models" / f"{name}.onnx"

    def fail(self, reason):
        self.ok, self.reason = False, reason
        return None


class _Missing(Exception):
    """Why the peer cannot run; prepare() turns it into a missing Status."""


def _last_lines(text, count=3):
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return " | ".join(lines[-count:]) or "(no output)"


def _run(argv, timeout, env=None, summary=_last_lines, why=""):
    """argv's standard output; raises _Missing (why: its exit status and summary(its output)) if it fails."""
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=env)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise _Missing(f"{why}{argv[0]}: {e}") from e
    if proc.returncode != 0:
        raise _Missing(f"{why}`{' '.join(argv[:3])} ...` exit {proc.returncode}: {summary(proc.stdout + proc.stderr)}")
    return proc.stdout


def _apt_install(packages):
    """Debian's packages, as the Makefile installs what is missing: only as root, with apt-get."""
    command = f"apt-get install {' '.join(packages)}"
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise _Missing(f"{' and '.join(packages)} not installed (as root: {command})")
    _run(["apt-get", "install", "-y", "--no-install-recommends", *packages], INSTALL_TIMEOUT,
         {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}, why=f"{command} failed: ")


def _executable(name, packages):
    """The path of `name`, installing Debian's `packages` first when it is absent."""
    if not shutil.which(name):
        _apt_install(packages)
    if not shutil.which(name):
        raise _Missing(f"apt-get installed {' '.join(packages)}, yet there is no {name} on PATH")
    return shutil.which(name)


def _install_ort(cache, node, log):
    """The onnxruntime-node folder of the pinned version, installed by npm the first time."""
    prefix = cache / f"onnxruntime-node-{ORT_VERSION}"
    package = prefix / "node_modules" / "onnxruntime-node"
    try:
        _load_ort(node, package)
        return package
    except _Missing:
        pass
    npm = _executable("npm", ["npm"])
    log(f"[ort] npm install onnxruntime-node@{ORT_VERSION} into {prefix}")
    shutil.rmtree(prefix, ignore_errors=True)  # a half-done install from an interrupted run
    prefix.mkdir(parents=True)
    # ONNXRUNTIME_NODE_INSTALL=skip: the package's install script would otherwise fetch CUDA libraries
    # from api.nuget.org, which a CPU benchmark does not use and which may well be unreachable.
    env = {**os.environ, "ONNXRUNTIME_NODE_INSTALL": "skip", "npm_config_update_notifier": "false"}
    try:
        # One retry: an unreachable registry costs ~10 s, not minutes of npm's backing off.
        _run([npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", "--fetch-retries=1",
              "--fetch-timeout=60000", f"onnxruntime-node@{ORT_VERSION}"], INSTALL_TIMEOUT, env, _npm_error,
             why=f"npm could not install onnxruntime-node@{ORT_VERSION}: ")
    except _Missing:
        shutil.rmtree(prefix, ignore_errors=True)
        raise
    _load_ort(node, package, why=f"onnxruntime-node@{ORT_VERSION} installed but does not load: ")
    return package


def _npm_error(text):
    """npm's own words for why: its error code and first message line (not the stack or the log's path)."""
    lines = [line.split("npm error", 1)[1].strip() for line in text.splitlines() if "npm error" in line]
    code = [line for line in lines if line.startswith("code ")]
    message = [line for line in lines if line and not line.startswith(("code ", "syscall ", "errno ", "at ", "{", "}"))
               and "complete log" not in line and "behind a proxy" not in line and ":" in line]
    return "; ".join(code[:1] + message[:1]) or _last_lines(text)


def _load_ort(node, package, why=""):
    """Checks that Node loads the package, at the pinned version."""
    if not (package / "package.json").exists():
        raise _Missing(f"{why}{package} is not installed")
    spec = json.dumps({"ort": str(package), "protocol": "version"})
    version = json.loads(_run([node, str(RUNNER), spec], 60, why=why).strip().splitlines()[-1])["ort"]
    if version != ORT_VERSION:
        raise _Missing(f"{why}{package} is version {version}, not {ORT_VERSION}")


def _exported(cache):
    """The manifest of the cache's models when it was made for MANIFEST_KEY and every file is there."""
    try:
        manifest = json.loads((cache / "models" / "manifest.json").read_text())
    except (OSError, ValueError):
        return None
    fresh = manifest.get("key") == MANIFEST_KEY and all((cache / "models" / f"{n}.onnx").exists() for n in MODELS)
    return manifest if fresh else None


def prepare(cache_dir=None, log=print):
    """Installs onnxruntime-node and exports the models, each only once per cache folder; returns the
    Status (ok, or missing and why). Never raises: the benchmark goes on without the peer."""
    cache = Path(cache_dir or DEFAULT_CACHE).expanduser().resolve()
    try:
        cache.mkdir(parents=True, exist_ok=True)
        node = _executable("node", ["nodejs", "npm"])
        package = _install_ort(cache, node, log)
        manifest = _exported(cache)
        if manifest is None:
            # The exporter runs in a child: it needs torch (this process may not have imported it) and
            # prints warnings of its own.
            log(f"[ort] exporting {', '.join(MODELS)} (opset {OPSET}) into {cache / 'models'}")
            _run([sys.executable, str(Path(__file__).resolve()), "export", "--cache", str(cache), "--node", node,
                  "--package", str(package)], INSTALL_TIMEOUT, why="export or check against torch.nn failed: ")
            manifest = _exported(cache)
            if manifest is None:
                raise _Missing("the export wrote no valid manifest")
        node_version = _run([node, "--version"], 60).strip()
        worst = max(manifest["max_abs_diff"].values())
        return Status(True, f"onnxruntime-node {ORT_VERSION} on Node {node_version}, models opset {OPSET} "
                      f"(torch {manifest['torch']}), max |ORT - torch.nn| {worst:.1e}", cache, node, package)
    except _Missing as e:
        return Status(False, str(e), cache)
    except Exception as e:  # noqa: BLE001  whatever went wrong, the benchmark must finish without the peer
        return Status(False, f"{type(e).__name__}: {e}", cache)


# --- measuring ------------------------------------------------------------------------------------

def _child(status, spec, threads, timeout=300):
    """run.js's JSON for spec, through runner.run_child (which checks the threads), or None when the
    peer is missing or this child fails (the status then says why)."""
    if not status.ok:
        return None
    argv = [status.node, str(RUNNER), json.dumps({"ort": str(status.package), "threads": threads, **spec})]
    try:
        return runner.run_child(argv, threads=threads, timeout=timeout)
    except runner.ChildError as e:
        return status.fail(f"onnxruntime-node failed: {_last_lines(str(e), 1)}")


def rate(status, model_name, steps, batch, threads, protocol=runner.Protocol()):
    """Forward calls/s of one fixed input shape, measure_module.py's protocol; the child's JSON or None."""
    spec = {"protocol": "rate", "model": str(status.model(model_name)),
            "shape": MODELS[model_name].shape(steps, batch), "warmup": protocol.warmup,
            "seconds": protocol.seconds, "repeats": protocol.repeats, "seed": 0}
    return _child(status, spec, threads)


def seed_rate(status, steps, threads, protocol=runner.Protocol()):
    """The seed table's cell: LSTM 250->200, batch 1, `steps` time steps; rate, rate_min, rate_max, ..."""
    return rate(status, "seed", steps, 1, threads, protocol)


def binding_overhead_us(status, threads, protocol=runner.Protocol()):
    """µs per call of `x + 0` on [1, 1, 1]: what every call through onnxruntime-node costs before any
    work (the binding, a turn of Node's event loop, ORT's session run); the analogue of run_bench.py's
    "Python binding µs/call"."""
    result = rate(status, "identity", 1, 1, threads, protocol)
    return None if result is None else 1e6 / result["rate"]


def stream(status, model_name, shapes, threads, seed=0):
    """Serves the (T, N) requests of `shapes` in order, each timed alone, nothing warmed up (as
    measure_traffic.py's streams); {"total_s", "p50_ms", "p99_ms", "max_ms", "new_shape_s", "calls",
    "shapes", ...} or None. For a packed section, pass the padded (max length, N) of each batch."""
    if not status.ok:
        return None
    model = MODELS[model_name]
    with tempfile.TemporaryDirectory(dir=status.cache) as folder:
        shapes_file = Path(folder) / "shapes.json"
        shapes_file.write_text(json.dumps([[int(t), int(n)] for t, n in shapes]))
        spec = {"protocol": "stream", "model": str(status.model(model_name)), "shapes_file": str(shapes_file),
                "features": model.input, "batch_first": model.batch_first, "seed": seed}
        return _child(status, spec, threads, timeout=STREAM_TIMEOUT)


def gru_stream_shapes(seed=0, calls=1000):
    """(T, N) per request for `measure` by hand: T log-uniform in 10..500, N uniform in 1..8 (run_bench.py
    passes measure_traffic.py's own requests instead)."""
    draw = random.Random(seed)
    return [(int(math.exp(draw.uniform(math.log(10), math.log(500)))), draw.randint(1, 8)) for _ in range(calls)]


# --- the export child -----------------------------------------------------------------------------

def _module(torch, model):
    torch.manual_seed(0)
    if model.kind == "identity":
        class Identity(torch.nn.Module):
            def forward(self, x):
                return x + 0
        return Identity().eval()
    modules = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU}
    return modules[model.kind](model.input, model.hidden, num_layers=model.layers,
                               batch_first=model.batch_first).eval()


def _export(torch, model, module, path):
    outputs = ["output"] if model.kind == "identity" else ["output", "h_n", *(["c_n"] if model.kind == "lstm" else [])]
    axes = {}
    if model.kind != "identity":
        steps, batch = (1, 0) if model.batch_first else (0, 1)
        axes = {"input": {steps: "T", batch: "N"}, "output": {steps: "T", batch: "N"},
                **{state: {1: "N"} for state in outputs[1:]}}
    # Batch 1 at export, as the exporter's warning asks for recurrent modules without initial states;
    # the checks run other batches.
    example = torch.zeros(model.shape(5, 1) if model.kind != "identity" else [1, 1, 1])
    with torch.inference_mode():
        torch.onnx.export(module, (example,), str(path), input_names=["input"], output_names=outputs,
                          dynamic_axes=axes, opset_version=OPSET)


def _check(torch, model, module, path, node, package, folder):
    """max |ORT - torch.nn| over every output of every check shape; raises beyond TOLERANCE."""
    import numpy

    torch.manual_seed(1)
    inputs, wants = [], {}
    for i, (steps, batch) in enumerate(model.checks):
        shape = model.shape(steps, batch) if model.kind != "identity" else [1, 1, 1]
        x = torch.randn(shape)
        file = folder / f"{path.stem}.{i}.in"
        x.numpy().tofile(file)
        inputs.append({"shape": shape, "file": str(file)})
        with torch.inference_mode():
            result = module(x)
        wants[str(file)] = [result] if isinstance(result, torch.Tensor) else [result[0], *(
            result[1] if isinstance(result[1], tuple) else (result[1],))]
    spec = json.dumps({"ort": str(package), "model": str(path), "threads": 1, "protocol": "check", "inputs": inputs})
    proc = subprocess.run([node, str(RUNNER), spec], capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        raise RuntimeError(f"run.js check of {path.name}: {_last_lines(proc.stdout + proc.stderr, 1)}")
    worst, seen = 0.0, {}
    for out in json.loads(proc.stdout.strip().splitlines()[-1])["outputs"]:
        index = seen.setdefault(out["file"], 0)
        seen[out["file"]] += 1
        want = wants[out["file"]][index]
        got = torch.from_numpy(numpy.fromfile(f"{out['file']}.{out['output']}.out", dtype="float32"))
        if list(out["dims"]) != list(want.shape):
            raise RuntimeError(f"{path.name} {out['output']}: ORT gave {out['dims']}, torch.nn {list(want.shape)}")
        diff = (got.reshape(want.shape) - want).abs().max().item() if want.numel() else 0.0
        if not diff <= TOLERANCE:
            raise RuntimeError(f"{path.name} {out['output']} at {out['dims']}: ORT differs from torch.nn by {diff:.3g}")
        worst = max(worst, diff)
    if any(seen.get(item["file"], 0) != len(wants[item["file"]]) for item in inputs):
        raise RuntimeError(f"{path.name}: ORT returned {seen}, torch.nn {[len(w) for w in wants.values()]} outputs")
    return worst


def export_all(cache, node, package):
    """Exports every model into <cache>/models.new, checks each against torch.nn, then replaces
    <cache>/models with it: a half-done export is never taken for a done one."""
    import torch

    staging, final = cache / "models.new", cache / "models"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    diffs = {}
    with tempfile.TemporaryDirectory(dir=cache) as folder:
        for name, model in MODELS.items():
            module = _module(torch, model)
            _export(torch, model, module, staging / f"{name}.onnx")
            diffs[name] = _check(torch, model, module, staging / f"{name}.onnx", node, package, Path(folder))
    manifest = {"key": MANIFEST_KEY, "torch": torch.__version__, "max_abs_diff": diffs,
                "titles": {name: model.title() for name, model in MODELS.items()}}
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=1))
    shutil.rmtree(final, ignore_errors=True)
    staging.rename(final)
    return manifest


# --- by hand --------------------------------------------------------------------------------------

def measure(args):
    """Every figure of this peer, one child at a time, with the load average beside it."""
    started = time.monotonic()
    status = prepare(args.cache)
    print(f"prepare: {time.monotonic() - started:.1f} s; {status}", flush=True)
    if not status.ok:
        return
    threads = sorted({1, os.cpu_count()})
    for steps in (15, 1):
        for n in threads:
            result = seed_rate(status, steps, n)
            if result:
                print(f"seed LSTM 250->200 T={steps} N=1, {n} thr: {result['rate']:.0f}/s "
                      f"({result['rate_min']:.0f}-{result['rate_max']:.0f}), {1e6 / result['rate']:.1f} µs/call, "
                      f"session threads {result['session_threads']}; load {os.getloadavg()[0]:.2f}", flush=True)
    for n in threads:
        micros = binding_overhead_us(status, n)
        if micros:
            print(f"identity x + 0 [1,1,1], {n} thr: {micros:.1f} µs/call; load {os.getloadavg()[0]:.2f}", flush=True)
    if args.calls:
        n = os.cpu_count()
        result = stream(status, "gru_stream", gru_stream_shapes(args.seed, args.calls), n, args.seed)
        if result:
            print(f"GRU stream {result['calls']} requests ({result['shapes']} shapes), {n} thr: total "
                  f"{result['total_s']:.2f} s, p50 {result['p50_ms']:.2f} ms, p99 {result['p99_ms']:.2f} ms, "
                  f"max {result['max_ms']:.1f} ms, first calls of a shape {result['new_shape_s']:.2f} s; "
                  f"load {os.getloadavg()[0]:.2f}", flush=True)
    if not status.ok:
        print(status, flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    by_hand = commands.add_parser("measure", help="prepare, then every figure (seed rates, binding, GRU stream)")
    by_hand.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    by_hand.add_argument("--calls", type=int, default=1000, help="GRU stream requests (0: no stream)")
    by_hand.add_argument("--seed", type=int, default=0)
    export = commands.add_parser("export", help="(prepare()'s child) export and check the models")
    export.add_argument("--cache", type=Path, required=True)
    export.add_argument("--node", required=True)
    export.add_argument("--package", type=Path, required=True)
    args = parser.parse_args()
    if args.command == "measure":
        measure(args)
    else:
        print(json.dumps(export_all(args.cache, args.node, args.package)["max_abs_diff"]), flush=True)


if __name__ == "__main__":
    main()
