# mkldnn_rnn: the two commands of README.md, plus the targets they are made of.
#   make bench   install what is missing, build, run the benchmark table (the main job)
#   make bench-avx2  make bench as a CPU without AVX-512 sees it, on one that has it (into results-avx2)
#   make test    install what is missing, build, run every test suite (C++, Python, then packaging)
#   make test-debian13  make test inside a Debian 13 root (torch 2.6, oneDNN 3.7), made once by debootstrap
#   make install the wheel (make wheel) into $(PYTHON)'s environment with pip; make uninstall removes it
# Heavier runs (sanitizers, fuzzing, bounded memory) are in mk/reliability.mk.
# Packages come from Debian only (apt-get, only when missing). PyTorch is importable by /usr/bin/python3
# alone, so every Python step names that interpreter.

PYTHON    ?= /usr/bin/python3
BUILD     ?= build
JOBS      ?= $(shell nproc)
CMAKE_ARGS ?=

BUILD_PACKAGES := cmake make g++ libdnnl-dev ocl-icd-opencl-dev opencl-c-headers opencl-clhpp-headers \
                  libtorch-dev python3-torch libgtest-dev libgmock-dev libbenchmark-dev
# Without OpenBLAS, PyTorch's own LSTM falls back to reference BLAS: tests crawl and benchmarks are unfair.
RUN_PACKAGES   := libopenblas0-pthread python3-pytest python3-numpy python3-distributed
BENCH_PACKAGES := libjemalloc2 python3-matplotlib
# The wheel is built by pip with Debian's setuptools and wheel (no index is asked), and tested in a venv.
PACKAGING_PACKAGES := python3-pip python3-setuptools python3-wheel python3-venv

.PHONY: all deps deps-bench build test test-cpp test-python test-packaging test-ort test-debian13 bench bench-all bench-avx2 bench-memory wheel install \
        uninstall deb clean

all: build

# apt-get update once, then install only what dpkg does not already have.
define install_missing
	@missing="$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done)"; \
	if [ -n "$$missing" ]; then \
	  echo "== installing missing Debian packages:" $$missing; \
	  if [ "$$(id -u)" != 0 ]; then echo "error: run as root (or install: $$missing)" >&2; exit 1; fi; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	fi
endef

deps:
	$(call install_missing,$(BUILD_PACKAGES) $(RUN_PACKAGES) $(PACKAGING_PACKAGES))

deps-bench: deps
	$(call install_missing,$(BENCH_PACKAGES))

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_ARGS)
	cmake --build $(BUILD) -j $(JOBS)

test: build
	$(MAKE) --no-print-directory test-cpp test-python test-packaging

# Then the ISA legs this CPU could not run, each with its reason (CTest lists them as skipped).
test-cpp:
	cd $(BUILD) && ctest --output-on-failure
	@log=$(BUILD)/Testing/Temporary/LastTest.log; \
	if grep -q '^\[ leg \]' $$log; then grep -h '^\[ leg \]' $$log | sort -u; else echo "every ISA leg ran on this CPU"; fi

test-python:
	PYTHONPATH=$(CURDIR)/python MKLDNN_RNN_BUILD_DIR=$(CURDIR)/$(BUILD) $(PYTHON) -m pytest -q -rs tests/python

# The wheel (built from $(BUILD)'s libraries, installed into a fresh venv, used, uninstalled) and the CMake
# package (installed from $(BUILD) into a temporary prefix, used by examples/find_package_consumer).
# MKLDNN_RNN_PACKAGING_FRESH=1 lets the wheel compile its own build instead, as `pip install .` does.
test-packaging:
	MKLDNN_RNN_BUILD_DIR=$(abspath $(BUILD)) $(PYTHON) -m pytest -q tests/packaging

# The same `make test` on Debian 13 (torch 2.6, oneDNN 3.7, GCC 14, Python 3.13), in a root made once with
# debootstrap from the mirror apt uses here and kept in $(DEBIAN13_ROOT) (mk/debian13.sh).
DEBIAN13_ROOT ?= $(HOME)/.cache/mkldnn_rnn/debian13
test-debian13:
	DEBIAN13_ROOT=$(DEBIAN13_ROOT) bash mk/debian13.sh test

# ONNX Runtime, the benchmark's peer, with onnxruntime-node itself (npm's registry; installed into its
# cache the first time, as make bench does). Not part of make test, which must not need the registry.
test-ort: build
	PYTHONPATH=$(CURDIR)/python MKLDNN_RNN_BUILD_DIR=$(CURDIR)/$(BUILD) $(PYTHON) -m pytest -q tests/ort

