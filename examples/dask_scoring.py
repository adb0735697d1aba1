# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""Scores a directory of variable-length sequences with a converted model on a Dask cluster.

Each input is a .pt file holding one float32 [T, F] tensor (an utterance's feature frames, say). The files
are taken in name order and cut into tasks of --files-per-task files; a task loads its files, packs them
into one PackedSequence (pack_sequence(enforce_sorted=False): no padding, each sequence its own length) and
runs the model once on it. The results, file name -> the model's output row for that file, go to --out
(torch.save of a dict).

The model is either
  * --model model.pt: a TorchScript file of a converted model, loaded once per worker by a worker plugin
    (with mkldnn_rnn.load, which checks the archive before torch.jit.load). Its forward takes a
    PackedSequence of N sequences and returns N rows; --save-model writes the default model in that form.
  * by default, an eager model built here: a seeded speech-encoder-like nn.GRU(40, 64, num_layers=2) with
    mean pooling over each sequence's frames, converted with mkldnn_rnn.to_mkldnn. It travels to the
    workers by pickle (a converted module pickles its torch.nn weights and packs them again on loading),
    scattered once to every worker (client.scatter(..., broadcast=True)).

Where it runs: a distributed.LocalCluster on this machine (--workers processes, one thread each), or the
cluster of --scheduler tcp://host:port (the data directory and --model must be readable at the same path on
every worker). --single-process computes the same without Dask. Every task sets torch.set_num_threads(1).

Reproducibility: a sequence's result depends on the other sequences of its batch only through the
implementation the engine picks for that batch size, so with the same --files-per-task and MKLDNN_RNN_IMPL
fixed (fused or plain_ldigo) the Dask results equal --single-process bit for bit; under auto (the default)
each worker measures for itself and results agree within torch's RNN tolerance (rtol 1.3e-6, atol 1e-5).
The workers must run with the driver's MKLDNN_RNN_IMPL: a LocalCluster's worker processes are started with
this process's environment (and the mkldnn_rnn variables are passed to them explicitly), and every task
reports the value it saw, which the driver checks.

  python3 examples/dask_scoring.py --make-data data --count 200           # seeded synthetic inputs
  python3 examples/dask_scoring.py data --out dask.pt                     # LocalCluster, 2 workers
  python3 examples/dask_scoring.py data --out single.pt --single-process
  python3 examples/dask_scoring.py --compare dask.pt single.pt
  python3 examples/dask_scoring.py --save-model model.pt                  # the default model, TorchScript
  python3 examples/dask_scoring.py data --model model.pt --out dask_ts.pt
  python3 examples/dask_scoring.py data --scheduler tcp://10.0.0.5:8786 --min-workers 4 --out dask.pt

(run with /usr/bin/python3 and, from a source tree, PYTHONPATH=python MKLDNN_RNN_BUILD_DIR=build.)
"""
import argparse
import os
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional

import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import PackedSequence, pack_sequence, pad_packed_sequence

import mkldnn_rnn

FEATURES, HIDDEN, LAYERS = 40, 64, 2
# What a worker must share with the driver for its results to be comparable (and to find the library).
ENV_VARS = ("MKLDNN_RNN_IMPL", "MKLDNN_RNN_VERBOSE", "MKLDNN_RNN_TORCH_LIBRARY", "MKLDNN_RNN_BUILD_DIR")
RTOL, ATOL = 1.3e-6, 1e-5


class SpeechEncoder(nn.Module):
    """A 2-layer GRU over feature frames, mean-pooled over each sequence's own frames: one row per sequence."""

    def __init__(self, features: int = FEATURES, hidden: int = HIDDEN, layers: int = LAYERS):
        super().__init__()
        self.gru = nn.GRU(features, hidden, num_layers=layers)

    def forward(self, batch: PackedSequence) -> Tensor:
        out, _ = self.gru(batch)
        # [N, T_max, H] in the order of the sequences given to pack_sequence, zeros past each length.
        padded, lengths = pad_packed_sequence(out, batch_first=True)
        return padded.sum(dim=1) / lengths.unsqueeze(1).to(padded.dtype)


def build_model(seed: int = 0) -> nn.Module:
    """The default model, converted: the same weights in every process for the same seed."""
    torch.manual_seed(seed)
    return mkldnn_rnn.to_mkldnn(SpeechEncoder().eval())


