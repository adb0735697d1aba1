# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""The one way the benchmark measures anything: a fresh child process with an explicit environment.

A fresh process per cell keeps cells from warming each other's caches, allocators and thread pools, and
lets LD_PRELOAD swap the allocator. The environment is set, never inherited: OMP_NUM_THREADS (read by
OpenMP, hence oneDNN, and by OpenBLAS once OPENBLAS_NUM_THREADS is dropped), MKLDNN_RNN_IMPL (read by
mkldnn_rnn's pack()) and LD_PRELOAD.
The child prints one JSON line; anything else — a non-zero exit, no JSON, a thread count or allocator
other than the one asked for — raises ChildError, which stops the run.
"""
import dataclasses
import json
import os
import shlex
import subprocess
import sys

JEMALLOC = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"  # Debian's libjemalloc2


class ChildError(RuntimeError):
    pass


@dataclasses.dataclass(frozen=True)
class Protocol:
    """Timing flags every child takes (bench/cpp/bench_common.hpp describes the protocol)."""

    warmup: float = 0.3
    seconds: float = 0.3
    repeats: int = 7

    def flags(self):
        return ["--warmup", str(self.warmup), "--seconds", str(self.seconds), "--repeats", str(self.repeats)]


def run_child(argv, *, threads, jemalloc=False, impl="auto", extra_env=(), timeout=300):
    """Runs argv with `threads` OpenMP threads, the given allocator and MKLDNN_RNN_IMPL, plus extra_env
    ((name, value) pairs); returns its JSON."""
    env = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "OPENBLAS_NUM_THREADS")}
    env.update(OMP_NUM_THREADS=str(threads), MKLDNN_RNN_IMPL=impl, **dict(extra_env))
    if jemalloc:
        if not os.path.exists(JEMALLOC):
            raise ChildError(f"{JEMALLOC} is missing: apt-get install libjemalloc2 (make deps-bench)")
        env["LD_PRELOAD"] = JEMALLOC
    shown = " ".join(f"{k}={env[k]}" for k in ("OMP_NUM_THREADS", "MKLDNN_RNN_IMPL", "LD_PRELOAD",
                                                 *dict(extra_env)) if k in env)
    command = f"{shown} {shlex.join(argv)}"

    try:
        proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        raise ChildError(f"timed out after {timeout} s: {command}") from e
    if proc.returncode != 0:
        raise ChildError(f"exit status {proc.returncode}: {command}\n{proc.stdout}{proc.stderr}")
    try:
        result = json.loads(proc.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError) as e:
        raise ChildError(f"no JSON result line: {command}\n{proc.stdout}{proc.stderr}") from e

    if result["threads"] != threads:
        raise ChildError(f"ran with {result['threads']} threads, asked for {threads}: {command}")
    if "allocator" in result and (result["allocator"] == "jemalloc") != jemalloc:
        raise ChildError(f"allocator is {result['allocator']}, asked for jemalloc={jemalloc}: {command}")
    return result


def exit_on_child_error(main):
    """Runs a benchmark's main(): a ChildError (a child that failed, or gave no result) is one message and
    exit status 1, not a traceback."""
    try:
        main()
    except ChildError as e:
        print(f"\nerror: {e}", file=sys.stderr, flush=True)
        sys.exit(1)
