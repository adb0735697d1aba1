# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""mkldnn_rnn.load: torch.jit.load of an archive whose CRC-32s and pickles were checked first. An intact
archive loads exactly as torch.jit.load loads it; a corrupt one is a RuntimeError naming the member,
where torch 1.13 would load a wrong weight silently (no CRC check) or segfault (corrupt pickle)."""
import io
import struct
import sys
import zipfile
from pathlib import Path

import pytest
import torch
from torch import nn

import mkldnn_rnn

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reliability"))
from model_fuzz import REGRESSIONS, rezip  # noqa: E402


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(5, 7, num_layers=2, bidirectional=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.lstm(x)[0]


@pytest.fixture(scope="module")
def archive():
    """(bytes of a saved scripted converted model, its input, its output)."""
    torch.manual_seed(0)
    model = torch.jit.script(mkldnn_rnn.to_mkldnn(Encoder().eval()))
    x = torch.randn(6, 3, 5)
    buffer = io.BytesIO()
    torch.jit.save(model, buffer, _extra_files={"note.txt": "kept"})
    return buffer.getvalue(), x, run(model, x)


def run(model, x):
    with torch.no_grad():
        return model(x)


def test_loads_path_and_file_object_like_torch_jit_load(archive, tmp_path):
    data, x, want = archive
    path = tmp_path / "model.pt"
    path.write_bytes(data)
    extra = {"note.txt": ""}
    assert torch.equal(run(mkldnn_rnn.load(path, _extra_files=extra), x), want)
    assert extra["note.txt"] in ("kept", b"kept")
    assert torch.equal(run(mkldnn_rnn.load(str(path), map_location="cpu"), x), want)
    with open(path, "rb") as f:
        assert torch.equal(run(mkldnn_rnn.load(f), x), want)
    assert torch.equal(run(mkldnn_rnn.load(io.BytesIO(data)), x), want)


def record_offset(data, member):
    """Offset of `member`'s first byte in the archive (after its local header, whose extra field torch
    pads for alignment, so the central directory's copy of the header does not give it)."""
    header = zipfile.ZipFile(io.BytesIO(data)).getinfo(member).header_offset
    name_length, extra_length = struct.unpack("<HH", data[header + 26:header + 30])
    return header + 30 + name_length + extra_length


def test_bit_flip_in_a_weight_record_is_refused(archive):
    data, _, _ = archive
    corrupt = bytearray(data)
    corrupt[record_offset(data, "archive/data/0") + 2] ^= 0x40
    with pytest.raises(RuntimeError, match=r"mkldnn_rnn.load: .*member 'archive/data/0' is corrupt: .*CRC"):
        mkldnn_rnn.load(io.BytesIO(bytes(corrupt)))


def test_malformed_pickle_is_refused_before_torch_unpickles_it(archive):
    # torch.jit.load segfaults on this one (REGRESSIONS[1]); it must never reach it.
    _, _, corrupt = REGRESSIONS[1]
    with pytest.raises(RuntimeError, match=r"member 'archive/constants.pkl' is not a well-formed pickle: "
                                           r"ValueError: tries to pop 2 items"):
        mkldnn_rnn.load(io.BytesIO(corrupt(archive[0])))


def test_short_tensor_record_is_refused(archive):
    # torch 1.13 sizes the storage from data.pkl and reads past the end of a shorter record.
    data, _, _ = archive
    record = zipfile.ZipFile(io.BytesIO(data)).read("archive/data/0")
    corrupt = rezip(data, "archive/data/0", lambda content: content[:-4])
    with pytest.raises(RuntimeError, match=rf"tensor record 'archive/data/0' holds {len(record) - 4} bytes, "
                                           rf"'archive/data.pkl' gives its storage {len(record)}"):
        mkldnn_rnn.load(io.BytesIO(corrupt))


def test_missing_tensor_record_is_refused(archive):
    data, _, _ = archive
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
        for info in source.infolist():
            if info.filename != "archive/data/0":
                z.writestr(info, source.read(info))
    with pytest.raises(RuntimeError, match=r"references the tensor record 'archive/data/0', which is missing"):
        mkldnn_rnn.load(io.BytesIO(out.getvalue()))


@pytest.mark.parametrize("cut", [0, 100, -100])
def test_truncated_or_foreign_file_is_refused(archive, tmp_path, cut):
    path = tmp_path / "model.pt"
    path.write_bytes(archive[0][:cut])
    with pytest.raises(RuntimeError, match=rf"mkldnn_rnn.load: {path}: not a readable TorchScript archive"):
        mkldnn_rnn.load(path)
