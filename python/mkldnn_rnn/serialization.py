# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""load(): torch.jit.load with the archive checked first, for files that may be corrupt.

torch 1.13's torch.jit.load trusts the archive it reads. Its zip reader skips the CRC-32 checks (a
flipped bit in a weight record loads as a wrong weight, silently), and its unpickler does not check its
stack (a corrupt pickle can make it segfault: tests/reliability/model_fuzz.py, REGRESSIONS[1]), nor a
tensor record's size against the storage size the pickle declares (a short record is read past its end).
load() reads the archive once, verifies every member's CRC-32, walks every pickle with pickletools
(which checks each opcode's stack effect and memo references), checks that every storage data.pkl and
constants.pkl reference has a record of at least its size, and only then hands the bytes to
torch.jit.load. A corrupt archive is a RuntimeError naming the file and the member. What the checks
cannot see (a well-formed pickle with wrong values) is left to torch and to PackedWeights' own checks.
"""
import io
import os
import pickle
import pickletools
import posixpath
import zipfile
from typing import Any, BinaryIO, Dict, Optional, Union

import torch


class _Discard(io.TextIOBase):
    """pickletools.dis writes a listing; only its checks are wanted."""

    def write(self, text: str) -> int:
        return len(text)


# Bytes per element of the storage types torch.jit.save names in a pickle ("torch", "FloatStorage").
_ELEMENT_BYTES = {
    "BoolStorage": 1, "ByteStorage": 1, "CharStorage": 1, "QInt8Storage": 1, "QUInt8Storage": 1,
    "QUInt4x2Storage": 1, "QUInt2x4Storage": 1, "ShortStorage": 2, "HalfStorage": 2, "BFloat16Storage": 2,
    "IntStorage": 4, "FloatStorage": 4, "QInt32Storage": 4, "LongStorage": 8, "DoubleStorage": 8,
    "ComplexFloatStorage": 8, "ComplexDoubleStorage": 16,
}


class _Stub:
    """Stands for every object of a TorchScript pickle: nothing is imported or constructed."""

    def __new__(cls, *args, **kwargs):
        return object.__new__(cls)

    def __init__(self, *args, **kwargs):
        pass

    def __setstate__(self, state):
        pass

    def __setitem__(self, key, value):
        pass

    def append(self, value):
        pass

    def extend(self, values):
        pass


class _StorageReader(pickle.Unpickler):
    """Unpickles into stubs, collecting the storages the pickle references: (record key, bytes)."""

    def __init__(self, data: bytes):
        super().__init__(io.BytesIO(data))
        self.storages = []

    def find_class(self, module, name):
        return name if module == "torch" and name in _ELEMENT_BYTES else _Stub

    def persistent_load(self, pid):
        # torch.jit.save writes ("storage", torch.<Type>Storage, key, device, element count).
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage" and pid[1] in _ELEMENT_BYTES
                and isinstance(pid[2], str) and isinstance(pid[4], int) and pid[4] >= 0):
            raise pickle.UnpicklingError(f"unexpected persistent id {pid!r}")
        self.storages.append((pid[2], pid[4] * _ELEMENT_BYTES[pid[1]]))
        return _Stub()


def check_archive(data: bytes, name: str = "<bytes>") -> None:
    """Raises RuntimeError unless `data` is a zip archive whose members all match their CRC-32, whose
    pickles (*.pkl, *.debug_pkl) are well formed, and whose tensor records are at least as long as the
    storages data.pkl and constants.pkl give them."""
    def corrupt(what: str, exc: Optional[BaseException] = None) -> RuntimeError:
        detail = f": {type(exc).__name__}: {exc}" if exc is not None else ""
        return RuntimeError(f"mkldnn_rnn.load: {name}: {what}{detail}")

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except Exception as exc:  # noqa: BLE001 - whatever Python's zip reader trips on, the archive is corrupt
        raise corrupt("not a readable TorchScript archive (zip)", exc) from None
    for info in members:
        try:
            content = archive.read(info)  # raises BadZipFile on a CRC-32 mismatch
        except Exception as exc:  # noqa: BLE001
            raise corrupt(f"member {info.filename!r} is corrupt", exc) from None
        if info.filename.endswith((".pkl", ".debug_pkl")):
            try:
                pickletools.dis(content, out=_Discard())
            except Exception as exc:  # noqa: BLE001 - pickletools raises ValueError, IndexError, ...
                raise corrupt(f"member {info.filename!r} is not a well-formed pickle", exc) from None
        if posixpath.basename(info.filename) in ("data.pkl", "constants.pkl"):
            _check_storages(archive, info.filename, content, corrupt)


def _check_storages(archive: zipfile.ZipFile, member: str, content: bytes, corrupt) -> None:
    """Every storage `member` references has its record (".../data.pkl" -> ".../data/<key>") of at
    least the bytes the pickle gives it."""
    reader = _StorageReader(content)
    try:
        reader.load()
    except Exception as exc:  # noqa: BLE001 - a pickle pickletools passed but that does not unpickle
        raise corrupt(f"member {member!r} does not unpickle", exc) from None
    folder = member[:-len(".pkl")]
    sizes = {info.filename: info.file_size for info in archive.infolist()}
    for key, nbytes in reader.storages:
        record = f"{folder}/{key}"
        if record not in sizes:
            raise corrupt(f"member {member!r} references the tensor record {record!r}, which is missing")
        if sizes[record] < nbytes:
            raise corrupt(f"tensor record {record!r} holds {sizes[record]} bytes, {member!r} gives its storage "
                          f"{nbytes}")


def load(f: Union[str, os.PathLike, BinaryIO], map_location: Any = None,
         _extra_files: Optional[Dict[str, Any]] = None) -> torch.jit.ScriptModule:
    """torch.jit.load(f, map_location, _extra_files) after check_archive() of the file's bytes.

    `f` is a path or a binary file object, as for torch.jit.load. The checks read every member once
    (about as long as torch.jit.load itself takes to read them)."""
    if isinstance(f, (str, os.PathLike)):
        name = os.fspath(f)
        with open(f, "rb") as stream:
            data = stream.read()
    else:
        name = str(getattr(f, "name", "<file object>"))
        data = f.read()
    check_archive(data, name)
    return torch.jit.load(io.BytesIO(data), map_location=map_location, _extra_files=_extra_files)
