// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// exp, sigmoid and tanh on 16 floats with AVX-512, for the fused kernel's gate math.
//
// Accuracy: a few ulp against the exact function (tests/cpp/test_vector_math.cpp measures it), the
// class of torch.nn's own vectorised sigmoid and tanh. Special values behave as torch's: NaN in gives
// NaN out (every clamp keeps a NaN operand: MINPS/MAXPS return their second operand when one is NaN,
// and the input always stands second), exp(+inf) = inf, exp(-inf) = 0, sigmoid(+-inf) = 1 and 0,
// tanh(+-inf) = +-1.
//
// Every function carries MKLDNN_RNN_AVX512 (platform/targets.hpp); only code that has checked the CPU
// (platform/isa.hpp) calls these.
#pragma once

#include <cstdint>

#include "platform/targets.hpp"

namespace mkldnn_rnn::detail::vec {

// The first n of 16 lanes (none for n <= 0, all for n >= 16): the valid lanes of a partial vector.
inline __mmask16 lanes_below(int64_t n) {
    return static_cast<__mmask16>(n >= 16 ? 0xffffu : n > 0 ? (1u << n) - 1u : 0u);
}

// e^x: x = n ln2 + r with |r| <= ln2/2 (ln2 in two parts, Cody-Waite), e^r by Cephes' expf polynomial,
// then the exact scaling r * 2^n of VSCALEFPS, which also overflows to inf and underflows to 0.
MKLDNN_RNN_AVX512 inline __m512 exp(__m512 x) {
    // Outside [-104, 89] e^x is 0 or inf in fp32 already; the clamp keeps inf - inf out of r.
    x = _mm512_min_ps(_mm512_set1_ps(89.0f), _mm512_max_ps(_mm512_set1_ps(-104.0f), x));
    const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                          _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
    __m512 p = _mm512_set1_ps(1.9875691500e-4f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
    const __m512 e_r = _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
    return _mm512_scalef_ps(e_r, n);
}

// 1 / d for d in [1, 2]: the 14-bit estimate VRCP14PS and one Newton step, ~2^-28 before rounding; a
// quarter of the cost of VDIVPS, which the gate math of every step would otherwise wait on.
MKLDNN_RNN_AVX512 inline __m512 reciprocal_1_2(__m512 d) {
    const __m512 r = _mm512_rcp14_ps(d);
    return _mm512_fmadd_ps(r, _mm512_fnmadd_ps(d, r, _mm512_set1_ps(1.0f)), r);
}

// 1 / (1 + e^-x), as e / (1 + e) with e = e^-|x| for x < 0: the denominator stays in [1, 2], so the
// reciprocal is exact to fp32 and never meets inf.
MKLDNN_RNN_AVX512 inline __m512 sigmoid(__m512 x) {
    const __m512 one = _mm512_set1_ps(1.0f);
    const __m512 e = exp(_mm512_sub_ps(_mm512_setzero_ps(), _mm512_abs_ps(x)));
    const __mmask16 negative = _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ);
    return _mm512_mul_ps(_mm512_mask_blend_ps(negative, one, e), reciprocal_1_2(_mm512_add_ps(one, e)));
}

// Cephes' tanhf: an odd polynomial for |x| < 0.625, where the exponential form would cancel, and
// (1 - e) / (1 + e) with e = e^-2|x| and x's sign elsewhere.
MKLDNN_RNN_AVX512 inline __m512 tanh(__m512 x) {
    const __m512 one = _mm512_set1_ps(1.0f);
    const __m512 ax = _mm512_abs_ps(x);
    const __m512 e = exp(_mm512_mul_ps(_mm512_set1_ps(-2.0f), ax));
    __m512 large = _mm512_mul_ps(_mm512_sub_ps(one, e), reciprocal_1_2(_mm512_add_ps(one, e)));
    const __mmask16 negative = _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ);
    large = _mm512_mask_sub_ps(large, negative, _mm512_setzero_ps(), large);

    const __m512 z = _mm512_mul_ps(x, x);
    __m512 p = _mm512_set1_ps(-5.70498872745e-3f);
    p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(2.06390887954e-2f));
    p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(-5.37397155531e-2f));
    p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(1.33314422036e-1f));
    p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(-3.33332819422e-1f));
    const __m512 small = _mm512_fmadd_ps(_mm512_mul_ps(p, z), x, x);

    // NaN compares false, so it takes the `large` lane, which carries it.
    const __mmask16 is_small = _mm512_cmp_ps_mask(ax, _mm512_set1_ps(0.625f), _CMP_LT_OQ);
    return _mm512_mask_blend_ps(is_small, large, small);
}

// max(0, x) keeping NaN (torch.relu does).
MKLDNN_RNN_AVX512 inline __m512 relu(__m512 x) { return _mm512_max_ps(_mm512_setzero_ps(), x); }

} // namespace mkldnn_rnn::detail::vec
