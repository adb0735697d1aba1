// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// The fused kernel's fp32 inner product: W [blocks][K][G][16] by FMA (AVX-512F).
//
// An inner product is a set of operations the kernel's one accumulation loop is written in
// (driver.inc): `prepare` turns an fp32 operand row (x or h) into what the loop reads, `load` a lane
// group of weights, `broadcast` one k group of an operand, `madd` multiplies and adds them into a
// partial sum, and `finish` adds the sums into the fp32 gate pre-activations. Each dtype has one file:
// this one, inner_product_bf16.hpp, inner_product_int8.hpp.
#pragma once

#include <cstddef>
#include <cstdint>

#include "fused/vector_math.hpp"
#include "mkldnn_rnn/types.hpp"

namespace mkldnn_rnn::detail {

// The sums of the fp32 and bf16 products: fp32 vectors that start from the pre-activations themselves,
// so finish() has nothing to add.
struct FloatSums {
    using Sum = __m512;
    MKLDNN_RNN_AVX512 static Sum start(__m512 acc) { return acc; }
    MKLDNN_RNN_AVX512 static Sum zero() { return _mm512_setzero_ps(); }
    MKLDNN_RNN_AVX512 static Sum add(Sum a, Sum b) { return _mm512_add_ps(a, b); }
    template <class Matrix, class Operand>
    MKLDNN_RNN_AVX512 static __m512 finish(__m512, Sum sum, const Matrix&, int64_t, const Operand&) { return sum; }
};

struct F32Product : FloatSums {
    static constexpr Precision kPrecision = Precision::fp32;
    static constexpr int64_t kGroup = 1; // k per lane of one weight vector
    static constexpr int kWeightRegisters = 1; // per gate of a k group
    using Weight = float;
    struct Matrix {
        const float* values;
    };
    using Operand = const float*; // the fp32 row itself: nothing to convert
    static constexpr bool kConverts = false;

    static constexpr std::size_t operand_bytes(int64_t) { return 0; }
    static Operand prepare(const float* row, int64_t, void*) { return row; }
    MKLDNN_RNN_AVX512 static __m512 load(const Weight* w) { return _mm512_load_ps(w); }
    MKLDNN_RNN_AVX512 static __m512 broadcast(Operand x, int64_t k) { return _mm512_set1_ps(x[k]); }
    MKLDNN_RNN_AVX512 static Sum madd(Sum sum, __m512 w, __m512 x) { return _mm512_fmadd_ps(w, x, sum); }
};

} // namespace mkldnn_rnn::detail
