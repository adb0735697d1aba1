// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// The fused kernel's bf16 inner product (see inner_product_f32.hpp for the operations): weights
// [blocks][K/2][G][16][2] bf16 (reduced_weights.hpp), operand rows rounded to bf16 pairs, fp32 sums.
//
// Bf16Product uses VDPBF16PS (AVX512_BF16); ref_Bf16Product, for CPUs without it, does what the SDM
// says the instruction does with fp32 FMA: per lane, acc += x[2i+1] * w[2i+1], then acc += x[2i] * w[2i].
// A product of two bf16 values is exact in fp32, so each step rounds once as the instruction's does;
// the two differ only where the instruction flushes denormals.
#pragma once

#include <cstddef>
#include <cstdint>

#include "reduced_weights.hpp"
#include "vector_math.hpp"

#define MKLDNN_RNN_AVX512_BF16 __attribute__((target("avx512f,avx512bf16,fma")))

namespace mkldnn_rnn::detail {

namespace bf16 {

struct Matrix {
    const uint16_t* values;
};
using Operand = const uint32_t*; // bf16 pairs: k = 2i in the low half of element i

// Rounds `K` floats to bf16 (nearest even; NaN stays a quiet NaN) into `buffer`, padded with zeros to a
// whole number of 16 floats: operand_bytes(K) bytes, 64-byte aligned.
constexpr std::size_t operand_bytes(int64_t K) { return static_cast<std::size_t>((K + 31) / 32 * 64); }
MKLDNN_RNN_AVX512 inline Operand prepare(const float* row, int64_t K, void* buffer) {
    auto* out = static_cast<uint16_t*>(buffer);
    const int64_t padded = static_cast<int64_t>(operand_bytes(K) / 2);
    for (int64_t k = 0; k < padded; k += 16) {
        const __mmask16 valid = static_cast<__mmask16>(k + 16 <= K ? 0xffff : k < K ? (1u << (K - k)) - 1u : 0u);
        const __m512 x = _mm512_maskz_loadu_ps(valid, row + k);
        __m512i bits = _mm512_castps_si512(x);
        const __m512i odd = _mm512_and_si512(_mm512_srli_epi32(bits, 16), _mm512_set1_epi32(1));
        const __m512i rounded = _mm512_add_epi32(bits, _mm512_add_epi32(odd, _mm512_set1_epi32(0x7fff)));
        const __mmask16 nan = _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q);
        bits = _mm512_mask_or_epi32(rounded, nan, bits, _mm512_set1_epi32(0x00400000));
        _mm256_store_si256(reinterpret_cast<__m256i*>(out + k), _mm512_cvtepi32_epi16(_mm512_srli_epi32(bits, 16)));
    }
    return reinterpret_cast<Operand>(buffer);
}

// What both products share: everything but the multiply-add.
struct Common {
    static constexpr int64_t kGroup = 2;
    using Weight = uint16_t;
    using Sum = __m512;
    using Matrix = bf16::Matrix;
    using Operand = bf16::Operand;
    static constexpr bool kConverts = true;
    static constexpr std::size_t operand_bytes(int64_t K) { return bf16::operand_bytes(K); }
    static Operand prepare(const float* row, int64_t K, void* buffer) { return bf16::prepare(row, K, buffer); }
    MKLDNN_RNN_AVX512 static Sum start(__m512 acc) { return acc; }
    MKLDNN_RNN_AVX512 static Sum zero() { return _mm512_setzero_ps(); }
    MKLDNN_RNN_AVX512 static Sum add(Sum a, Sum b) { return _mm512_add_ps(a, b); }
    MKLDNN_RNN_AVX512 static __m512i load(const Weight* w) { return _mm512_load_si512(w); }
    MKLDNN_RNN_AVX512 static __m512i broadcast(Operand x, int64_t group) {
        return _mm512_set1_epi32(static_cast<int>(x[group]));
    }
    MKLDNN_RNN_AVX512 static __m512 finish(__m512, Sum sum, const Matrix&, int64_t, Operand) { return sum; }
};

} // namespace bf16

struct Bf16Product : bf16::Common {
    MKLDNN_RNN_AVX512_BF16 static Sum madd(Sum sum, __m512i w, __m512i x) {
        return _mm512_dpbf16_ps(sum, reinterpret_cast<__m512bh&>(x), reinterpret_cast<__m512bh&>(w));
    }
};

struct ref_Bf16Product : bf16::Common {
    MKLDNN_RNN_AVX512 static Sum madd(Sum sum, __m512i w, __m512i x) {
        const __m512i high = _mm512_set1_epi32(static_cast<int>(0xffff0000u));
        sum = _mm512_fmadd_ps(_mm512_castsi512_ps(_mm512_and_si512(w, high)),
                              _mm512_castsi512_ps(_mm512_and_si512(x, high)), sum);
        return _mm512_fmadd_ps(_mm512_castsi512_ps(_mm512_slli_epi32(w, 16)),
                               _mm512_castsi512_ps(_mm512_slli_epi32(x, 16)), sum);
    }
};

} // namespace mkldnn_rnn::detail
