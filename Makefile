# mkldnn_rnn: the two commands of README.md, plus the targets they are made of.
#   make bench   install what is missing, build, run the benchmark table (the main job)
#   make test    install what is missing, build, run every test suite (C++ then Python)
# Heavier runs (sanitizers, fuzzing, bounded memory) are in mk/reliability.mk.
# Packages come from Debian only (apt-get, only when missing). PyTorch is importable by /usr/bin/python3
# alone, so every Python step names that interpreter.

PYTHON    ?= /usr/bin/python3
BUILD     ?= build
JOBS      ?= $(shell nproc)
CMAKE_ARGS ?=

BUILD_PACKAGES := cmake make g++ libdnnl-dev ocl-icd-opencl-dev opencl-c-headers opencl-clhpp-headers \
                  libtorch-dev python3-torch libgtest-dev libbenchmark-dev
# Without OpenBLAS, PyTorch's own LSTM falls back to reference BLAS: tests crawl and benchmarks are unfair.
RUN_PACKAGES   := libopenblas0-pthread python3-pytest python3-numpy
BENCH_PACKAGES := libjemalloc2 python3-matplotlib

.PHONY: all deps deps-bench build test test-cpp test-python bench bench-all install clean

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
	$(call install_missing,$(BUILD_PACKAGES) $(RUN_PACKAGES))

deps-bench: deps
	$(call install_missing,$(BENCH_PACKAGES))

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_ARGS)
	cmake --build $(BUILD) -j $(JOBS)

test: build
	$(MAKE) --no-print-directory test-cpp test-python

test-cpp:
	cd $(BUILD) && ctest --output-on-failure

test-python:
	PYTHONPATH=$(CURDIR)/python MKLDNN_RNN_BUILD_DIR=$(CURDIR)/$(BUILD) $(PYTHON) -m pytest -q tests/python

bench: deps-bench build
	PYTHONPATH=$(CURDIR)/python MKLDNN_RNN_BUILD_DIR=$(CURDIR)/$(BUILD) $(PYTHON) bench/run_bench.py --out results

bench-all: deps-bench build
	PYTHONPATH=$(CURDIR)/python MKLDNN_RNN_BUILD_DIR=$(CURDIR)/$(BUILD) $(PYTHON) bench/run_bench.py --all --out results

# Installs the Python package, with its two libraries beside it, into the system Python.
PYTHON_SITE = $(shell $(PYTHON) -c 'import sysconfig; print(sysconfig.get_path("purelib"))')
install: build
	rm -rf $(PYTHON_SITE)/mkldnn_rnn
	cp -r python/mkldnn_rnn $(PYTHON_SITE)/mkldnn_rnn
	mkdir -p $(PYTHON_SITE)/mkldnn_rnn/lib
	cp -P $(BUILD)/lib/libmkldnn_rnn*.so* $(PYTHON_SITE)/mkldnn_rnn/lib/
	find $(PYTHON_SITE)/mkldnn_rnn -name __pycache__ -prune -exec rm -rf {} +
	@echo "installed into $(PYTHON_SITE)/mkldnn_rnn"

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD)

include mk/reliability.mk
