# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""bench/onnx_peer.py, the ONNX Runtime peer of the benchmark, where nothing is installed: it says why and
never raises, and its streams are seeded. What needs onnxruntime-node itself (npm, a download) is in
tests/ort/, run by `make test-ort`."""
import sys
from pathlib import Path


sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import onnx_peer  # noqa: E402


def quiet(*_):
    pass


def test_no_node_and_no_apt_gives_missing_and_why(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # neither node nor apt-get: nothing is installed
    status = onnx_peer.prepare(tmp_path / "cache", log=quiet)
    assert not status.ok and "apt-get install nodejs npm" in str(status)
    assert onnx_peer.seed_rate(status, 1, 1) is None
    assert onnx_peer.binding_overhead_us(status, 1) is None
    assert onnx_peer.stream(status, "gru_stream", [(10, 1)], 1) is None
