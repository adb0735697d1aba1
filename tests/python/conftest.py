# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""Shared by the package's tests: the tolerance, a comparison that knows the layout rule, a model of the
usual shape, and the environment a child process needs to import mkldnn_rnn from this checkout."""
import os
import sys
from pathlib import Path

import pytest
import torch
from torch import Tensor, nn

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


def torch_own_failure(module, x, dtype=torch.float):
    """The error torch.utils.mkldnn's own conversion of `module` raises on x, or None when it runs. torch
    2.6's MkldnnBatchNorm fails inside torch on any mkldnn input (its batch_norm kernel is unreachable from
    TorchScript): to_mkldnn gives torch's own classes, so ours must fail there the same way, not differ."""
    import copy
    import torch.utils.mkldnn
    try:
        with torch.no_grad():
            torch.utils.mkldnn.to_mkldnn(copy.deepcopy(module).eval(), dtype)(x)
    except RuntimeError as error:
        return error
    return None


class Classifier(nn.Module):
    """Embedding -> LSTM -> Linear: the usual text classifier (its Linear becomes torch.utils.mkldnn's
    MkldnnLinear when converted)."""

    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(50, 16)
        self.lstm = nn.LSTM(16, 24, num_layers=2, bidirectional=True, batch_first=True)
        self.classifier = nn.Linear(48, 3)

    def forward(self, tokens: Tensor) -> Tensor:
        _, (h_n, _) = self.lstm(self.embedding(tokens))
        return self.classifier(torch.cat([h_n[-2], h_n[-1]], dim=1))
