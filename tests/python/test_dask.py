# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""examples/dask_scoring.py end to end: a directory of variable-length sequences scored on Dask clusters
of 2 worker processes equals the single-process run bit for bit when MKLDNN_RNN_IMPL is fixed, with the
eager model pickled to the workers and with a TorchScript file loaded by each worker; on a cluster started
with `dask scheduler` / `dask worker` under auto it agrees within the tolerance.

Needs Dask's distributed (Debian: python3-distributed); without it every test here fails, saying so."""
import importlib.util
import json
import shutil
import subprocess
import time

import pytest
import torch

from conftest import ATOL, REPO, RTOL

EXAMPLE = REPO / "examples" / "dask_scoring.py"
MISSING = ("Dask's distributed is not importable by this Python: apt-get install python3-distributed "
           "(the Makefile's RUN_PACKAGES installs it)")


@pytest.fixture(scope="module")
def distributed_installed():
    if importlib.util.find_spec("distributed") is None or shutil.which("dask") is None:
        pytest.fail(MISSING)


def example(python, env, *args, impl=None):
    env = dict(env)
    env.pop("MKLDNN_RNN_IMPL", None)
    if impl:
        env["MKLDNN_RNN_IMPL"] = impl
    done = subprocess.run([python, str(EXAMPLE), *map(str, args)], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, f"dask_scoring.py {' '.join(map(str, args))} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def scored(distributed_installed, python, child_env, tmp_path_factory):
    """30 small files, the default model as TorchScript, and the single-process results with the fused
    kernel fixed."""
    folder = tmp_path_factory.mktemp("dask")
    example(python, child_env, "--make-data", folder / "data", "--count", 30, "--max-len", 120,
            "--save-model", folder / "model.pt")
    # --files-per-task 4 in every run, so the same batches: a sequence's bits may depend on the batch it is
    # run in (the kernels block by batch size), its numbers do not.
    example(python, child_env, folder / "data", "--single-process", "--files-per-task", 4, "--out",
            folder / "single.pt", impl="fused")
    return folder, torch.load(folder / "single.pt", weights_only=False)


def assert_bit_identical(got, want):
    assert sorted(got) == sorted(want) and len(want) == 30
    for name in want:
        assert got[name].shape == (64,) and torch.equal(got[name], want[name]), name


def test_local_cluster_eager_model_is_bit_identical(scored, python, child_env):
    folder, want = scored
    out = example(python, child_env, folder / "data", "--workers", 2, "--files-per-task", 4, "--out",
                  folder / "dask.pt", impl="fused")
    assert "dask: 8 tasks on 2 of 2 workers" in out, out  # both workers took tasks
    assert_bit_identical(torch.load(folder / "dask.pt", weights_only=False), want)


def test_local_cluster_torchscript_model_is_bit_identical(scored, python, child_env):
    folder, want = scored
    example(python, child_env, folder / "data", "--model", folder / "model.pt", "--workers", 2,
            "--files-per-task", 4, "--out", folder / "dask_ts.pt", impl="fused")
    assert_bit_identical(torch.load(folder / "dask_ts.pt", weights_only=False), want)


def test_scheduler_and_workers_started_by_the_dask_cli(scored, python, child_env):
    """The deployment doc's commands: `dask scheduler`, `dask worker ... --nthreads 1`, the example with
    --scheduler; under auto (each worker measures for itself), so within the tolerance."""
    folder, want = scored
    env = dict(child_env)
    env.pop("MKLDNN_RNN_IMPL", None)
    scheduler_file = folder / "scheduler.json"
    processes = [subprocess.Popen(["dask", "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                                   "--scheduler-file", str(scheduler_file)], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        deadline = time.monotonic() + 30
        while not scheduler_file.exists():
            assert time.monotonic() < deadline and processes[0].poll() is None, "dask scheduler did not start"
            time.sleep(0.1)
        time.sleep(0.2)  # the file is written whole, but give the writer a moment
        address = json.loads(scheduler_file.read_text())["address"]
        processes.append(subprocess.Popen(["dask", "worker", address, "--nworkers", "2", "--nthreads", "1",
                                           "--no-dashboard"], env=env,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        out = example(python, env, folder / "data", "--scheduler", address, "--min-workers", 2,
                      "--files-per-task", 4, "--out", folder / "cluster.pt")
        assert "on 2 of 2 workers" in out, out
        got = torch.load(folder / "cluster.pt", weights_only=False)
        assert sorted(got) == sorted(want)
        for name in want:
            torch.testing.assert_close(got[name], want[name], rtol=RTOL, atol=ATOL)
        # A driver whose MKLDNN_RNN_IMPL differs from the workers' is refused before scoring.
        refused = subprocess.run([python, str(EXAMPLE), str(folder / "data"), "--scheduler", address, "--out",
                                  str(folder / "refused.pt")], env=dict(env, MKLDNN_RNN_IMPL="plain_ldigo"),
                                 capture_output=True, text=True, timeout=120)
        assert refused.returncode != 0 and "MKLDNN_RNN_IMPL" in refused.stderr, refused.stderr
        assert not (folder / "refused.pt").exists()
    finally:
        for process in reversed(processes):  # workers first, then the scheduler
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
