# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""The package's version, from its one source: `project(mkldnn_rnn VERSION ...)` in CMakeLists.txt.

An installed package (a wheel, `make install`) reads it from _build_info.py, which CMake generates
from that line and the wheel carries; pip's metadata (importlib.metadata.version("mkldnn_rnn")) is the
same number, which setup.py reads from the same line. The source tree (PYTHONPATH=python, nothing
installed) has no _build_info.py: there the line itself is read.
"""
import ast
import re
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
_CMAKE_PROJECT = re.compile(r"project\(\s*mkldnn_rnn\s+VERSION\s+([0-9][0-9A-Za-z.]*)")


def version_from_cmake(cmakelists):
    """The VERSION of `project(mkldnn_rnn VERSION x.y.z ...)` in the file `cmakelists`, or None."""
    try:
        match = _CMAKE_PROJECT.search(Path(cmakelists).read_text())
    except OSError:
        return None
    return match.group(1) if match else None


def read_build_info(path):
    """The assignments of a generated _build_info.py, as a dict (read, not executed)."""
    info = {}
    for node in ast.parse(Path(path).read_text(), str(path)).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            info[node.targets[0].id] = ast.literal_eval(node.value)
    return info


def _version():
    try:
        from ._build_info import VERSION
        return VERSION
    except ImportError:
        pass
    found = version_from_cmake(_PACKAGE_DIR.parent.parent / "CMakeLists.txt")
    if found:
        return found
    try:
        from importlib.metadata import version
        return version("mkldnn_rnn")
    except Exception:  # noqa: BLE001 - not installed either: say so rather than fail the import
        return "0+unknown"


__version__ = _version()
