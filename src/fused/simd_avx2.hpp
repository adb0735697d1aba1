// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// The fused kernel's vector of 16 lanes on AVX2 + FMA: two ymm registers, lanes [0, 8) and [8, 16), so
// that the blocked layouts (16 units per block, weights/layouts.hpp) and the kernel (kernel.inc) are the
// ones AVX-512 runs. The interface is simd_avx512.hpp's; what AVX2 lacks is built here:
//  * lane masks are vectors of all-ones lanes (VMASKMOVPS, VBLENDVPS read them), not k registers;
//  * scale_pow2 builds 2^n in two halves from the exponent bits, for VSCALEFPS;
//  * VRCPPS's estimate has 12 bits, so the reciprocal takes two Newton steps (kReciprocalSteps);
//  * the narrowing stores pack with saturation (the values are in range) and fix AVX2's lane order.
#pragma once

#include <cstdint>

#include "platform/targets.hpp"

namespace mkldnn_rnn::detail::simd_avx2 {

struct Floats {
    __m256 lo, hi;
};
struct Ints {
    __m256i lo, hi;
};
struct Lanes {
    __m256i lo, hi;
};

constexpr int kVectorRegisters = 8; // 16 ymm registers, two per vector
constexpr int kRegistersPerVector = 2;
constexpr int kReciprocalSteps = 2;

#define MKLDNN_RNN_SIMD MKLDNN_RNN_AVX2 inline

MKLDNN_RNN_SIMD Lanes lanes_below(int64_t n) {
    const __m256i count = _mm256_set1_epi32(static_cast<int>(n < 0 ? 0 : n > 16 ? 16 : n));
    return {_mm256_cmpgt_epi32(count, _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)),
            _mm256_cmpgt_epi32(count, _mm256_setr_epi32(8, 9, 10, 11, 12, 13, 14, 15))};
}
MKLDNN_RNN_SIMD Lanes or_lanes(Lanes a, Lanes b) { return {_mm256_or_si256(a.lo, b.lo), _mm256_or_si256(a.hi, b.hi)}; }
MKLDNN_RNN_SIMD bool any(Lanes m) { return !_mm256_testz_si256(_mm256_or_si256(m.lo, m.hi), _mm256_or_si256(m.lo, m.hi)); }

MKLDNN_RNN_SIMD Floats load(const float* p) { return {_mm256_load_ps(p), _mm256_load_ps(p + 8)}; }
MKLDNN_RNN_SIMD Floats loadu(const float* p) { return {_mm256_loadu_ps(p), _mm256_loadu_ps(p + 8)}; }
MKLDNN_RNN_SIMD Floats load_lanes(Lanes m, const float* p) {
    return {_mm256_maskload_ps(p, m.lo), _mm256_maskload_ps(p + 8, m.hi)};
}
MKLDNN_RNN_SIMD void store(float* p, Floats v) {
    _mm256_store_ps(p, v.lo);
    _mm256_store_ps(p + 8, v.hi);
}
MKLDNN_RNN_SIMD void storeu(float* p, Floats v) {
    _mm256_storeu_ps(p, v.lo);
    _mm256_storeu_ps(p + 8, v.hi);
}
MKLDNN_RNN_SIMD void store_lanes(float* p, Lanes m, Floats v) {
    _mm256_maskstore_ps(p, m.lo, v.lo);
    _mm256_maskstore_ps(p + 8, m.hi, v.hi);
}
MKLDNN_RNN_SIMD Floats set1(float x) {
    const __m256 v = _mm256_set1_ps(x);
    return {v, v};
}
MKLDNN_RNN_SIMD Floats zero() { return {_mm256_setzero_ps(), _mm256_setzero_ps()}; }

