// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// The fused kernel's vector of 16 lanes (one block of the blocked layouts, weights/layouts.hpp) on
// AVX-512: one zmm register. simd_avx2.hpp is the same interface on two ymm registers; the kernel
// (kernel.inc) is written once against it and compiled once per ISA (variants.cpp).
//
// Floats: 16 fp32 lanes; Ints: 16 int32 lanes; Lanes: a lane mask. Loads and stores without `u` are
// aligned to 64 bytes; `*_lanes` touch the masked lanes only (the others read as 0 and are not written).
#pragma once

#include <cstdint>

#include "platform/targets.hpp"

namespace mkldnn_rnn::detail::simd_avx512 {

using Floats = __m512;
using Ints = __m512i;
using Lanes = __mmask16;

// Registers of 16 lanes the ISA has (what the driver's row counts budget, driver.hpp), and how many
// hardware registers one takes.
constexpr int kVectorRegisters = 32;
constexpr int kRegistersPerVector = 1;
// Newton steps after the reciprocal estimate (VRCP14PS: 14 bits; one step gives ~2^-28).
constexpr int kReciprocalSteps = 1;

#define MKLDNN_RNN_SIMD MKLDNN_RNN_AVX512 inline

// The first n of 16 lanes (none for n <= 0, all for n >= 16).
MKLDNN_RNN_SIMD Lanes lanes_below(int64_t n) {
    return static_cast<Lanes>(n >= 16 ? 0xffffu : n > 0 ? (1u << n) - 1u : 0u);
}
MKLDNN_RNN_SIMD Lanes or_lanes(Lanes a, Lanes b) { return static_cast<Lanes>(a | b); }
MKLDNN_RNN_SIMD bool any(Lanes m) { return m != 0; }

MKLDNN_RNN_SIMD Floats load(const float* p) { return _mm512_load_ps(p); }
MKLDNN_RNN_SIMD Floats loadu(const float* p) { return _mm512_loadu_ps(p); }
MKLDNN_RNN_SIMD Floats load_lanes(Lanes m, const float* p) { return _mm512_maskz_loadu_ps(m, p); }
MKLDNN_RNN_SIMD void store(float* p, Floats v) { _mm512_store_ps(p, v); }
MKLDNN_RNN_SIMD void storeu(float* p, Floats v) { _mm512_storeu_ps(p, v); }
MKLDNN_RNN_SIMD void store_lanes(float* p, Lanes m, Floats v) { _mm512_mask_storeu_ps(p, m, v); }
MKLDNN_RNN_SIMD Floats set1(float x) { return _mm512_set1_ps(x); }
MKLDNN_RNN_SIMD Floats zero() { return _mm512_setzero_ps(); }

MKLDNN_RNN_SIMD Floats add(Floats a, Floats b) { return _mm512_add_ps(a, b); }
MKLDNN_RNN_SIMD Floats sub(Floats a, Floats b) { return _mm512_sub_ps(a, b); }
MKLDNN_RNN_SIMD Floats mul(Floats a, Floats b) { return _mm512_mul_ps(a, b); }
MKLDNN_RNN_SIMD Floats fmadd(Floats a, Floats b, Floats c) { return _mm512_fmadd_ps(a, b, c); }   // a b + c
MKLDNN_RNN_SIMD Floats fnmadd(Floats a, Floats b, Floats c) { return _mm512_fnmadd_ps(a, b, c); } // c - a b
// MINPS/MAXPS semantics: the second operand when either is NaN.
MKLDNN_RNN_SIMD Floats min(Floats a, Floats b) { return _mm512_min_ps(a, b); }
MKLDNN_RNN_SIMD Floats max(Floats a, Floats b) { return _mm512_max_ps(a, b); }
MKLDNN_RNN_SIMD Floats abs(Floats a) { return _mm512_abs_ps(a); }
MKLDNN_RNN_SIMD Floats round_nearest(Floats a) {
    return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}
// r * 2^n for integral n in [-150, 128], rounded once (overflow to inf, underflow to 0).
MKLDNN_RNN_SIMD Floats scale_pow2(Floats r, Floats n) { return _mm512_scalef_ps(r, n); }
MKLDNN_RNN_SIMD Floats reciprocal_estimate(Floats d) { return _mm512_rcp14_ps(d); }
MKLDNN_RNN_SIMD float reduce_max(Floats a) { return _mm512_reduce_max_ps(a); }

MKLDNN_RNN_SIMD Lanes less(Floats a, Floats b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
MKLDNN_RNN_SIMD Lanes unordered(Floats a, Floats b) { return _mm512_cmp_ps_mask(a, b, _CMP_UNORD_Q); }
// m ? b : a, lane by lane.
MKLDNN_RNN_SIMD Floats blend(Lanes m, Floats a, Floats b) { return _mm512_mask_blend_ps(m, a, b); }
MKLDNN_RNN_SIMD Floats negate_lanes(Lanes m, Floats a) { return _mm512_mask_sub_ps(a, m, _mm512_setzero_ps(), a); }

MKLDNN_RNN_SIMD Ints loadi(const void* p) { return _mm512_load_si512(p); }
MKLDNN_RNN_SIMD void storei(void* p, Ints v) { _mm512_store_si512(p, v); }
MKLDNN_RNN_SIMD Ints set1i(int32_t x) { return _mm512_set1_epi32(x); }
MKLDNN_RNN_SIMD Ints zeroi() { return _mm512_setzero_si512(); }
MKLDNN_RNN_SIMD Ints addi(Ints a, Ints b) { return _mm512_add_epi32(a, b); }
MKLDNN_RNN_SIMD Ints subi(Ints a, Ints b) { return _mm512_sub_epi32(a, b); }
MKLDNN_RNN_SIMD Ints mini(Ints a, Ints b) { return _mm512_min_epi32(a, b); }
MKLDNN_RNN_SIMD Ints maxi(Ints a, Ints b) { return _mm512_max_epi32(a, b); }
MKLDNN_RNN_SIMD Ints and_bits(Ints a, Ints b) { return _mm512_and_si512(a, b); }
MKLDNN_RNN_SIMD Ints or_bits(Ints a, Ints b) { return _mm512_or_si512(a, b); }
template <int N> MKLDNN_RNN_SIMD Ints shift_left(Ints a) { return _mm512_slli_epi32(a, N); }
template <int N> MKLDNN_RNN_SIMD Ints shift_right(Ints a) { return _mm512_srli_epi32(a, N); }
// Shifts of the 32 int16 halves of the lanes; madd16: per lane, the sum of its two int16 products (VPMADDWD).
template <int N> MKLDNN_RNN_SIMD Ints shift_left16(Ints a) { return _mm512_slli_epi16(a, N); }
template <int N> MKLDNN_RNN_SIMD Ints shift_right16_signed(Ints a) { return _mm512_srai_epi16(a, N); }
MKLDNN_RNN_SIMD Ints madd16(Ints a, Ints b) { return _mm512_madd_epi16(a, b); }
// m ? b : a, lane by lane.
MKLDNN_RNN_SIMD Ints blendi(Lanes m, Ints a, Ints b) { return _mm512_mask_blend_epi32(m, a, b); }
MKLDNN_RNN_SIMD Floats as_floats(Ints a) { return _mm512_castsi512_ps(a); }
MKLDNN_RNN_SIMD Ints as_ints(Floats a) { return _mm512_castps_si512(a); }
MKLDNN_RNN_SIMD Floats to_floats(Ints a) { return _mm512_cvtepi32_ps(a); }
MKLDNN_RNN_SIMD Ints to_ints_nearest(Floats a) { return _mm512_cvtps_epi32(a); } // nearest even (MXCSR's default)
// The 16 lanes (each in 0..65535, or 0..255) stored as 16 uint16 (32 bytes), or 16 uint8 (16 bytes).
MKLDNN_RNN_SIMD void store_u16(void* p, Ints a) { _mm256_storeu_si256(static_cast<__m256i*>(p), _mm512_cvtepi32_epi16(a)); }
MKLDNN_RNN_SIMD void store_u8(void* p, Ints a) { _mm_storeu_si128(static_cast<__m128i*>(p), _mm512_cvtepi32_epi8(a)); }

#undef MKLDNN_RNN_SIMD

// The products the ISA has instructions for (inner_product_{bf16,int8}.inc): per lane, sum plus the dot
// product of its bf16 pairs (VDPBF16PS), of its unsigned x and signed w byte quads (VPDPBUSD).
MKLDNN_RNN_AVX512_BF16 inline Floats dot_bf16_pairs(Floats sum, Ints x, Ints w) {
    return _mm512_dpbf16_ps(sum, reinterpret_cast<__m512bh&>(x), reinterpret_cast<__m512bh&>(w));
}
MKLDNN_RNN_AVX512_VNNI inline Ints dot_u8s8_quads(Ints sum, Ints x, Ints w) { return _mm512_dpbusd_epi32(sum, x, w); }

} // namespace mkldnn_rnn::detail::simd_avx512
