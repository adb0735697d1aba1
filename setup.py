# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""Builds the wheel of mkldnn_rnn (pyproject.toml has the metadata; README.md, "Install", the commands).

CMake builds libmkldnn_rnn and libmkldnn_rnn_torch, and the wheel carries them in mkldnn_rnn/lib/, where
mkldnn_rnn/_library.py looks, with the generated mkldnn_rnn/_build_info.py (the version, and the torch
the op library was built against, which mkldnn_rnn/_compat.py checks at import). The op library finds the
core beside it through its RUNPATH $ORIGIN, and oneDNN, OpenMP and libtorch in the system's library folders
(Debian 12: libdnnl2, libgomp1, libtorch1.13), so the wheel is for the system it was built on.

Environment, all optional:
  MKLDNN_RNN_CMAKE_BUILD_DIR  take the libraries from this existing CMake build folder of this source tree
                              (e.g. the `make build` one), after bringing its two libraries up to date,
                              instead of a build of the wheel's own. `make wheel` and the packaging test do.
  MKLDNN_RNN_WHEEL_BUILD_DIR  setuptools' build folder, and in it the wheel's own CMake build (cmake/, which
                              compiles the two libraries only) and their install (stage/); default:
                              build-wheel/ beside this file.
  MKLDNN_RNN_CMAKE_ARGS       more arguments for the configure of that build (e.g. -DCMAKE_CXX_FLAGS=-O2).
  MKLDNN_RNN_BUILD_JOBS       parallel compile jobs (default: the number of CPUs).
"""
import importlib.util
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Distribution, setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
PACKAGE = "mkldnn_rnn"
TARGETS = ["mkldnn_rnn", "mkldnn_rnn_torch"]


def _load_by_path(name, path):
    """A module of the package loaded alone: importing the package would load the op library."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_version = _load_by_path("_mkldnn_rnn_version", HERE / "python" / PACKAGE / "_version.py")
VERSION = _version.version_from_cmake(HERE / "CMakeLists.txt")  # the one source of the version
if not VERSION:
    sys.exit(f"setup.py: no `project(mkldnn_rnn VERSION ...)` in {HERE / 'CMakeLists.txt'}")

WHEEL_BUILD_DIR = Path(os.environ.get("MKLDNN_RNN_WHEEL_BUILD_DIR") or HERE / "build-wheel").resolve()


def _run(command):
    print("setup.py:", " ".join(shlex.quote(str(word)) for word in command), flush=True)
    subprocess.run([str(word) for word in command], check=True)


def _cmake_cache(build_dir, name):
    """The value of `name` in the build folder's CMakeCache.txt, or None."""
    for line in (build_dir / "CMakeCache.txt").read_text().splitlines():
        if line.startswith(name + ":"):
            return line.split("=", 1)[1]
    return None


