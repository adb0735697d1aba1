# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""bench/onnx_peer.py with onnxruntime-node (`make test-ort`, not part of `make test`: it needs npm's
registry, and installs the package into its cache the first time, as `make bench` does): a registry
without the package gives "missing" and why, the exported models equal torch.nn's, and bench/ort/run.js's
protocols answer as run_child expects. Nothing here is skipped: without node and npm it fails."""
import dataclasses
import http.server
import sys
import threading
from pathlib import Path

import pytest
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import onnx_peer  # noqa: E402
import runner  # noqa: E402

QUICK = runner.Protocol(warmup=0.02, seconds=0.02, repeats=3)


def quiet(*_):
    pass


class NotFound(http.server.BaseHTTPRequestHandler):
    """A registry that has nothing: npm fails at once (a 404 is not retried)."""

    def do_GET(self):
        self.send_response(404)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"error": "Not found"}')

    def log_message(self, *_):
        pass


def test_a_registry_without_the_package_gives_missing_and_why(tmp_path, monkeypatch):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), NotFound)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("npm_config_registry", f"http://127.0.0.1:{server.server_address[1]}/")
        status = onnx_peer.prepare(tmp_path, log=quiet)
    finally:
        server.shutdown()
    assert not status.ok
    assert str(status).startswith("missing: npm could not install onnxruntime-node@")
    assert "E404" in status.reason
    assert not (tmp_path / f"onnxruntime-node-{onnx_peer.ORT_VERSION}").exists()  # no half-done install left
    assert onnx_peer.seed_rate(status, 15, 1) is None


@pytest.fixture(scope="module")
def status():
    """prepare() on the default cache: installs and exports when the cache does not hold them yet."""
    prepared = onnx_peer.prepare(onnx_peer.DEFAULT_CACHE, log=quiet)
    assert prepared.ok, prepared.reason
    return prepared


@pytest.mark.parametrize("name", list(onnx_peer.MODELS))
def test_exported_models_equal_torch_nn(status, name, tmp_path):
    model = onnx_peer.MODELS[name]
    module = onnx_peer._module(torch, model)
    diff = onnx_peer._check(torch, model, module, status.model(name), status.node, status.package, tmp_path)
    assert diff <= onnx_peer.TOLERANCE


def test_the_check_catches_other_weights(status, tmp_path):
    model = onnx_peer.MODELS["seed"]
    torch.manual_seed(5)
    other = torch.nn.LSTM(model.input, model.hidden).eval()
    with pytest.raises(RuntimeError, match="differs from torch.nn"):
        onnx_peer._check(torch, model, other, status.model("seed"), status.node, status.package, tmp_path)


@pytest.mark.parametrize("threads", [1, 2])
def test_rate_reports_the_threads_it_set(status, threads):
    result = onnx_peer.seed_rate(status, 1, threads, QUICK)
    assert result["threads"] == threads and result["session_threads"] == threads
    assert result["rate_min"] <= result["rate"] <= result["rate_max"]
    assert onnx_peer.binding_overhead_us(status, threads, QUICK) > 0


def test_stream_times_every_request(status):
    shapes = [(10, 1), (12, 3), (10, 1), (25, 8)]
    result = onnx_peer.stream(status, "gru_stream", shapes, 1)
    assert (result["calls"], result["shapes"]) == (4, 3)
    assert 0 < result["p50_ms"] <= result["p99_ms"] == result["max_ms"] < 1e3 * result["total_s"]
    batch_first = onnx_peer.stream(status, "lstm_stream", [(5, 2), (1, 1)], 1)
    assert batch_first["calls"] == 2


def test_a_failing_child_turns_the_status_missing(status, tmp_path):
    broken = dataclasses.replace(status, cache=tmp_path)  # no models there: run.js cannot load one
    assert onnx_peer.seed_rate(broken, 15, 1, QUICK) is None
    assert not broken.ok and str(broken).startswith("missing: onnxruntime-node failed: run.js: ")
    assert onnx_peer.seed_rate(broken, 15, 1, QUICK) is None  # skipped from then on
    assert status.ok
