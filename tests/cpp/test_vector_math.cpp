// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// The fused kernel's exp, sigmoid and tanh (src/fused/vector_math.hpp) against double-precision libm, on a
// dense sweep of the range that matters and on the special values, where they must behave as torch's.
#include "fused/vector_math.hpp" // first: it includes <immintrin.h> (platform/targets.hpp)

#include "platform/cpu_features.hpp"
#include "platform/isa.hpp"

#include <cmath>
#include <limits>
#include <vector>

#include <gtest/gtest.h>

namespace mkldnn_rnn::detail {
namespace {

enum class Fn { exp, sigmoid, tanh, relu };

MKLDNN_RNN_AVX512 std::vector<float> apply(Fn fn, const std::vector<float>& x) {
    std::vector<float> y(x.size());
    for (std::size_t i = 0; i < x.size(); i += 16) {
        const __mmask16 m = static_cast<__mmask16>(x.size() - i >= 16 ? 0xFFFF : (1u << (x.size() - i)) - 1u);
        const __m512 v = _mm512_maskz_loadu_ps(m, x.data() + i);
        __m512 r = v;
        switch (fn) {
            case Fn::exp: r = vec::exp(v); break;
            case Fn::sigmoid: r = vec::sigmoid(v); break;
            case Fn::tanh: r = vec::tanh(v); break;
            case Fn::relu: r = vec::relu(v); break;
        }
        _mm512_mask_storeu_ps(y.data() + i, m, r);
    }
    return y;
}

double exact(Fn fn, double x) {
    switch (fn) {
        case Fn::exp: return std::exp(x);
        case Fn::sigmoid: return 1.0 / (1.0 + std::exp(-x));
        case Fn::tanh: return std::tanh(x);
        case Fn::relu: break;
    }
    return x > 0 ? x : 0.0;
}

// Every float step of 1/1024 in [lo, hi], plus the values just around 0 and the tanh branch point.
std::vector<float> sweep(float lo, float hi) {
    std::vector<float> x;
    for (float v = lo; v <= hi; v += 1.0f / 1024) x.push_back(v);
    for (float v : {0.0f, -0.0f, 1e-30f, -1e-30f, 1e-7f, -1e-7f, 0.625f, -0.625f, std::nextafter(0.625f, 0.0f)}) x.push_back(v);
    return x;
}

// Largest relative error |got - exact| / |exact| over the sweep (absolute below `tiny`).
double worst_error(Fn fn, const std::vector<float>& x, double tiny) {
    const std::vector<float> y = apply(fn, x);
    double worst = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double want = exact(fn, x[i]);
        const double err = std::fabs(y[i] - want) / std::max(std::fabs(want), tiny);
        if (!(err <= worst)) worst = err;
    }
    return worst;
}

// Whether this CPU runs the vector math at all. Where it cannot (no AVX-512), what must hold instead is
// that the engine never picks the fused kernel, whose only caller it is.
bool runs_here() {
    const bool avx512 = cpu_features().avx512f && cpu_features().fma;
    EXPECT_EQ(fused_kernel_available(), avx512);
    return avx512;
}

class VectorMath : public ::testing::Test {};

// fp32 has 2^-24 = 6e-8 of relative rounding; the bounds allow a few ulp, as torch's vectorised math.
TEST_F(VectorMath, ExpWithinFourUlp) {
    if (!runs_here()) return;
    EXPECT_LE(worst_error(Fn::exp, sweep(-87.0f, 88.0f), 1e-300), 4 * 6e-8);
}

TEST_F(VectorMath, SigmoidWithinFourUlp) {
    if (!runs_here()) return;
    EXPECT_LE(worst_error(Fn::sigmoid, sweep(-80.0f, 40.0f), 1e-300), 4 * 6e-8);
}

TEST_F(VectorMath, TanhWithinFourUlp) {
    if (!runs_here()) return;
    EXPECT_LE(worst_error(Fn::tanh, sweep(-20.0f, 20.0f), 1e-300), 4 * 6e-8);
}

TEST_F(VectorMath, SpecialValuesAsTorch) {
    if (!runs_here()) return;
    const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
    const std::vector<float> x{nan, inf, -inf, 1e30f, -1e30f, 100.0f, -110.0f};
    const auto e = apply(Fn::exp, x), s = apply(Fn::sigmoid, x), t = apply(Fn::tanh, x), r = apply(Fn::relu, x);
    EXPECT_TRUE(std::isnan(e[0]) && std::isnan(s[0]) && std::isnan(t[0]) && std::isnan(r[0])) << "NaN must stay NaN";
    EXPECT_EQ(e[1], inf);
    EXPECT_EQ(e[2], 0.0f);
    EXPECT_EQ(e[3], inf);
    EXPECT_EQ(e[4], 0.0f);
    EXPECT_EQ(e[5], inf);  // e^100 overflows fp32
    EXPECT_EQ(e[6], 0.0f); // e^-110 underflows
    EXPECT_EQ(s[1], 1.0f);
    EXPECT_EQ(s[2], 0.0f);
    EXPECT_EQ(t[1], 1.0f);
    EXPECT_EQ(t[2], -1.0f);
    EXPECT_EQ(t[3], 1.0f);
    EXPECT_EQ(t[4], -1.0f);
    EXPECT_EQ(r[1], inf);
    EXPECT_EQ(r[2], 0.0f);
}

} // namespace
} // namespace mkldnn_rnn::detail