// One AVX2 operation on both halves.
#define MKLDNN_RNN_BOTH(op, a, b) {op((a).lo, (b).lo), op((a).hi, (b).hi)}
MKLDNN_RNN_SIMD Floats add(Floats a, Floats b) { return MKLDNN_RNN_BOTH(_mm256_add_ps, a, b); }
MKLDNN_RNN_SIMD Floats sub(Floats a, Floats b) { return MKLDNN_RNN_BOTH(_mm256_sub_ps, a, b); }
MKLDNN_RNN_SIMD Floats mul(Floats a, Floats b) { return MKLDNN_RNN_BOTH(_mm256_mul_ps, a, b); }
MKLDNN_RNN_SIMD Floats fmadd(Floats a, Floats b, Floats c) {
    return {_mm256_fmadd_ps(a.lo, b.lo, c.lo), _mm256_fmadd_ps(a.hi, b.hi, c.hi)};
}
MKLDNN_RNN_SIMD Floats fnmadd(Floats a, Floats b, Floats c) {
    return {_mm256_fnmadd_ps(a.lo, b.lo, c.lo), _mm256_fnmadd_ps(a.hi, b.hi, c.hi)};
}
MKLDNN_RNN_SIMD Floats min(Floats a, Floats b) { return MKLDNN_RNN_BOTH(_mm256_min_ps, a, b); }
MKLDNN_RNN_SIMD Floats max(Floats a, Floats b) { return MKLDNN_RNN_BOTH(_mm256_max_ps, a, b); }
MKLDNN_RNN_SIMD Floats abs(Floats a) {
    const __m256 magnitude = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
    return {_mm256_and_ps(a.lo, magnitude), _mm256_and_ps(a.hi, magnitude)};
}
MKLDNN_RNN_SIMD Floats round_nearest(Floats a) {
    constexpr int mode = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC;
    return {_mm256_round_ps(a.lo, mode), _mm256_round_ps(a.hi, mode)};
}
// 2^k for integral k in [-126, 127], from its exponent bits.
MKLDNN_RNN_SIMD __m256 pow2(__m256i k) {
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(k, _mm256_set1_epi32(127)), 23));
}
// r * 2^n for integral n in [-150, 128] as r * 2^(n/2) * 2^(n - n/2): each factor is a normal float, and
// the first product is exact for the |r| < 2 the callers give, so the result rounds once.
MKLDNN_RNN_SIMD __m256 scale_pow2_half(__m256 r, __m256 n) {
    const __m256i k = _mm256_cvtps_epi32(n);
    const __m256i half = _mm256_srai_epi32(k, 1);
    return _mm256_mul_ps(_mm256_mul_ps(r, pow2(half)), pow2(_mm256_sub_epi32(k, half)));
}
MKLDNN_RNN_SIMD Floats scale_pow2(Floats r, Floats n) { return {scale_pow2_half(r.lo, n.lo), scale_pow2_half(r.hi, n.hi)}; }
MKLDNN_RNN_SIMD Floats reciprocal_estimate(Floats d) { return {_mm256_rcp_ps(d.lo), _mm256_rcp_ps(d.hi)}; }
MKLDNN_RNN_SIMD float reduce_max(Floats a) {
    const __m256 m8 = _mm256_max_ps(a.lo, a.hi);
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(m8), _mm256_extractf128_ps(m8, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_movehdup_ps(m));
    return _mm_cvtss_f32(m);
}

MKLDNN_RNN_SIMD Lanes less(Floats a, Floats b) {
    return {_mm256_castps_si256(_mm256_cmp_ps(a.lo, b.lo, _CMP_LT_OQ)),
            _mm256_castps_si256(_mm256_cmp_ps(a.hi, b.hi, _CMP_LT_OQ))};
}
MKLDNN_RNN_SIMD Lanes unordered(Floats a, Floats b) {
    return {_mm256_castps_si256(_mm256_cmp_ps(a.lo, b.lo, _CMP_UNORD_Q)),
            _mm256_castps_si256(_mm256_cmp_ps(a.hi, b.hi, _CMP_UNORD_Q))};
}
MKLDNN_RNN_SIMD Floats blend(Lanes m, Floats a, Floats b) {
    return {_mm256_blendv_ps(a.lo, b.lo, _mm256_castsi256_ps(m.lo)), _mm256_blendv_ps(a.hi, b.hi, _mm256_castsi256_ps(m.hi))};
}
MKLDNN_RNN_SIMD Floats negate_lanes(Lanes m, Floats a) {
    // Flipping the sign bit is 0 - a for every a but 0 itself, where the sign of -0 is kept: neither
    // reaches the callers (tanh negates only its x < 0 lanes, whose results are < 0 or NaN).
    const __m256i sign = _mm256_set1_epi32(static_cast<int>(0x80000000u));
    return {_mm256_xor_ps(a.lo, _mm256_castsi256_ps(_mm256_and_si256(m.lo, sign))),
            _mm256_xor_ps(a.hi, _mm256_castsi256_ps(_mm256_and_si256(m.hi, sign)))};
}

