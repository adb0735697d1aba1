# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""Packaging as users meet it (README.md, "Install"); `make test-packaging`, part of `make test`.

* The wheel: pip builds it from this source tree (pyproject.toml, setup.py); it is installed into a fresh
  `python3 -m venv --system-site-packages` (which sees Debian's torch), imported from another folder with no
  environment variable, compared with torch.nn, made to refuse a torch it was not built for, and
  uninstalled without a trace.
* The CMake package: `cmake --install` of the build folder into a temporary prefix, then
  examples/find_package_consumer configured against it with find_package(mkldnn_rnn), built, run and
  compared with torch.nn; with the torch component, a libtorch program in which linking mkldnn_rnn::torch
  registers the ops even under -Wl,--as-needed.

Both reuse the build folder (MKLDNN_RNN_BUILD_DIR, default build/; `make build` made it): the wheel takes
its two libraries from there. MKLDNN_RNN_PACKAGING_FRESH=1 makes the wheel configure and compile a build of
its own instead, which is what `pip install .` does for a user (minutes on 2 cores).
"""
import json
import os
import re
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
import torch

REPO = Path(__file__).resolve().parents[2]
BUILD_DIR = Path(os.environ.get("MKLDNN_RNN_BUILD_DIR", REPO / "build")).resolve()
FRESH = os.environ.get("MKLDNN_RNN_PACKAGING_FRESH", "0") not in ("", "0")
RTOL, ATOL = 1.3e-6, 1e-5  # as tests/python/conftest.py (torch's own test_mkldnn.py)

sys.path.insert(0, str(REPO / "python"))


def cmake_version():
    match = re.search(r"project\(\s*mkldnn_rnn\s+VERSION\s+([0-9.]+)", (REPO / "CMakeLists.txt").read_text())
    assert match, "CMakeLists.txt has no project(mkldnn_rnn VERSION ...)"
    return match.group(1)


def user_env():
    """The environment of a user: nothing pointing into this checkout."""
    return {key: value for key, value in os.environ.items()
            if key != "PYTHONPATH" and not key.startswith("MKLDNN_RNN_")}


def run(command, **kwargs):
    """Runs a command; on failure, the assertion shows its output."""
    kwargs.setdefault("env", user_env())
    result = subprocess.run([str(word) for word in command], capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, (f"{' '.join(map(str, command))} exited with {result.returncode}\n"
                                    f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}")
    return result


def needs_build():
    if not (BUILD_DIR / "CMakeCache.txt").is_file():
        pytest.fail(f"{BUILD_DIR} is not a configured build folder: run `make build` first")


# --- The wheel ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """The wheel pip builds from this source tree, as `make wheel` does."""
    needs_build()
    work = tmp_path_factory.mktemp("wheel")
    env = user_env()
    env["MKLDNN_RNN_WHEEL_BUILD_DIR"] = str(work / "build")  # setuptools' files, out of the source tree
    if not FRESH:
        env["MKLDNN_RNN_CMAKE_BUILD_DIR"] = str(BUILD_DIR)
    run([sys.executable, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps", "--no-index",
         "--no-cache-dir", "-w", work / "dist", REPO], env=env)
    wheels = list((work / "dist").glob("mkldnn_rnn-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def dynamic_section(library):
    return run(["readelf", "-d", library]).stdout


def test_wheel_holds_the_package_and_its_libraries(wheel, tmp_path):
    version = cmake_version()
    assert wheel.name == f"mkldnn_rnn-{version}-py3-none-linux_x86_64.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        root = REPO / "python"
        sources = {path.relative_to(root).as_posix() for path in (root / "mkldnn_rnn").rglob("*")
                   if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"}
        libraries = {"mkldnn_rnn/lib/libmkldnn_rnn.so.0", "mkldnn_rnn/lib/libmkldnn_rnn_torch.so"}
        dist_info = {f"mkldnn_rnn-{version}.dist-info/{name}" for name in ("METADATA", "WHEEL", "RECORD",
                                                                           "top_level.txt")}
        assert names == sources | libraries | dist_info | {"mkldnn_rnn/_build_info.py"}
        metadata = archive.read(f"mkldnn_rnn-{version}.dist-info/METADATA").decode()
        archive.extractall(tmp_path)
    assert f"\nVersion: {version}\n" in metadata
    assert "Requires-Dist" not in metadata  # no torch requirement (pip would go looking for one)

    from mkldnn_rnn._version import read_build_info
    built = read_build_info(tmp_path / "mkldnn_rnn" / "_build_info.py")
    assert built == {"VERSION": version, "TORCH_VERSION": built["TORCH_VERSION"],
                     "CXX11_ABI": torch._C._GLIBCXX_USE_CXX11_ABI}
    assert built["TORCH_VERSION"].split(".")[:2] == torch.__version__.split(".")[:2]

    # The op library finds the core beside it, and only there: no build folder in the RUNPATH.
    for name in libraries:
        assert re.search(r"\(RUNPATH\)\s+Library runpath: \[\$ORIGIN\]", dynamic_section(tmp_path / name)), name
    op_library = tmp_path / "mkldnn_rnn" / "lib" / "libmkldnn_rnn_torch.so"
    assert "Shared library: [libmkldnn_rnn.so.0]" in dynamic_section(op_library)


SMOKE = textwrap.dedent("""
    import importlib.metadata, json, sys
    import torch
    import mkldnn_rnn

    torch.manual_seed(0)
    lstm = torch.nn.LSTM(10, 20, num_layers=2, bidirectional=True, batch_first=True).eval()
    x = torch.randn(3, 7, 10)
    converted = mkldnn_rnn.to_mkldnn(lstm)
    with torch.no_grad():
        want, (want_h, want_c) = lstm(x)
        got, (got_h, got_c) = converted(x)
    for g, w in ((got, want), (got_h, want_h), (got_c, want_c)):
        torch.testing.assert_close(g, w, rtol={rtol}, atol={atol})
    print(json.dumps({{
        "file": mkldnn_rnn.__file__,
        "version": mkldnn_rnn.__version__,
        "metadata_version": importlib.metadata.version("mkldnn_rnn"),
        "libraries": sorted(torch.ops.loaded_libraries),
        "max_diff": max((g - w).abs().max().item() for g, w in ((got, want), (got_h, want_h), (got_c, want_c))),
    }}))
""").format(rtol=RTOL, atol=ATOL)


def test_wheel_installs_imports_and_uninstalls(wheel, tmp_path):
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--system-site-packages", venv])
    python = venv / "bin" / "python"
    run([python, "-m", "pip", "install", "--no-index", "--no-deps", "--no-cache-dir", wheel])
    site = Path(run([python, "-c", "import sysconfig; print(sysconfig.get_path('platlib'))"]).stdout.strip())
    package = site / "mkldnn_rnn"
    dist_info = site / f"mkldnn_rnn-{cmake_version()}.dist-info"
    assert (package / "lib" / "libmkldnn_rnn_torch.so").is_file() and dist_info.is_dir()

    elsewhere = tmp_path / "elsewhere"  # not the source tree, not the venv: a user's folder
    elsewhere.mkdir()
    smoke = json.loads(run([python, "-c", SMOKE], cwd=elsewhere).stdout.splitlines()[-1])
    assert Path(smoke["file"]) == package / "__init__.py"
    assert smoke["version"] == smoke["metadata_version"] == cmake_version()
    assert smoke["libraries"] == [str(package / "lib" / "libmkldnn_rnn_torch.so")]
    assert smoke["max_diff"] <= ATOL

    # A torch of another series or C++ ABI than the build's: a clear ImportError, before any dlopen.
    build_info = package / "_build_info.py"
    text = build_info.read_text()
    abi = torch._C._GLIBCXX_USE_CXX11_ABI
    build_info.write_text(re.sub(r"CXX11_ABI = \w+", f"CXX11_ABI = {not abi}",
                                 re.sub(r'TORCH_VERSION = "[^"]*"', 'TORCH_VERSION = "2.0.1"', text)))
    refused = subprocess.run([str(python), "-c", "import mkldnn_rnn"], cwd=elsewhere, env=user_env(),
                             capture_output=True, text=True)
    assert refused.returncode != 0
    message = refused.stderr.strip().splitlines()[-1]
    assert message.startswith("ImportError: mkldnn_rnn ") and "built against torch 2.0.1" in message, message
    assert f"_GLIBCXX_USE_CXX11_ABI={int(not abi)} and this torch with {int(abi)}" in message, message
    build_info.write_text(text)

    recorded = [site / line.split(",")[0] for line in (dist_info / "RECORD").read_text().splitlines() if line]
    assert all(path.exists() for path in recorded)
    run([python, "-m", "pip", "uninstall", "-y", "mkldnn_rnn"])
    assert [path for path in recorded if path.exists()] == []
    assert not package.exists() and not dist_info.exists()
    assert sorted(path.name for path in site.glob("mkldnn_rnn*")) == []


def test_wheel_build_leaves_the_source_tree_alone(wheel):
    # setuptools' build/ and egg-info went to MKLDNN_RNN_WHEEL_BUILD_DIR; the generated file stays in the build
    assert not (REPO / "python" / "mkldnn_rnn.egg-info").exists()
    assert not (REPO / "mkldnn_rnn.egg-info").exists()
    assert not (REPO / "python" / "mkldnn_rnn" / "_build_info.py").exists()


def test_compat_check_names_what_differs():
    from mkldnn_rnn import _compat

    built = {"VERSION": cmake_version(), "TORCH_VERSION": "1.13.0", "CXX11_ABI": True}
    assert _compat.series("1.13.0a0+gitunknown") == "1.13"
    assert _compat.problems("1.13.0a0+gitunknown", True, built) == []
    assert _compat.problems("1.13.1", None, built) == []  # a torch that does not say its ABI
    [version] = _compat.problems("2.1.0", True, built)
    assert "built against torch 1.13.0 and this is torch 2.1.0" in version and "must be 1.13" in version
    [abi] = _compat.problems("1.13.1", False, built)
    assert "_GLIBCXX_USE_CXX11_ABI=1 and this torch with 0" in abi
    # No build information (a library named by $MKLDNN_RNN_TORCH_LIBRARY): the supported series only.
    assert _compat.problems("1.13.0", False, None) == []
    assert _compat.problems("2.6.0+debian", False, None) == []
    assert "must be 1.13 or 2.6" in _compat.problems("1.12.1", True, None)[0]
    # A build against torch 2.6 runs with 2.6 only.
    built_26 = dict(built, TORCH_VERSION="2.6.0")
    assert _compat.problems("2.6.0+debian", True, built_26) == []
    assert "must be 2.6" in _compat.problems("1.13.1", True, built_26)[0]


def test_source_tree_version_is_the_cmake_version():
    import mkldnn_rnn
    from mkldnn_rnn._version import version_from_cmake

    assert mkldnn_rnn.__version__ == version_from_cmake(REPO / "CMakeLists.txt") == cmake_version()


# --- The CMake package -------------------------------------------------------------------------------------

def test_cmake_package_version_file(tmp_path):
    needs_build()
    version_file = BUILD_DIR / "cmake" / "mkldnn_rnnConfigVersion.cmake"
    script = tmp_path / "probe.cmake"
    # 0.x: a release is compatible with requests for its own minor version only (SameMinorVersion).
    major, minor = (int(part) for part in cmake_version().split(".")[:2])
    same_minor, next_minor = f"{major}.{minor}", f"{major}.{minor + 1}"
    script.write_text(textwrap.dedent(f"""
        foreach(wanted {same_minor} {cmake_version()} {next_minor} 1.0)
          set(PACKAGE_FIND_VERSION ${{wanted}})
          string(REPLACE "." ";" _parts ${{wanted}})
          list(GET _parts 0 PACKAGE_FIND_VERSION_MAJOR)
          list(GET _parts 1 PACKAGE_FIND_VERSION_MINOR)
          unset(PACKAGE_VERSION_COMPATIBLE)
          unset(PACKAGE_VERSION_EXACT)
          include("{version_file}")
          message("${{wanted}} compatible=${{PACKAGE_VERSION_COMPATIBLE}} exact=${{PACKAGE_VERSION_EXACT}}")
        endforeach()
    """))
    lines = run(["cmake", "-P", script]).stderr.splitlines()
    assert lines == [f"{same_minor} compatible=TRUE exact=", f"{cmake_version()} compatible=TRUE exact=TRUE",
                     f"{next_minor} compatible=FALSE exact=", "1.0 compatible=FALSE exact="], lines


def lstm_like_consumer():
    """The nn.LSTM examples/find_package_consumer/main.cpp builds, and its outputs."""
    def filled(size, scale, period, offset):
        return torch.tensor([scale * ((i % period) - offset) for i in range(size)], dtype=torch.float32)

    I, H, T, N = 3, 2, 4, 1
    lstm = torch.nn.LSTM(I, H)
    with torch.no_grad():
        lstm.weight_ih_l0.copy_(filled(4 * H * I, 0.1, 7, 3).view(4 * H, I))
        lstm.weight_hh_l0.copy_(filled(4 * H * H, 0.05, 5, 2).view(4 * H, H))
        lstm.bias_ih_l0.copy_(filled(4 * H, 0.01, 8, 0))
        lstm.bias_hh_l0.copy_(filled(4 * H, -0.02, 3, 1))
        output, (h_n, c_n) = lstm(filled(T * N * I, 0.1, 9, 4).view(T, N, I))
    return {"output": output.flatten(), "h_n": h_n.flatten(), "c_n": c_n.flatten()}


def test_find_package_consumer(tmp_path):
    needs_build()
    prefix = tmp_path / "prefix"
    run(["cmake", "--install", BUILD_DIR, "--prefix", prefix])
    headers = sorted(path.name for path in (REPO / "include" / "mkldnn_rnn").glob("*.hpp"))
    assert sorted(path.name for path in (prefix / "include" / "mkldnn_rnn").iterdir()) == headers
    [config] = prefix.glob("**/cmake/mkldnn_rnn/mkldnn_rnnConfig.cmake")
    with_torch = (config.parent / "mkldnn_rnnTorchTargets.cmake").is_file()
    libraries = {path.name for path in config.parent.parent.parent.glob("libmkldnn_rnn*")}
    assert {"libmkldnn_rnn.so", "libmkldnn_rnn.so.0", f"libmkldnn_rnn.so.{cmake_version()}"} <= libraries
    assert ("libmkldnn_rnn_torch.so" in libraries) == with_torch

    build = tmp_path / "consumer"
    # -Wl,--as-needed first, as some distributions' compilers do by default: mkldnn_rnn::torch must undo it.
    run(["cmake", "-S", REPO / "examples" / "find_package_consumer", "-B", build,
         f"-DCMAKE_PREFIX_PATH={prefix}", "-DCMAKE_BUILD_TYPE=Release", f"-DCONSUMER_WITH_TORCH={'ON' if with_torch else 'OFF'}",
         "-DCMAKE_EXE_LINKER_FLAGS=-Wl,--as-needed"])
    run(["cmake", "--build", build, "-j", "2"])

    printed = {line.split()[0]: torch.tensor([float(v) for v in line.split()[1:]])
               for line in run([build / "consumer"], cwd=tmp_path).stdout.splitlines()}
    want = lstm_like_consumer()
    assert printed.keys() == want.keys()
    for name, values in want.items():
        torch.testing.assert_close(printed[name], values, rtol=RTOL, atol=ATOL, msg=name)

    if with_torch:
        registered = run([build / "consumer_torch"], cwd=tmp_path).stdout.splitlines()
        assert registered == ["registered mkldnn_rnn::rnn", "registered mkldnn_rnn::cell"]
