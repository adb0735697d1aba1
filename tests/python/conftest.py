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

