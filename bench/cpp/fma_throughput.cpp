// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// Fused multiply-adds one core completes per second, fp32, with the widest vectors this CPU has and
// MKLDNN_RNN_MAX_ISA allows (probe_vectors.hpp: AVX-512, else AVX2 + FMA; the result line names them,
// "isa"): the speed limit of the input projection W_ih x of all steps, which is compute-bound (each
// weight load serves up to 6 rows). At the benchmark's shape it is T x 250 x 800 multiply-adds per call;
// docs/performance.md turns this figure into the compute side of the ceiling, beside l2_bandwidth's
// memory side.
//
//   fma_throughput [--seconds 0.3 --repeats 7 --warmup 0.3]
//
// One pass = 1000 rounds of independent FMA chains, all in registers: enough chains to cover the FMA
// latency (4 to 5 cycles) on two FMA units, and few enough to leave the two constants a register: 16 of
// AVX-512's 32 registers, 12 of AVX2's 16. Single-threaded; run it with OMP_NUM_THREADS=1 on an idle core.
#include <immintrin.h>

#include <numeric>

#include "bench_common.hpp"
#include "probe_vectors.hpp"

namespace {

constexpr int kRounds = 1000;
constexpr int kChainsAvx512 = 16, kChainsAvx2 = 12;

__attribute__((target("avx512f,fma"))) float fma_pass_avx512(float seed) {
    __m512 acc[kChainsAvx512];
    for (int c = 0; c < kChainsAvx512; ++c) acc[c] = _mm512_set1_ps(seed + static_cast<float>(c));
    const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
    for (int r = 0; r < kRounds; ++r)
#pragma GCC unroll 16
        for (int c = 0; c < kChainsAvx512; ++c) acc[c] = _mm512_fmadd_ps(acc[c], a, b);
    for (int c = 1; c < kChainsAvx512; ++c) acc[0] = _mm512_add_ps(acc[0], acc[c]);
    alignas(64) float lanes[16];
    _mm512_store_ps(lanes, acc[0]);
    return std::accumulate(lanes, lanes + 16, 0.0f);
}

__attribute__((target("avx2,fma"))) float fma_pass_avx2(float seed) {
    __m256 acc[kChainsAvx2];
    for (int c = 0; c < kChainsAvx2; ++c) acc[c] = _mm256_set1_ps(seed + static_cast<float>(c));
    const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
    for (int r = 0; r < kRounds; ++r)
#pragma GCC unroll 12
        for (int c = 0; c < kChainsAvx2; ++c) acc[c] = _mm256_fmadd_ps(acc[c], a, b);
    for (int c = 1; c < kChainsAvx2; ++c) acc[0] = _mm256_add_ps(acc[0], acc[c]);
    alignas(32) float lanes[8];
    _mm256_store_ps(lanes, acc[0]);
    return std::accumulate(lanes, lanes + 8, 0.0f);
}

void run(bench::Flags& flags) {
    const bench::Protocol protocol(flags);
    flags.check_all_used();
    const bench::Vectors vectors = bench::probe_vectors();
    const bool avx512 = vectors == bench::Vectors::avx512;
    const auto fma_pass = avx512 ? fma_pass_avx512 : fma_pass_avx2;

    volatile float sink = 1; // feeds each pass from the last, so that none is optimised away
    const bench::Rate rate = bench::measure_rate([&] { sink = fma_pass(sink); }, protocol);

    const double fmas_per_pass = static_cast<double>(avx512 ? kChainsAvx512 * 16 : kChainsAvx2 * 8) * kRounds;
    char per_s[32];
    std::snprintf(per_s, sizeof per_s, "%.1f", rate.median * fmas_per_pass / 1e9);
    bench::print_result(rate, {{"bench", bench::quoted("fma_throughput")}, {"gfma_per_s", per_s},
                               {"isa", bench::quoted(bench::vectors_name(vectors))}});
}

} // namespace

int main(int argc, char** argv) {
    return bench::run_main("fma_throughput", [&] {
        bench::Flags flags(argc, argv);
        run(flags);
    });
}
