# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""Shared by the package's tests: the tolerance, a comparison that knows the layout rule, and the
environment a child process needs to import mkldnn_rnn from this checkout."""
import os
import sys
from pathlib import Path

import pytest
import torch

REPO = Path(__file__).resolve().parents[2]
BUILD_DIR = Path(os.environ.get("MKLDNN_RNN_BUILD_DIR", REPO / "build")).resolve()

# torch's own mkldnn LSTM test (test/test_mkldnn.py) compares with these.
RTOL, ATOL = 1.3e-6, 1e-5


def assert_same(got, want, mkldnn):
    """got equals want (a dense torch.nn result) within the tolerance, in the layout the rule asks for."""
    assert got.is_mkldnn == mkldnn, f"layout: expected {'mkldnn' if mkldnn else 'dense'}, got {got.layout}"
    torch.testing.assert_close(got.to_dense() if got.is_mkldnn else got, want, rtol=RTOL, atol=ATOL)


@pytest.fixture(scope="session")
def child_env():
    """Environment for a fresh /usr/bin/python3 that imports mkldnn_rnn from this checkout."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "python"), env.get("PYTHONPATH", "")])
    env["MKLDNN_RNN_BUILD_DIR"] = str(BUILD_DIR)
    return env


@pytest.fixture(scope="session")
def python():
    return sys.executable


LIBRARY = BUILD_DIR / "lib" / "libmkldnn_rnn_torch.so"


def dense(t):
    """t in the dense layout (a copy for mkldnn tensors; t itself otherwise)."""
    return t.to_dense() if t.is_mkldnn else t


def assert_same_packed(got, want):
    """A PackedSequence equal to torch.nn's: data within the tolerance (dense, as packing makes it), and the
    same batch_sizes, sorted_indices and unsorted_indices."""
    assert_same(got.data, want.data, mkldnn=False)
    assert torch.equal(got.batch_sizes, want.batch_sizes)
    for name in ("sorted_indices", "unsorted_indices"):
        g, w = getattr(got, name), getattr(want, name)
        assert (g is None) == (w is None), f"{name}: got {g}, want {w}"
        assert g is None or torch.equal(g, w), f"{name}: got {g}, want {w}"


@pytest.fixture(scope="session")
def build_dir():
    """The build tree the tests run against ($MKLDNN_RNN_BUILD_DIR, default <repo>/build). A missing op
    library fails the test: these tests never skip."""
    if not LIBRARY.is_file():
        pytest.fail(f"{LIBRARY} not found: build with `make build` or set MKLDNN_RNN_BUILD_DIR", pytrace=False)
    return BUILD_DIR
