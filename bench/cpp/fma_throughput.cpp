// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// Fused multiply-adds one core completes per second with AVX-512, fp32: the speed limit of the input
// projection W_ih x of all steps, which is compute-bound (each weight load serves up to 6 rows). At the
// benchmark's shape it is T x 250 x 800 multiply-adds per call; docs/performance.md turns this figure
// into the compute side of the ceiling, beside l2_bandwidth's memory side.
//
//   fma_throughput [--seconds 0.3 --repeats 7 --warmup 0.3]
//
// One pass = 1000 rounds of 16 independent FMA chains (enough to cover the 4-cycle latency on two FMA
// units), all in registers. Single-threaded; run it with OMP_NUM_THREADS=1 on an idle core.
#include <immintrin.h>

#include <numeric>

#include "bench_common.hpp"

namespace {

constexpr int kChains = 16, kRounds = 1000;

__attribute__((target("avx512f,fma"))) float fma_pass(float seed) {
    __m512 acc[kChains];
    for (int c = 0; c < kChains; ++c) acc[c] = _mm512_set1_ps(seed + static_cast<float>(c));
    const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
    for (int r = 0; r < kRounds; ++r)
#pragma GCC unroll 16
        for (int c = 0; c < kChains; ++c) acc[c] = _mm512_fmadd_ps(acc[c], a, b);
    for (int c = 1; c < kChains; ++c) acc[0] = _mm512_add_ps(acc[0], acc[c]);
    alignas(64) float lanes[16];
    _mm512_store_ps(lanes, acc[0]);
    return std::accumulate(lanes, lanes + 16, 0.0f);
}

void run(bench::Flags& flags) {
    const bench::Protocol protocol(flags);
    flags.check_all_used();
    if (!__builtin_cpu_supports("avx512f")) throw std::runtime_error("this CPU has no AVX-512");

    volatile float sink = 1; // feeds each pass from the last, so that none is optimised away
    const bench::Rate rate = bench::measure_rate([&] { sink = fma_pass(sink); }, protocol);

    constexpr double vector_fmas_per_pass = static_cast<double>(kChains) * kRounds;
    char per_s[32];
    std::snprintf(per_s, sizeof per_s, "%.1f", rate.median * vector_fmas_per_pass * 16 / 1e9);
    bench::print_result(rate, {{"bench", bench::quoted("fma_throughput")}, {"gfma_per_s", per_s}});
}

} // namespace

int main(int argc, char** argv) {
    return bench::run_main("fma_throughput", [&] {
        bench::Flags flags(argc, argv);
        run(flags);
    });
}
