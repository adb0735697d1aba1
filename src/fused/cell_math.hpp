// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// The fused kernel's gate math ("postgemm" in oneDNN's src/cpu/rnn/): one 16-unit block of one batch row,
// from its gates' fp32 pre-activations to its new c and h, in registers. One version serves every dtype:
// reduced precision changes the inner products only (inner_product_*.hpp).
//
// Gate order is oneDNN's (weights/cell_traits.hpp): LSTM i,f,g,o; GRU z,r,n with n's pre-activation split
// into W_in x + b_in (`gx_n`) and W_hn h + b_hn (a[2]), as torch.nn's linear-before-reset GRU; RNN one.
#pragma once

#include <cstdint>

#include "mkldnn_rnn/config.hpp"
#include "fused/vector_math.hpp"

namespace mkldnn_rnn::detail {

// h of one block (units [u, u + 16) of one batch row) from its pre-activations `a`. Rows are whole: LSTM
// reads c_prev and writes c_out at the block's valid lanes; GRU reads h_prev there, and gx_n, the
// block's projected n gate ([16]). Pointers a mode does not use may be null.
template <Mode M>
MKLDNN_RNN_AVX512 inline __m512 cell_update(const __m512* a, int64_t u, __mmask16 valid, const float* gx_n,
        const float* h_prev, const float* c_prev, float* c_out) {
    if constexpr (M == Mode::LSTM) {
        const __m512 i = vec::sigmoid(a[0]), f = vec::sigmoid(a[1]), g = vec::tanh(a[2]), o = vec::sigmoid(a[3]);
        const __m512 c = _mm512_fmadd_ps(f, _mm512_maskz_loadu_ps(valid, c_prev + u), _mm512_mul_ps(i, g));
        _mm512_mask_storeu_ps(c_out + u, valid, c);
        return _mm512_mul_ps(o, vec::tanh(c));
    } else if constexpr (M == Mode::GRU) {
        const __m512 z = vec::sigmoid(a[0]), r = vec::sigmoid(a[1]);
        const __m512 n = vec::tanh(_mm512_fmadd_ps(r, a[2], _mm512_load_ps(gx_n)));
        const __m512 hp = _mm512_maskz_loadu_ps(valid, h_prev + u);
        return _mm512_fmadd_ps(z, _mm512_sub_ps(hp, n), n); // (1 - z) * n + z * h
    } else if constexpr (M == Mode::RNN_TANH) {
        return vec::tanh(a[0]);
    } else {
        return vec::relu(a[0]);
    }
}

} // namespace mkldnn_rnn::detail
