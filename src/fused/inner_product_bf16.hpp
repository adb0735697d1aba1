// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// The fused kernel's bf16 inner product (see inner_product_f32.hpp for the operations): weights
// [blocks][K/2][G][16][2] bf16 (weights/reduced_weights.hpp), operand rows rounded to bf16, fp32 sums.
//
// Bf16Product uses VDPBF16PS (AVX512_BF16). ref_Bf16Product, for CPUs without it, does what the SDM says
// the instruction does with fp32 FMA: per lane, acc += x[2i+1] * w[2i+1], then acc += x[2i] * w[2i]. A
// product of two bf16 values is exact in fp32, so each step rounds once as the instruction does; the two
// differ only where the instruction flushes denormals. The FMA version widens each weight vector once
// (two integer operations give 32 fp32 weights) for every row it meets, and reads x already widened, so
// with several rows it runs at nearly fp32's rate while reading half its bytes; CPUs that run VDPBF16PS at
// a fraction of FMA's rate run it faster than the instruction (variants.cpp measures which).
#pragma once

#include <cstddef>
#include <cstdint>

#include "fused/inner_product_f32.hpp"
#include "util/round_up.hpp"
#include "weights/reduced_weights.hpp"
#include "fused/vector_math.hpp"

namespace mkldnn_rnn::detail {

namespace bf16 {

struct Matrix {
    const uint16_t* values;
};
// Values [k, k + 16) of a row of K rounded to bf16 (nearest even; NaN stays a quiet NaN; zeros past K),
// as fp32 bit patterns with the low half zero.
MKLDNN_RNN_AVX512 inline __m512i rounded_bits(const float* row, int64_t K, int64_t k) {
    const __mmask16 valid = vec::lanes_below(K - k);
    const __m512 x = _mm512_maskz_loadu_ps(valid, row + k);
    const __m512i bits = _mm512_castps_si512(x);
    const __m512i odd = _mm512_and_si512(_mm512_srli_epi32(bits, 16), _mm512_set1_epi32(1));
    const __m512i rounded = _mm512_add_epi32(bits, _mm512_add_epi32(odd, _mm512_set1_epi32(0x7fff)));
    const __mmask16 nan = _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q);
    const __m512i kept = _mm512_mask_or_epi32(rounded, nan, bits, _mm512_set1_epi32(0x00400000));
    return _mm512_and_si512(kept, _mm512_set1_epi32(static_cast<int>(0xffff0000u)));
}

// Both operands hold a whole number of 32 values (zeros past K), so that every k group is inside.
constexpr int64_t padded_values(int64_t K) { return round_up<int64_t>(K, 32); }

// VDPBF16PS's operand: bf16 pairs, k = 2i in the low half of element i.
constexpr std::size_t pair_bytes(int64_t K) { return static_cast<std::size_t>(padded_values(K) * 2); }
MKLDNN_RNN_AVX512 inline const uint32_t* prepare_pairs(const float* row, int64_t K, void* buffer) {
    auto* out = static_cast<uint16_t*>(buffer);
    for (int64_t k = 0; k < padded_values(K); k += 16)
        _mm256_store_si256(reinterpret_cast<__m256i*>(out + k),
                           _mm512_cvtepi32_epi16(_mm512_srli_epi32(rounded_bits(row, K, k), 16)));
    return static_cast<const uint32_t*>(buffer);
}

// The FMA version's operand: the rounded values as fp32.
constexpr std::size_t float_bytes(int64_t K) { return static_cast<std::size_t>(padded_values(K) * 4); }
MKLDNN_RNN_AVX512 inline const float* prepare_floats(const float* row, int64_t K, void* buffer) {
    auto* out = static_cast<float*>(buffer);
    for (int64_t k = 0; k < padded_values(K); k += 16) _mm512_store_si512(out + k, rounded_bits(row, K, k));
    return out;
}

} // namespace bf16

struct Bf16Product : FloatSums {
    static constexpr Precision kPrecision = Precision::bf16;
    static constexpr int64_t kGroup = 2;
    static constexpr int kWeightRegisters = 1; // per gate
    using Weight = uint16_t;
    using Matrix = bf16::Matrix;
    using Operand = const uint32_t*;
    static constexpr bool kConverts = true;
    static constexpr std::size_t operand_bytes(int64_t K) { return bf16::pair_bytes(K); }
    static Operand prepare(const float* row, int64_t K, void* buffer) { return bf16::prepare_pairs(row, K, buffer); }
    MKLDNN_RNN_AVX512 static __m512i load(const Weight* w) { return _mm512_load_si512(w); }
    MKLDNN_RNN_AVX512 static __m512i broadcast(Operand x, int64_t group) {
        return _mm512_set1_epi32(static_cast<int>(x[group]));
    }
    MKLDNN_RNN_AVX512_BF16 static Sum madd(Sum sum, __m512i w, __m512i x) {
        return _mm512_dpbf16_ps(sum, reinterpret_cast<__m512bh&>(x), reinterpret_cast<__m512bh&>(w));
    }
};

struct ref_Bf16Product : FloatSums {
    static constexpr Precision kPrecision = Precision::bf16;
    static constexpr int64_t kGroup = 2;
    static constexpr int kWeightRegisters = 2;
    using Weight = uint16_t;
    using Matrix = bf16::Matrix;
    using Operand = const float*;
    struct Pair { // the even and odd k of a group, widened to fp32
        __m512 even, odd;
    };
    static constexpr bool kConverts = true;
    static constexpr std::size_t operand_bytes(int64_t K) { return bf16::float_bytes(K); }
    static Operand prepare(const float* row, int64_t K, void* buffer) { return bf16::prepare_floats(row, K, buffer); }
    MKLDNN_RNN_AVX512 static Pair load(const Weight* w) {
        const __m512i pairs = _mm512_load_si512(w);
        return {_mm512_castsi512_ps(_mm512_slli_epi32(pairs, 16)),
                _mm512_castsi512_ps(_mm512_and_si512(pairs, _mm512_set1_epi32(static_cast<int>(0xffff0000u))))};
    }
    MKLDNN_RNN_AVX512 static Pair broadcast(Operand x, int64_t group) {
        return {_mm512_set1_ps(x[2 * group]), _mm512_set1_ps(x[2 * group + 1])};
    }
    MKLDNN_RNN_AVX512 static Sum madd(Sum sum, const Pair& w, const Pair& x) {
        return _mm512_fmadd_ps(w.even, x.even, _mm512_fmadd_ps(w.odd, x.odd, sum));
    }
};

} // namespace mkldnn_rnn::detail
