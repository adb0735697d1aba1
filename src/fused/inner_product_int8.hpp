// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// The fused kernel's int8 inner product (see inner_product_f32.hpp for the operations): weights
// [blocks][K/4][G][16][4] int8 with a scale per output row (weights/reduced_weights.hpp); operand rows quantized
// at run time, per row, to uint8 with a symmetric scale; int32 sums, exact, scaled back to fp32 once.
//
// Quantizing a row v of K values: m = max |v_k|; q_k = nearbyint(v_k * (127 / m)) in [-127, 127] (all 0
// when m = 0); scale = m / 127. The instruction multiplies unsigned by signed bytes, so the operand is
// q + 128 and the matrix keeps 128 * sum_k w (`compensation`) to take back:
//   sum_k q_k w_k = sum_k (q_k + 128) w_k - compensation,  product = scale * w_scale * that.
//
// Int8Product uses VPDPBUSD (AVX512_VNNI); ref_Int8Product, for CPUs without it, computes the same
// integer sums with AVX-512F multiplies, so its results are the same bit for bit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>

#include "fused/vector_math.hpp"
#include "util/round_up.hpp"
#include "weights/reduced_weights.hpp"

namespace mkldnn_rnn::detail {

namespace int8 {

struct Matrix {
    const int8_t* values;
    const float* scales;         // [blocks][G][16]
    const int32_t* compensation; // [blocks][G][16]
};

struct Operand {
    const uint32_t* quads; // q + 128, four k per element, k = 4i in its low byte
    float scale;           // NaN when the row holds a NaN or an inf, so that the products carry it
};

// Quantizes `K` floats into `buffer` (operand_bytes(K), padded to a whole number of 64 bytes with the
// value of 0, 128).
constexpr std::size_t operand_bytes(int64_t K) { return round_up<std::size_t>(static_cast<std::size_t>(K), kCacheLine); }
MKLDNN_RNN_AVX512 inline Operand prepare(const float* row, int64_t K, void* buffer) {
    auto* out = static_cast<uint8_t*>(buffer);
    const int64_t padded = static_cast<int64_t>(operand_bytes(K));
    const auto lanes = [K](int64_t k) { return vec::lanes_below(K - k); };
    __m512 max_abs = _mm512_setzero_ps();
    __mmask16 nan = 0;
    for (int64_t k = 0; k < K; k += 16) {
        const __m512 x = _mm512_maskz_loadu_ps(lanes(k), row + k);
        nan |= _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q);
        max_abs = _mm512_max_ps(max_abs, _mm512_abs_ps(x));
    }
    const float m = _mm512_reduce_max_ps(max_abs);
    const __m512 inv = _mm512_set1_ps(m > 0.f ? 127.f / m : 0.f);
    for (int64_t k = 0; k < padded; k += 16) {
        const __m512 x = _mm512_maskz_loadu_ps(lanes(k), row + k);
        __m512i q = _mm512_cvtps_epi32(_mm512_mul_ps(x, inv)); // nearest even
        q = _mm512_min_epi32(_mm512_max_epi32(q, _mm512_set1_epi32(-127)), _mm512_set1_epi32(127));
        _mm_store_si128(reinterpret_cast<__m128i*>(out + k), _mm512_cvtepi32_epi8(_mm512_add_epi32(q, _mm512_set1_epi32(128))));
    }
    // An inf (or NaN) in the row has no scale: NaN carries it into every product, as fp32's would.
    const bool finite = !nan && m <= std::numeric_limits<float>::max();
    return {reinterpret_cast<const uint32_t*>(buffer), finite ? m / 127.f : std::numeric_limits<float>::quiet_NaN()};
}

// What both products share: everything but the multiply-add.
struct Common {
    static constexpr Precision kPrecision = Precision::int8;
    static constexpr int64_t kGroup = 4;
    static constexpr int kWeightRegisters = 1;
    using Weight = int8_t;
    using Sum = __m512i;
    using Matrix = int8::Matrix;
    using Operand = int8::Operand;
    static constexpr bool kConverts = true;
    static constexpr std::size_t operand_bytes(int64_t K) { return int8::operand_bytes(K); }
    static Operand prepare(const float* row, int64_t K, void* buffer) { return int8::prepare(row, K, buffer); }
    // Integer sums start at zero; finish() scales them into the fp32 pre-activations.
    MKLDNN_RNN_AVX512 static Sum start(__m512) { return _mm512_setzero_si512(); }
    MKLDNN_RNN_AVX512 static Sum zero() { return _mm512_setzero_si512(); }
    MKLDNN_RNN_AVX512 static Sum add(Sum a, Sum b) { return _mm512_add_epi32(a, b); }
    MKLDNN_RNN_AVX512 static __m512i load(const Weight* w) { return _mm512_load_si512(w); }
    MKLDNN_RNN_AVX512 static __m512i broadcast(const Operand& x, int64_t group) {
        return _mm512_set1_epi32(static_cast<int>(x.quads[group]));
    }
    // `lane`: the offset of this block's gate in scales and compensation.
    MKLDNN_RNN_AVX512 static __m512 finish(__m512 acc, Sum sum, const Matrix& m, int64_t lane, const Operand& x) {
        const __m512 exact = _mm512_cvtepi32_ps(_mm512_sub_epi32(sum, _mm512_load_si512(m.compensation + lane)));
        return _mm512_fmadd_ps(exact, _mm512_mul_ps(_mm512_set1_ps(x.scale), _mm512_load_ps(m.scales + lane)), acc);
    }
};

} // namespace int8

struct Int8Product : int8::Common {
    MKLDNN_RNN_AVX512_VNNI static Sum madd(Sum sum, __m512i w, __m512i x) { return _mm512_dpbusd_epi32(sum, x, w); }
};

struct ref_Int8Product : int8::Common {
    // Byte j of each lane: w sign-extended, x zero-extended, multiplied exactly in 32 bits.
    MKLDNN_RNN_AVX512 static Sum madd(Sum sum, __m512i w, __m512i x) {
        const __m512i byte = _mm512_set1_epi32(0xff);
        sum = _mm512_add_epi32(sum, _mm512_mullo_epi32(_mm512_srai_epi32(_mm512_slli_epi32(w, 24), 24), _mm512_and_si512(x, byte)));
        sum = _mm512_add_epi32(sum, _mm512_mullo_epi32(_mm512_srai_epi32(_mm512_slli_epi32(w, 16), 24),
                                                       _mm512_and_si512(_mm512_srli_epi32(x, 8), byte)));
        sum = _mm512_add_epi32(sum, _mm512_mullo_epi32(_mm512_srai_epi32(_mm512_slli_epi32(w, 8), 24),
                                                       _mm512_and_si512(_mm512_srli_epi32(x, 16), byte)));
        return _mm512_add_epi32(sum, _mm512_mullo_epi32(_mm512_srai_epi32(w, 24), _mm512_srli_epi32(x, 24)));
    }
};

} // namespace mkldnn_rnn::detail
