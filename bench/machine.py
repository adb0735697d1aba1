# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""What the numbers were measured on: CPU model, cores, the vector extensions oneDNN dispatches on, and
the per-core L2 size that decides whether the recurrent weights stay in cache (docs/performance.md)."""
import json
import os
import subprocess

# The flags that change which oneDNN kernels can run.
ISA_FLAGS = ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile")


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


def describe():
    flags = set(_cpuinfo_field("flags").split())
    return {
        "cpu": _cpuinfo_field("model name"),
        "cores": os.cpu_count(),
        "isa": " ".join(f for f in ISA_FLAGS if f in flags),
        "l2_per_core_bytes": l2_bytes_per_core(),
    }