bench: deps-bench build
	PYTHONPATH=$(CURDIR)/python MKLDNN_RNN_BUILD_DIR=$(CURDIR)/$(BUILD) $(PYTHON) bench/run_bench.py --out results

# The memory a large converted model costs a process against nn.LSTM (docs/performance.md; ~40 s).
bench-memory: deps-bench build
	mkdir -p results
	PYTHONPATH=$(CURDIR)/python MKLDNN_RNN_BUILD_DIR=$(CURDIR)/$(BUILD) $(PYTHON) bench/memory_growth.py --out results/memory.csv

bench-all: deps-bench build
	PYTHONPATH=$(CURDIR)/python MKLDNN_RNN_BUILD_DIR=$(CURDIR)/$(BUILD) $(PYTHON) bench/run_bench.py --all --out results

# make bench with every cap a library reads set to AVX2: our kernels and the ceiling probes
# (MKLDNN_RNN_MAX_ISA), oneDNN 2.x and 3.x (DNNL_ and ONEDNN_MAX_CPU_ISA: oneDNN-direct cells, our oneDNN
# implementations, torch's oneDNN), torch's ATen kernels (ATEN_CPU_CAPABILITY) and torch.nn's OpenBLAS
# (OPENBLAS_CORETYPE=Haswell, which run_bench.py keeps). ONNX Runtime's MLAS has no such cap: its column
# stays as the CPU allows, and bench.md says so.
AVX2_CAPS := MKLDNN_RNN_MAX_ISA=avx2 DNNL_MAX_CPU_ISA=AVX2 ONEDNN_MAX_CPU_ISA=AVX2 ATEN_CPU_CAPABILITY=avx2 \
             OPENBLAS_CORETYPE=Haswell
bench-avx2: deps-bench build
	$(AVX2_CAPS) PYTHONPATH=$(CURDIR)/python MKLDNN_RNN_BUILD_DIR=$(CURDIR)/$(BUILD) $(PYTHON) bench/run_bench.py \
	  --out results-avx2

# The wheel, made by pip from this tree (pyproject.toml, setup.py) with the two libraries of $(BUILD); pip's
# and setuptools' own files go under $(BUILD) too. `pip install .` without these variables builds its own.
DIST ?= $(BUILD)/dist
wheel: build
	rm -f $(DIST)/mkldnn_rnn-*.whl
	MKLDNN_RNN_CMAKE_BUILD_DIR=$(abspath $(BUILD)) MKLDNN_RNN_WHEEL_BUILD_DIR=$(abspath $(BUILD))/wheel \
	  MKLDNN_RNN_BUILD_JOBS=$(JOBS) \
	  $(PYTHON) -m pip wheel --no-build-isolation --no-deps --no-index --no-cache-dir -w $(DIST) .
	@ls $(DIST)/mkldnn_rnn-*.whl

# Installs that wheel with pip into $(PYTHON)'s environment: /usr/bin/python3's (pip puts it under
# /usr/local/lib/python3.*/dist-packages, away from Debian's own packages; Debian marks that Python
# EXTERNALLY-MANAGED, hence --break-system-packages), or a venv's with PYTHON=<venv>/bin/python (README.md,
# "Install"). `make uninstall` (pip uninstall) removes every file. A package copied in by the make install of
# release 0.1.0, which pip does not know of, is removed first.
PYTHON_SITE = $(shell $(PYTHON) -c 'import sysconfig; print(sysconfig.get_path("platlib"))')
PIP_INSTALL_FLAGS := --break-system-packages --root-user-action=ignore
install: wheel
	@if [ -d "$(PYTHON_SITE)/mkldnn_rnn" ] && ! $(PYTHON) -m pip show mkldnn_rnn >/dev/null 2>&1; then \
	  echo "removing $(PYTHON_SITE)/mkldnn_rnn (copied by an earlier make install, unknown to pip)"; \
	  rm -rf "$(PYTHON_SITE)/mkldnn_rnn"; \
	fi
	$(PYTHON) -m pip install $(PIP_INSTALL_FLAGS) --no-deps --no-index --force-reinstall $(DIST)/mkldnn_rnn-*.whl

uninstall:
	$(PYTHON) -m pip uninstall -y $(PIP_INSTALL_FLAGS) mkldnn_rnn

# A Debian package of what `cmake --install` installs (libraries, headers, CMake package) under /usr.
deb: build
	cd $(BUILD) && cpack -G DEB

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD)

include mk/reliability.mk
