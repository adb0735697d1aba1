# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
# Reliability targets, included by the top-level Makefile (which defines PYTHON, BUILD, JOBS and deps):
#   make test-asan        core + C++ tests under AddressSanitizer and UBSan (own build dir); any report fails
#   make test-tsan        the C++ concurrency test (test_engine_threads) under ThreadSanitizer (own build dir)
#   make fuzz             10k corrupt-model cases (tests/reliability/fuzz_models.py)
#   make bounded-memory   100k forwards over > 128 shapes; RSS must plateau
# Sanitizer builds leave out the torch integration and the benchmarks: libtorch is not instrumented and
# would drown the reports, and the sanitized object is the torch-free core.

ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
SANITIZER_CMAKE_ARGS := -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMKLDNN_RNN_BUILD_TORCH=OFF -DMKLDNN_RNN_BUILD_BENCH=OFF
RELIABILITY_ENV = PYTHONPATH=$(CURDIR)/python MKLDNN_RNN_BUILD_DIR=$(abspath $(BUILD))

# test_no_allocation interposes malloc/free/memalign itself and exports them: under ASan they collide with
# the sanitizer's own interceptors (ASan must own every allocation to track it), so that test is built but
# not run here, in any ISA leg; it runs in the normal `make test-cpp`.
ASAN_EXCLUDE := ^test_no_allocation(_.*)?$$
ASAN_ENV := ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:strict_init_order=1 \
            UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

# libgomp and libdnnl are not TSan-instrumented: their internal synchronisation is invisible to TSan and
# reports inside them are false positives (tests/reliability/tsan.supp). OMP_NUM_THREADS=1 keeps oneDNN's
# kernels on the calling thread, so what remains is exactly our own concurrency: the test's threads
# sharing one PackedRnn (the primitive LRU cache, the slot pools, the per-thread workspaces).
TSAN_TESTS ?= test_engine_threads
TSAN_ENV := TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$(CURDIR)/tests/reliability/tsan.supp" \
            OMP_NUM_THREADS=1

.PHONY: test-asan test-tsan fuzz bounded-memory

test-asan: deps
	cmake -S . -B $(ASAN_BUILD) $(SANITIZER_CMAKE_ARGS) \
	  -DCMAKE_CXX_FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && $(ASAN_ENV) ctest --output-on-failure --no-tests=error -E '$(ASAN_EXCLUDE)'

test-tsan: deps
	cmake -S . -B $(TSAN_BUILD) $(SANITIZER_CMAKE_ARGS) \
	  -DCMAKE_CXX_FLAGS="-fsanitize=thread -fno-omit-frame-pointer"
	cmake --build $(TSAN_BUILD) -j $(JOBS)
	cd $(TSAN_BUILD) && $(TSAN_ENV) ctest --output-on-failure --no-tests=error -R '$(TSAN_TESTS)'

fuzz: deps
	$(RELIABILITY_ENV) $(PYTHON) tests/reliability/fuzz_models.py --cases 10000

bounded-memory: deps
	$(RELIABILITY_ENV) $(PYTHON) tests/reliability/bounded_memory.py --forwards 100000
