// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// The fused kernel's exp, sigmoid and tanh (src/fused/vector_math.inc) against double-precision libm, on a
// dense sweep of the range that matters and on the special values, where they must behave as torch's;
// on every ISA the kernel is built for (compiled here as variants.cpp compiles it) that this CPU has.
#include "platform/targets.hpp" // first: the one <immintrin.h> (see there)

#include "fused/simd_avx2.hpp"
#include "fused/simd_avx512.hpp"
#include "platform/cpu_features.hpp"
#include "platform/isa.hpp"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace mkldnn_rnn::detail {

enum class Fn { exp, sigmoid, tanh, relu };

// y = fn(x) on one ISA's vectors of 16 lanes, the last one partial.
#define MKLDNN_RNN_VECTOR_MATH_APPLY                                                                         \
    MKLDNN_RNN_KERNEL_TARGET inline void apply(Fn fn, const float* x, float* y, int64_t n) {                \
        for (int64_t i = 0; i < n; i += 16) {                                                              \
            const simd::Lanes m = simd::lanes_below(n - i);                                                \
            const simd::Floats v = simd::load_lanes(m, x + i);                                             \
            simd::Floats r = v;                                                                            \
            switch (fn) {                                                                                  \
                case Fn::exp: r = vec::exp(v); break;                                                      \
                case Fn::sigmoid: r = vec::sigmoid(v); break;                                              \
                case Fn::tanh: r = vec::tanh(v); break;                                                    \
                case Fn::relu: r = vec::relu(v); break;                                                    \
            }                                                                                              \
            simd::store_lanes(y + i, m, r);                                                                \
        }                                                                                                  \
    }

namespace avx2 {
namespace simd = simd_avx2;
#define MKLDNN_RNN_KERNEL_TARGET MKLDNN_RNN_AVX2
#include "fused/vector_math.inc"
MKLDNN_RNN_VECTOR_MATH_APPLY
#undef MKLDNN_RNN_KERNEL_TARGET
} // namespace avx2

namespace avx512_core {
namespace simd = simd_avx512;
#define MKLDNN_RNN_KERNEL_TARGET MKLDNN_RNN_AVX512
#include "fused/vector_math.inc"
MKLDNN_RNN_VECTOR_MATH_APPLY
#undef MKLDNN_RNN_KERNEL_TARGET
} // namespace avx512_core

namespace {

std::vector<float> apply(Isa isa, Fn fn, const std::vector<float>& x) {
    std::vector<float> y(x.size());
    const auto n = static_cast<int64_t>(x.size());
    if (isa == Isa::avx2) avx2::apply(fn, x.data(), y.data(), n);
    else avx512_core::apply(fn, x.data(), y.data(), n);
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
double worst_error(Isa isa, Fn fn, const std::vector<float>& x, double tiny) {
    const std::vector<float> y = apply(isa, fn, x);
    double worst = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double want = exact(fn, x[i]);
        const double err = std::fabs(y[i] - want) / std::max(std::fabs(want), tiny);
        if (!(err <= worst)) worst = err;
    }
    return worst;
}

// The vector math of each ISA the kernel is built for. A CPU without one says so (the test is skipped
// with the reason); what must hold on every CPU is that the fused kernel runs exactly where one of them does.
class VectorMath : public ::testing::TestWithParam<Isa> {
protected:
    void SetUp() override {
        const CpuFeatures& f = cpu_features();
        EXPECT_EQ(fused_kernel_available(), (f.avx2 && f.fma) || (f.avx512f && f.avx512bw && f.fma));
        if (!cpu_has(GetParam())) GTEST_SKIP() << "this CPU has no " << isa_name(GetParam());
    }
    Isa isa() const { return GetParam(); }
};

INSTANTIATE_TEST_SUITE_P(EveryIsa, VectorMath, ::testing::Values(Isa::avx2, Isa::avx512_core),
                         [](const ::testing::TestParamInfo<Isa>& info) { return std::string(isa_name(info.param)); });

// fp32 has 2^-24 = 6e-8 of relative rounding; the bounds allow a few ulp, as torch's vectorised math.
TEST_P(VectorMath, ExpWithinFourUlp) {
    EXPECT_LE(worst_error(isa(), Fn::exp, sweep(-87.0f, 88.0f), 1e-300), 4 * 6e-8);
}

TEST_P(VectorMath, SigmoidWithinFourUlp) {
    EXPECT_LE(worst_error(isa(), Fn::sigmoid, sweep(-80.0f, 40.0f), 1e-300), 4 * 6e-8);
}

TEST_P(VectorMath, TanhWithinFourUlp) {
    EXPECT_LE(worst_error(isa(), Fn::tanh, sweep(-20.0f, 20.0f), 1e-300), 4 * 6e-8);
}

TEST_P(VectorMath, SpecialValuesAsTorch) {
    const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
    const std::vector<float> x{nan, inf, -inf, 1e30f, -1e30f, 100.0f, -110.0f};
    const auto e = apply(isa(), Fn::exp, x), s = apply(isa(), Fn::sigmoid, x), t = apply(isa(), Fn::tanh, x),
               r = apply(isa(), Fn::relu, x);
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