MKLDNN_RNN_SIMD Ints loadi(const void* p) {
    const auto* v = static_cast<const __m256i*>(p);
    return {_mm256_load_si256(v), _mm256_load_si256(v + 1)};
}
MKLDNN_RNN_SIMD void storei(void* p, Ints a) {
    auto* v = static_cast<__m256i*>(p);
    _mm256_store_si256(v, a.lo);
    _mm256_store_si256(v + 1, a.hi);
}
MKLDNN_RNN_SIMD Ints set1i(int32_t x) {
    const __m256i v = _mm256_set1_epi32(x);
    return {v, v};
}
MKLDNN_RNN_SIMD Ints zeroi() { return {_mm256_setzero_si256(), _mm256_setzero_si256()}; }
MKLDNN_RNN_SIMD Ints addi(Ints a, Ints b) { return MKLDNN_RNN_BOTH(_mm256_add_epi32, a, b); }
MKLDNN_RNN_SIMD Ints subi(Ints a, Ints b) { return MKLDNN_RNN_BOTH(_mm256_sub_epi32, a, b); }
MKLDNN_RNN_SIMD Ints mini(Ints a, Ints b) { return MKLDNN_RNN_BOTH(_mm256_min_epi32, a, b); }
MKLDNN_RNN_SIMD Ints maxi(Ints a, Ints b) { return MKLDNN_RNN_BOTH(_mm256_max_epi32, a, b); }
MKLDNN_RNN_SIMD Ints and_bits(Ints a, Ints b) { return MKLDNN_RNN_BOTH(_mm256_and_si256, a, b); }
MKLDNN_RNN_SIMD Ints or_bits(Ints a, Ints b) { return MKLDNN_RNN_BOTH(_mm256_or_si256, a, b); }
#undef MKLDNN_RNN_BOTH
template <int N> MKLDNN_RNN_SIMD Ints shift_left(Ints a) { return {_mm256_slli_epi32(a.lo, N), _mm256_slli_epi32(a.hi, N)}; }
template <int N> MKLDNN_RNN_SIMD Ints shift_right(Ints a) { return {_mm256_srli_epi32(a.lo, N), _mm256_srli_epi32(a.hi, N)}; }
template <int N> MKLDNN_RNN_SIMD Ints shift_left16(Ints a) { return {_mm256_slli_epi16(a.lo, N), _mm256_slli_epi16(a.hi, N)}; }
template <int N> MKLDNN_RNN_SIMD Ints shift_right16_signed(Ints a) {
    return {_mm256_srai_epi16(a.lo, N), _mm256_srai_epi16(a.hi, N)};
}
MKLDNN_RNN_SIMD Ints madd16(Ints a, Ints b) { return {_mm256_madd_epi16(a.lo, b.lo), _mm256_madd_epi16(a.hi, b.hi)}; }
MKLDNN_RNN_SIMD Ints blendi(Lanes m, Ints a, Ints b) {
    return {_mm256_blendv_epi8(a.lo, b.lo, m.lo), _mm256_blendv_epi8(a.hi, b.hi, m.hi)};
}
MKLDNN_RNN_SIMD Floats as_floats(Ints a) { return {_mm256_castsi256_ps(a.lo), _mm256_castsi256_ps(a.hi)}; }
MKLDNN_RNN_SIMD Ints as_ints(Floats a) { return {_mm256_castps_si256(a.lo), _mm256_castps_si256(a.hi)}; }
MKLDNN_RNN_SIMD Floats to_floats(Ints a) { return {_mm256_cvtepi32_ps(a.lo), _mm256_cvtepi32_ps(a.hi)}; }
MKLDNN_RNN_SIMD Ints to_ints_nearest(Floats a) { return {_mm256_cvtps_epi32(a.lo), _mm256_cvtps_epi32(a.hi)}; }
// VPACKUSDW packs within 128-bit halves: lanes come out as lo[0..3] hi[0..3] lo[4..7] hi[4..7], which
// VPERMQ puts back in order.
MKLDNN_RNN_SIMD __m256i pack_u16(Ints a) { return _mm256_permute4x64_epi64(_mm256_packus_epi32(a.lo, a.hi), 0xd8); }
MKLDNN_RNN_SIMD void store_u16(void* p, Ints a) { _mm256_storeu_si256(static_cast<__m256i*>(p), pack_u16(a)); }
MKLDNN_RNN_SIMD void store_u8(void* p, Ints a) {
    const __m256i words = pack_u16(a);
    const __m128i bytes = _mm_packus_epi16(_mm256_castsi256_si128(words), _mm256_extracti128_si256(words, 1));
    _mm_storeu_si128(static_cast<__m128i*>(p), bytes);
}

#undef MKLDNN_RNN_SIMD

// VPDPBUSD on ymm (AVX-VNNI, as Alder Lake and Sapphire Rapids have it): see simd_avx512.hpp.
MKLDNN_RNN_AVX2_VNNI inline Ints dot_u8s8_quads(Ints sum, Ints x, Ints w) {
    return {_mm256_dpbusd_avx_epi32(sum.lo, x.lo, w.lo), _mm256_dpbusd_avx_epi32(sum.hi, x.hi, w.hi)};
}

} // namespace mkldnn_rnn::detail::simd_avx2
