# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""Checks, on import and before the op library is loaded, that this process's torch is one the library
was built for; raises ImportError saying what differs and what to do.

libmkldnn_rnn_torch.so is C++ linked against one libtorch. torch's C++ ABI is not kept across minor
releases, and a library compiled with the other libstdc++ string ABI (_GLIBCXX_USE_CXX11_ABI) than torch
fails to load with undefined symbols, or worse: without this check either shows as a dlopen error about
mangled names, or a crash. What the library was built with is in _build_info.py, which CMake generates
(cmake/install.cmake): an installed package (the wheel) has it beside this file; in the source tree it
is in the build folder whose library _library.load() will load. Without one (a library named by
$MKLDNN_RNN_TORCH_LIBRARY, a build folder older than the file), torch must be one of SUPPORTED_SERIES and
the ABI goes unchecked.
"""
import re
from pathlib import Path

from ._version import read_build_info

# The torch series this release is built and tested against: Debian 12's and Debian 13's python3-torch
# (docs/support.md). A build runs with the one series it was built against.
SUPPORTED_SERIES = ("1.13", "2.6")


def series(version):
    """'1.13' for '1.13.0', '1.13.0a0+gitunknown', '1.13.1'; None when there is no major.minor."""
    match = re.match(r"(\d+)\.(\d+)", str(version))
    return f"{match.group(1)}.{match.group(2)}" if match else None


def build_info_for(library):
    """The build facts of the build that made `library` (a libmkldnn_rnn_torch.so), or None if unknown."""
    library = Path(library)
    for path in (library.parent.parent / "_build_info.py",                          # <package>/lib/
                 library.parent.parent / "python" / "mkldnn_rnn" / "_build_info.py"):  # <build folder>/lib/
        if path.is_file():
            return read_build_info(path)
    return None


def wanted_series(built):
    """The torch major.minor series an op library built as `built` (a build-info dict, or None) may run with:
    the one it was built against, or any supported one when that is unknown."""
    built_version = (built or {}).get("TORCH_VERSION")
    return (series(built_version),) if built_version else SUPPORTED_SERIES


def problems(torch_version, torch_cxx11_abi, built):
    """What keeps an op library built as `built` (a build-info dict, or None when unknown) from working with
    a torch of version `torch_version` and _GLIBCXX_USE_CXX11_ABI `torch_cxx11_abi` (None when unknown):
    a list of sentences, empty when nothing does."""
    found = []
    built = built or {}
    want = wanted_series(built)
    if series(torch_version) not in want:
        found.append(f"was built against torch {built.get('TORCH_VERSION') or ' or '.join(want)} and this is "
                     f"torch {torch_version} (torch's C++ ABI changes between minor releases: the major.minor "
                     f"must be {' or '.join(want)})")
    built_abi = built.get("CXX11_ABI")
    if built_abi is not None and torch_cxx11_abi is not None and bool(built_abi) != bool(torch_cxx11_abi):
        found.append(f"was compiled with _GLIBCXX_USE_CXX11_ABI={int(bool(built_abi))} and this torch "
                     f"with {int(bool(torch_cxx11_abi))} (torch._C._GLIBCXX_USE_CXX11_ABI)")
    return found


def check():
    """Raises ImportError if this process's torch cannot run the op library that will be loaded."""
    try:
        import torch
    except ImportError as error:
        raise ImportError(f"mkldnn_rnn needs PyTorch {' or '.join(SUPPORTED_SERIES)} (on Debian 12 and 13: "
                          f"apt-get install python3-torch), and `import torch` failed: {error}") from error
    from . import _library, _version  # _library imports torch too, hence after the check above

    library = _library.find()
    if library is None:
        return  # _library.load() says where it looked
    built = build_info_for(library)
    found = problems(torch.__version__, getattr(torch._C, "_GLIBCXX_USE_CXX11_ABI", None), built)
    if found:
        raise ImportError(
            f"mkldnn_rnn {_version.__version__} cannot use this PyTorch ({Path(torch.__file__).parent}): "
            f"its op library {library} " + "; and it ".join(found) + f". Use torch {' or '.join(wanted_series(built))} "
            "(Debian 12 or 13: python3-torch), or rebuild mkldnn_rnn against this torch "
            "(`pip install --no-build-isolation .` in its source tree).")


check()