def make_data(folder: Path, count: int, seed: int, min_len: int, max_len: int, features: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    g = torch.Generator().manual_seed(seed)
    for i in range(count):
        length = int(torch.randint(min_len, max_len + 1, (1,), generator=g))
        torch.save(torch.randn(length, features, generator=g), folder / f"seq_{i:05d}.pt")
    print(f"wrote {count} files to {folder} (T in {min_len}..{max_len}, F={features}, seed {seed})")


def batches_of(folder: Path, files_per_task: int) -> List[List[str]]:
    files = sorted(str(p.resolve()) for p in folder.glob("*.pt"))
    if not files:
        raise SystemExit(f"dask_scoring: {folder}: no .pt files")
    return [files[i:i + files_per_task] for i in range(0, len(files), files_per_task)]


def score_files(model, paths: List[str]) -> Dict[str, Tensor]:
    """One task: the files' sequences as one PackedSequence through the model; file name -> its row."""
    torch.set_num_threads(1)  # per task: the thread running it may not be the one that set it before
    sequences = []
    for path in paths:
        x = torch.load(path)
        if not isinstance(x, Tensor) or x.dim() != 2 or x.dtype != torch.float32:
            raise ValueError(f"dask_scoring: {path}: expected a float32 [T, F] tensor, got "
                             f"{type(x).__name__} {getattr(x, 'shape', '')} {getattr(x, 'dtype', '')}")
        sequences.append(x)
    with torch.inference_mode():
        rows = model(pack_sequence(sequences, enforce_sorted=False))
    return {Path(path).name: row.clone() for path, row in zip(paths, rows)}


# ---- Dask: everything below runs on the workers, or sets them up ------------------------------------------
# (Defined in __main__, so Dask pickles these by value: the workers need mkldnn_rnn, not this file.)

class ModelBox:
    """Carries the eager model through client.scatter by pickle. Dask serializes scattered data with its own
    serializers, and a bare nn.Module attribute by attribute (distributed.protocol.torch registers nn.Module
    with register_generic): that bypasses the module's __getstate__ and meets the TorchBind object holding
    the packed weights, which fails on the worker. A plain object is pickled whole, so the converted
    modules' __getstate__/__setstate__ run (docs/deployment.md, "Sending a converted model")."""

    def __init__(self, model: nn.Module):
        self.model = model


def model_plugin_name(path: str) -> str:
    return f"mkldnn_rnn-model:{path}"


class LoadModel:
    """Worker plugin (distributed.WorkerPlugin's protocol): loads the TorchScript file once per worker."""

    def __init__(self, path: str):
        self.path = path
        self.name = model_plugin_name(path)
        self.model = None

    def setup(self, worker):
        import mkldnn_rnn  # noqa: F401  registers the ops and PackedWeights before loading
        torch.set_num_threads(1)
        self.model = mkldnn_rnn.load(self.path)  # checks the archive, then torch.jit.load

    def teardown(self, worker):
        self.model = None


def worker_task(paths: List[str], box: Optional[ModelBox] = None, model_path: Optional[str] = None):
    """Scores one batch on a worker; also reports what the driver checks."""
    if box is not None:
        model = box.model  # unpickled once per worker, when the scattered box arrived
    else:
        from distributed import get_worker
        model = get_worker().plugins[model_plugin_name(model_path)].model
    results = score_files(model, paths)
    return results, {"pid": os.getpid(), "MKLDNN_RNN_IMPL": os.environ.get("MKLDNN_RNN_IMPL")}


def check_worker_impl(worker_value: Optional[str], driver_value: Optional[str], worker: str) -> None:
    if worker_value != driver_value:
        raise SystemExit(f"dask_scoring: a worker ({worker}) runs with MKLDNN_RNN_IMPL={worker_value}, this "
                         f"driver with MKLDNN_RNN_IMPL={driver_value}: start the workers with the driver's value")


def score_with_dask(args, batches) -> Dict[str, Tensor]:
    from distributed import Client, LocalCluster

    impl = os.environ.get("MKLDNN_RNN_IMPL")
    if args.scheduler:
        cluster, client = None, Client(args.scheduler)
    else:
        # processes=True: each worker its own process (and engine), one thread each. The workers are
        # started with this process's environment; the mkldnn_rnn variables are also set explicitly.
        env = {name: os.environ[name] for name in ENV_VARS if name in os.environ}
        env["OMP_NUM_THREADS"] = "1"
        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                               dashboard_address=None, env=env)
        client = Client(cluster)
    try:
        if args.min_workers:
            client.wait_for_workers(args.min_workers, timeout=args.wait)
        # Fail before scoring if a worker runs another implementation (each task reports it too, for
        # workers that join later).
        for address, value in client.run(os.environ.get, "MKLDNN_RNN_IMPL").items():
            check_worker_impl(value, impl, address)
        workers = len(client.scheduler_info()["workers"])
        if args.model:
            path = str(Path(args.model).resolve())
            client.register_worker_plugin(LoadModel(path), name=model_plugin_name(path))
            futures = client.map(worker_task, batches, model_path=path, pure=False)
        else:
            [box] = client.scatter([ModelBox(build_model(args.seed))], broadcast=True)
            futures = client.map(worker_task, batches, box=box, pure=False)
        results: Dict[str, Tensor] = {}
        pids = set()
        for batch_results, info in client.gather(futures):
            check_worker_impl(info["MKLDNN_RNN_IMPL"], impl, f"pid {info['pid']}")
            pids.add(info["pid"])
            results.update(batch_results)
        print(f"dask: {len(batches)} tasks on {len(pids)} of {workers} workers")
        return results
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def compare(a_path: str, b_path: str) -> int:
    a, b = torch.load(a_path), torch.load(b_path)
    if sorted(a) != sorted(b):
        print(f"different files: {len(set(a) ^ set(b))} names in only one of them")
        return 1
    same = sum(torch.equal(a[k], b[k]) for k in a)
    worst = max(float((a[k] - b[k]).abs().max()) for k in a)
    close = all(torch.allclose(a[k], b[k], rtol=RTOL, atol=ATOL) for k in a)
    print(f"{same} of {len(a)} bit-identical; max abs difference {worst:.3g}; "
          f"{'within' if close else 'NOT within'} rtol {RTOL}, atol {ATOL}")
    return 0 if close else 1


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("data", nargs="?", help="directory of .pt files, each a float32 [T, F] tensor")
    p.add_argument("--out", help="where to write the results: torch.save({file name: output row})")
    p.add_argument("--model", help="a TorchScript file of a converted model (default: the eager model built here)")
    p.add_argument("--single-process", action="store_true", help="score here, without Dask")
    p.add_argument("--workers", type=int, default=2, help="LocalCluster worker processes (default 2)")
    p.add_argument("--scheduler", help="address of a running scheduler, tcp://host:port, instead of a LocalCluster")
    p.add_argument("--min-workers", type=int, default=0,
                   help="with --scheduler: wait until this many workers have joined (at most --wait seconds)")
    p.add_argument("--wait", type=float, default=120, help="seconds to wait for --min-workers (default 120)")
    p.add_argument("--files-per-task", type=int, default=8, help="files per task, one PackedSequence (default 8)")
    p.add_argument("--seed", type=int, default=0, help="seed of the default model and of --make-data")
    p.add_argument("--make-data", metavar="DIR", help="write --count seeded synthetic files to DIR and exit")
    p.add_argument("--count", type=int, default=200)
    p.add_argument("--min-len", type=int, default=5)
    p.add_argument("--max-len", type=int, default=400)
    p.add_argument("--features", type=int, default=FEATURES)
    p.add_argument("--save-model", metavar="PATH", help="script the default model, save it to PATH and exit")
    p.add_argument("--compare", nargs=2, metavar=("A", "B"), help="compare two results files and exit")
    args = p.parse_args(argv)

    if args.make_data or args.save_model:  # either or both, then exit
        if args.make_data:
            make_data(Path(args.make_data), args.count, args.seed, args.min_len, args.max_len, args.features)
        if args.save_model:
            torch.jit.save(torch.jit.script(build_model(args.seed)), args.save_model)
            print(f"wrote {args.save_model}")
        return 0
    if args.compare:
        return compare(*args.compare)
    if not args.data or not args.out:
        p.error("scoring needs a data directory and --out")
    if args.files_per_task < 1 or args.workers < 1:
        p.error("--files-per-task and --workers must be at least 1")
    if args.min_workers and not args.scheduler:
        p.error("--min-workers goes with --scheduler (a LocalCluster starts its --workers itself)")

    batches = batches_of(Path(args.data), args.files_per_task)
    start = time.perf_counter()
    if args.single_process:
        torch.set_num_threads(1)
        model = mkldnn_rnn.load(args.model) if args.model else build_model(args.seed)
        results = {}
        for batch in batches:
            results.update(score_files(model, batch))
        print(f"single process: {len(batches)} batches")
    else:
        results = score_with_dask(args, batches)
    torch.save(dict(sorted(results.items())), args.out)
    print(f"scored {len(results)} files in {time.perf_counter() - start:.2f} s "
          f"(MKLDNN_RNN_IMPL={os.environ.get('MKLDNN_RNN_IMPL', 'auto')}); wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
