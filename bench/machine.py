# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""What the numbers were measured on: CPU model, cores, the vector extensions oneDNN dispatches on, and
the per-core L2 size that decides whether the recurrent weights stay in cache (docs/performance.md)."""
import json
import os
import subprocess

# The flags that change which kernels can run: oneDNN's, and our fused kernel's.
ISA_FLAGS = ("avx2", "fma", "avx_vnni", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile")


def _cpuinfo_field(name):
    with open("/proc/cpuinfo") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key.strip() == name:
                return value.strip()
    return ""


def l2_bytes_per_core():
    caches = json.loads(subprocess.run(["lscpu", "-B", "-J", "-C"], capture_output=True, text=True,
                                       check=True).stdout)["caches"]
    return next(int(c["one-size"]) for c in caches if c["name"] == "L2")


def openblas_core(env=None):
    """The kernel set OpenBLAS picks for this CPU, as PyTorch loads it ("Core: SkylakeX" in its verbose
    output), with `env` added to the environment."""
    probe = subprocess.run(["/usr/bin/python3", "-c", "import torch; torch.mm(torch.ones(8, 8), torch.ones(8, 8))"],
                           env={**os.environ, **(env or {}), "OPENBLAS_VERBOSE": "2"}, capture_output=True, text=True)
    return next((line.split(":", 1)[1].strip() for line in (probe.stdout + probe.stderr).splitlines()
                 if line.startswith("Core:")), "unknown")


def openblas_coretype():
    """OPENBLAS_CORETYPE for the torch.nn children, or "" when OpenBLAS picks well by itself.

    Debian 12's OpenBLAS (0.3.21) does not know the newest Xeons (e.g. family 6 model 207) and falls back to
    its generic Prescott kernels, which ran nn.LSTM 250->200 T=15 at half the speed of SkylakeX's on such a
    machine (637 against 1245 calls/s, one thread, 2026-12-02). Like installing OpenBLAS at all, pointing it
    at the AVX-512 kernels every AVX-512 CPU runs keeps the comparison fair to PyTorch. A value already in
    the environment is kept.
    """
    if os.environ.get("OPENBLAS_CORETYPE") or "avx512f" not in _cpuinfo_field("flags").split():
        return ""
    return "SkylakeX" if openblas_core() == "Prescott" else ""


def describe():
    flags = set(_cpuinfo_field("flags").split())
    return {
        "cpu": _cpuinfo_field("model name"),
        "cores": os.cpu_count(),
        "isa": " ".join(f for f in ISA_FLAGS if f in flags),
        "l2_per_core_bytes": l2_bytes_per_core(),
    }