def build_libraries():
    """Builds the two libraries; returns (their files, the generated _build_info.py)."""
    cmake = shutil.which("cmake")
    if cmake is None:
        sys.exit("setup.py: the build needs CMake >= 3.18 (Debian: apt-get install cmake)")
    jobs = os.environ.get("MKLDNN_RNN_BUILD_JOBS") or str(os.cpu_count() or 1)
    existing = os.environ.get("MKLDNN_RNN_CMAKE_BUILD_DIR")
    if existing:
        build_dir = Path(existing).resolve()
        if not (build_dir / "CMakeCache.txt").is_file():
            sys.exit(f"setup.py: MKLDNN_RNN_CMAKE_BUILD_DIR={existing} is not a configured CMake build folder")
        home = _cmake_cache(build_dir, "CMAKE_HOME_DIRECTORY")
        if home is None or Path(home).resolve() != HERE:
            sys.exit(f"setup.py: MKLDNN_RNN_CMAKE_BUILD_DIR={existing} is a build of {home}, not of {HERE}")
        if (_cmake_cache(build_dir, "MKLDNN_RNN_BUILD_TORCH") or "ON").upper() in ("OFF", "0", "FALSE", "NO"):
            sys.exit(f"setup.py: MKLDNN_RNN_CMAKE_BUILD_DIR={existing} was configured without the torch "
                     "integration (-DMKLDNN_RNN_BUILD_TORCH=OFF): the package needs libmkldnn_rnn_torch")
    else:
        build_dir = WHEEL_BUILD_DIR / "cmake"
        _run([cmake, "-S", HERE, "-B", build_dir, "-DCMAKE_BUILD_TYPE=Release",
              "-DMKLDNN_RNN_BUILD_TESTS=OFF", "-DMKLDNN_RNN_BUILD_BENCH=OFF", "-DMKLDNN_RNN_BUILD_TORCH=ON",
              *shlex.split(os.environ.get("MKLDNN_RNN_CMAKE_ARGS", ""))])
    _run([cmake, "--build", build_dir, "-j", jobs, "--target", *TARGETS])

    # Installed, not copied from the build tree, whose RUNPATH also names the build folder.
    stage = WHEEL_BUILD_DIR / "stage"
    shutil.rmtree(stage, ignore_errors=True)
    _run([cmake, "--install", build_dir, "--prefix", stage, "--component", "runtime"])

    listing = build_dir / "python" / "wheel_files.txt"
    build_info = build_dir / "python" / PACKAGE / "_build_info.py"
    if not listing.is_file() or not build_info.is_file():
        sys.exit(f"setup.py: {build_dir} has no {listing.name} or {build_info.name}, which cmake/install.cmake "
                 f"generates: re-run `cmake {build_dir}`")
    built = _version.read_build_info(build_info)
    if built.get("VERSION") != VERSION:
        sys.exit(f"setup.py: {build_info} says version {built.get('VERSION')}, CMakeLists.txt {VERSION}: "
                 f"re-run `cmake {build_dir}`")
    files = [stage / line for line in listing.read_text().splitlines() if line.strip()]
    for path in files:
        if not path.is_file():
            sys.exit(f"setup.py: {path} was not installed")
    return files, build_info


class BuildPyWithLibraries(build_py):
    """build_py, then the libraries into <package>/lib/ and _build_info.py into the package."""

    def run(self):
        package_dir = Path(self.build_lib) / PACKAGE
        shutil.rmtree(package_dir, ignore_errors=True)  # nothing left from an earlier build of other sources
        super().run()
        files, build_info = build_libraries()
        (package_dir / "lib").mkdir(parents=True, exist_ok=True)
        for path in files:
            # The core goes in under its SONAME, the name the op library asks for: copied, not linked
            # (a wheel holds no symlinks), and once.
            shutil.copy2(path, package_dir / "lib" / path.name, follow_symlinks=True)
        shutil.copy2(build_info, package_dir / "_build_info.py")


class BinaryDistribution(Distribution):
    """Holds compiled code (not a Python extension, though): installed as platform files, in platlib."""

    def has_ext_modules(self):
        return True


commands = {"build_py": BuildPyWithLibraries}
try:
    from wheel.bdist_wheel import bdist_wheel

    class PlatformWheel(bdist_wheel):
        """Tagged py3-none-<platform>: the libraries are for this platform, but no Python ABI is involved."""

        def get_tag(self):
            return ("py3", "none", super().get_tag()[2])

    commands["bdist_wheel"] = PlatformWheel
except ImportError:  # without the wheel package there is no bdist_wheel to adjust
    pass

# setuptools' own files (build/, <package>.egg-info) go to WHEEL_BUILD_DIR: build/ beside this file is the
# CMake build folder of `make build`, and the source tree stays clean.
(WHEEL_BUILD_DIR / "egg-info").mkdir(parents=True, exist_ok=True)
setup(
    version=VERSION,
    distclass=BinaryDistribution,
    cmdclass=commands,
    options={"build": {"build_base": str(WHEEL_BUILD_DIR)},
             "egg_info": {"egg_base": str(WHEEL_BUILD_DIR / "egg-info")}},
)
