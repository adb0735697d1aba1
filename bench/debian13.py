# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""The benchmark's second stack: Debian 13 (torch 2.6, oneDNN 3.7), in the root that `make test-debian13`
keeps (mk/debian13.sh), so that what users of today's stack get sits beside our figures in one run.

torch 2.x sends fp32 nn.LSTM through oneDNN itself: its nn.* is the baseline users have today, and our
build against oneDNN 3.7 is the same engine on the other oneDNN major.

prepare() copies this tree into the root and builds it there (`mk/debian13.sh deps-bench build`: the root
is made on first use, about 5 minutes, then only what is missing is installed and only what changed is
built); argv() runs a benchmark child inside it (`mk/debian13.sh -- ...`) with the caller's environment,
env() gives the root's own paths for the package and the build. Never raises: a stack that cannot be made
here (no root and no mirror, not root) leaves its columns missing, with the reason.
"""
import dataclasses
import os
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "mk" / "debian13.sh"
TREE = "/src/mkldnn_rnn"  # where mk/debian13.sh copies the tree inside the root
PYTHON = "/usr/bin/python3"
BUILD_TIMEOUT = 3600  # debootstrap, packages and a build from nothing


@dataclasses.dataclass
class Status:
    ok: bool
    reason: str  # ok: what runs there (versions); missing: why not

    def __str__(self):
        return self.reason if self.ok else f"missing: {self.reason}"


def root():
    return Path(os.environ.get("DEBIAN13_ROOT", Path.home() / ".cache" / "mkldnn_rnn" / "debian13"))


def in_root(command):
    """`command` (a list) run inside the root."""
    return ["bash", str(SCRIPT), "--", *command]


def argv(program, args):
    """The command that runs a benchmark child (a bench/*.py script or a C++ peer) in the root."""
    inner = [PYTHON, f"{TREE}/bench/{program}"] if program.endswith(".py") else [f"{TREE}/build/bench/{program}"]
    return in_root([*inner, *args])


def env():
    """The variables a child in the root needs instead of the host's: the package, the build."""
    return (("PYTHONPATH", f"{TREE}/python"), ("MKLDNN_RNN_BUILD_DIR", f"{TREE}/build"),
            ("MKLDNN_RNN_TORCH_LIBRARY", f"{TREE}/build/lib/libmkldnn_rnn_torch.so"))


def prepare(log=print):
    """Makes (once) and updates the root, builds this tree in it; returns the Status."""
    if os.geteuid() != 0:
        return Status(False, "making and entering the Debian 13 root needs root (chroot, mount)")
    log_file = REPO / "results" / "debian13-build.log"
    log_file.parent.mkdir(parents=True, exist_ok=True)
    log(f"   mk/debian13.sh deps-bench build in {root()} (log: {log_file})")
    try:
        with open(log_file, "w") as out:
            built = subprocess.run(["bash", str(SCRIPT), "deps-bench", "build"], stdout=out, stderr=subprocess.STDOUT,
                                   timeout=BUILD_TIMEOUT)
        if built.returncode != 0:
            tail = log_file.read_text().strip().splitlines()[-3:]
            return Status(False, f"mk/debian13.sh deps-bench build failed ({' / '.join(tail)}); log: {log_file}")
        torch = _output([PYTHON, "-c", "import torch; print(torch.__version__)"])
        dnnl = _output(["dpkg-query", "-W", "-f", "${Version}", "libdnnl-dev"])
        return Status(True, f"Debian 13 root {root()}: torch {torch}, oneDNN {dnnl}")
    except (OSError, subprocess.SubprocessError, RuntimeError) as e:
        return Status(False, f"{type(e).__name__}: {e}")


def _output(command):
    done = subprocess.run(in_root(command), capture_output=True, text=True, timeout=300,
                          env={**os.environ, **dict(env())})
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed in the root: {done.stderr.strip()[-200:]}")
    return done.stdout.strip()
