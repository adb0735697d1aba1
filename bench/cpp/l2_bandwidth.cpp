// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// Read bandwidth of one core from a buffer that stays in its L2: the speed limit of an RNN step whose
// recurrent weights live there. At the benchmark's shape (LSTM, hidden 200) W_hh is 200 x 800 fp32 =
// 0.64 MB, read once per time step; docs/performance.md turns this figure into a sentences/s ceiling.
//
//   l2_bandwidth [--bytes 640000 --seconds 0.3 --repeats 7 --warmup 0.3]
//
// One pass = the whole buffer streamed into 8 independent accumulators (so the adds never wait on each
// other and the loads are the bottleneck), with the widest loads this CPU has and MKLDNN_RNN_MAX_ISA
// allows (probe_vectors.hpp): AVX-512, else AVX2. The result line names them ("isa"). Run it with
// OMP_NUM_THREADS=1 on an idle core; it is single-threaded either way.
#include <immintrin.h>

#include <cstdlib>
#include <memory>
#include <numeric>

#include "bench_common.hpp"
#include "probe_vectors.hpp"

namespace {

__attribute__((target("avx512f"))) float stream_avx512(const float* data, std::size_t floats) {
    __m512 acc[8];
    for (auto& a : acc) a = _mm512_setzero_ps();
    for (std::size_t i = 0; i + 128 <= floats; i += 128)
        for (int k = 0; k < 8; ++k) acc[k] = _mm512_add_ps(acc[k], _mm512_load_ps(data + i + 16 * k));
    for (int k = 1; k < 8; ++k) acc[0] = _mm512_add_ps(acc[0], acc[k]);
    alignas(64) float lanes[16];
    _mm512_store_ps(lanes, acc[0]);
    return std::accumulate(lanes, lanes + 16, 0.0f);
}

__attribute__((target("avx2,fma"))) float stream_avx2(const float* data, std::size_t floats) {
    __m256 acc[8];
    for (auto& a : acc) a = _mm256_setzero_ps();
    for (std::size_t i = 0; i + 64 <= floats; i += 64)
        for (int k = 0; k < 8; ++k) acc[k] = _mm256_add_ps(acc[k], _mm256_load_ps(data + i + 8 * k));
    for (int k = 1; k < 8; ++k) acc[0] = _mm256_add_ps(acc[0], acc[k]);
    alignas(32) float lanes[8];
    _mm256_store_ps(lanes, acc[0]);
    return std::accumulate(lanes, lanes + 8, 0.0f);
}

void run(bench::Flags& flags) {
    const long bytes = flags.get("bytes", 640000L);
    const bench::Protocol protocol(flags);
    flags.check_all_used();
    const bench::Vectors vectors = bench::probe_vectors();
    // 512 bytes: one AVX-512 pass step (8 x 64 bytes), two AVX2 ones; run_bench.py rounds up to it.
    if (bytes < 512 || bytes % 512 != 0)
        throw std::runtime_error("--bytes: expected a positive multiple of 512, got " + std::to_string(bytes));

    const std::size_t floats = bytes / sizeof(float);
    const std::unique_ptr<float, decltype(&std::free)> buffer(
            static_cast<float*>(std::aligned_alloc(64, bytes)), &std::free);
    if (!buffer) throw std::runtime_error("out of memory");
    std::fill(buffer.get(), buffer.get() + floats, 1.0f);

    const auto stream_once = vectors == bench::Vectors::avx512 ? stream_avx512 : stream_avx2;
    volatile float sink = 0; // keeps the passes from being optimised away
    const bench::Rate rate = bench::measure_rate([&] { sink = sink + stream_once(buffer.get(), floats); }, protocol);

    char gb_per_s[32];
    std::snprintf(gb_per_s, sizeof gb_per_s, "%.1f", rate.median * bytes / 1e9);
    bench::print_result(rate, {{"bench", bench::quoted("l2_bandwidth")}, {"bytes", std::to_string(bytes)},
                               {"gb_per_s", gb_per_s}, {"isa", bench::quoted(bench::vectors_name(vectors))}});
}

} // namespace

int main(int argc, char** argv) {
    return bench::run_main("l2_bandwidth", [&] {
        bench::Flags flags(argc, argv);
        run(flags);
    });
}
