// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// PackedRnn::pack_int8 (issue 12): models quantized already, as torch's quantize_dynamic gives them, must
// pack as they are and run at int8's bound (reduced_case.hpp).
//
//  * RoundTripAndForward: exact round trip through int8_weights() (per-row and per-tensor scales, values
//    -128 and 0), and forward on such a model against the reference on exactly these weights.
//  * SameAsPackOfQuantizedWeights: pack_int8 of the test's quantization equal to pack() with int8.
//  * LargestInnerProduct: the largest inner product int8 allows (K = 65536 at the int32 limit), and one
//    more column refused.
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "reduced_case.hpp"
#include "tolerance.hpp"

namespace mkldnn_rnn::testing {
namespace {

// A model's int8 weights from the test's quantization, owning its arrays.
struct Int8Model {
    RnnConfig config;
    std::vector<Int8Layer> q;
    std::vector<std::vector<float>> b_ih, b_hh;
    std::vector<Int8LayerWeights> views() const {
        std::vector<Int8LayerWeights> v(q.size());
        for (std::size_t k = 0; k < q.size(); ++k) {
            v[k].weight_ih = {q[k].ih.data(), q[k].s_ih.data()};
            v[k].weight_hh = {q[k].hh.data(), q[k].s_hh.data()};
            if (config.proj_size > 0) v[k].weight_hr = {q[k].hr.data(), q[k].s_hr.data()};
            v[k].bias_ih = data_or_null(b_ih[k]);
            v[k].bias_hh = data_or_null(b_hh[k]);
        }
        return v;
    }
};

// Random int8 values in [-128, 127] (torch's qint8 range: quantize_dynamic's weights reach -128) with
// random positive scales per row, or one scale per tensor.
Int8Model random_int8(const RnnConfig& c, uint32_t seed, bool per_tensor) {
    std::mt19937 gen(seed);
    std::uniform_int_distribution<int> val(-128, 127);
    std::uniform_real_distribution<float> sc(0.2f, 1.0f);
    const float base = 1.0f / (127.0f * std::sqrt(static_cast<float>(c.hidden_size)));
    Int8Model m{c, {}, {}, {}};
    const ModelWeights shape = random_weights(c, seed);
    for (std::size_t k = 0; k < shape.w_ih.size(); ++k) {
        Int8Layer l;
        const auto fill = [&](std::vector<int8_t>& v, std::vector<float>& s, std::size_t n, int64_t rows) {
            v.resize(n);
            for (auto& x : v) x = static_cast<int8_t>(val(gen));
            const float t = base * sc(gen);
            s.resize(rows);
            for (auto& x : s) x = per_tensor ? t : base * sc(gen);
        };
        const int64_t GH = c.num_gates() * c.hidden_size;
        fill(l.ih, l.s_ih, shape.w_ih[k].size(), GH);
        fill(l.hh, l.s_hh, shape.w_hh[k].size(), GH);
        if (c.proj_size > 0) fill(l.hr, l.s_hr, shape.w_hr[k].size(), c.proj_size);
        // One row of -128 throughout, one of zeros: the ends of the range.
        std::fill(l.hh.begin(), l.hh.begin() + c.output_size(), int8_t{-128});
        std::fill(l.ih.end() - c.layer_input_size(static_cast<int64_t>(k) / c.num_directions()), l.ih.end(), int8_t{0});
        m.q.push_back(l);
        m.b_ih.push_back(shape.b_ih[k]);
        m.b_hh.push_back(shape.b_hh[k]);
    }
    return m;
}

TEST(PackInt8, RoundTripAndForward) {
    for (bool per_tensor : {false, true})
        for (const auto& mode : mode_variants({7, 13, 5}))
            for (bool bias : {true, false}) {
                const RnnConfig c{mode.first, 7, 13, 2, bias, true, mode.second};
                SCOPED_TRACE(c.to_string() + (per_tensor ? " per-tensor" : " per-row"));
                const Int8Model m = random_int8(c, 77 + static_cast<uint32_t>(mode.second), per_tensor);
                for (Precision p : {Precision::fp32, Precision::int8}) {
                    EngineOptions options;
                    options.precision = p;
                    const auto engine = PackedRnn::pack_int8(c, m.views(), options);
                    EXPECT_EQ(engine->precision(), Precision::int8);
                    const CoreInt8 got = core_int8_weights(*engine);
                    for (std::size_t k = 0; k < m.q.size(); ++k) {
                        EXPECT_EQ(got.q[k].ih, m.q[k].ih);
                        EXPECT_EQ(got.q[k].hh, m.q[k].hh);
                        EXPECT_EQ(got.q[k].hr, m.q[k].hr);
                        EXPECT_TRUE(same_floats("s_ih", got.q[k].s_ih, m.q[k].s_ih));
                        EXPECT_TRUE(same_floats("s_hh", got.q[k].s_hh, m.q[k].s_hh));
                        EXPECT_TRUE(same_floats("s_hr", got.q[k].s_hr, m.q[k].s_hr));
                        EXPECT_TRUE(same_floats("b_ih", got.b_ih[k], m.b_ih[k]));
                        EXPECT_TRUE(same_floats("b_hh", got.b_hh[k], m.b_hh[k]));
                    }
                    if (p == Precision::int8) continue;
                    // Forward against the reference on exactly these weights.
                    EngineCase e;
                    e.config = c;
                    e.N = 3;
                    e.T = 7;
                    e.with_state = true;
                    e.lengths = Lengths::mixed;
                    const CaseData data = case_data(e, 5);
                    const EngineResult r = run_engine(*engine, e, data);
                    double largest = 0, units = 0;
                    const ReferenceResult ref = reference_forward(exact_from_int8(c, got), hook_for(Precision::int8, &largest),
                                                                  data.input, e.T, e.N, e.layout, data.h0, data.c0, data.lengths);
                    const double unit = unit_of(Precision::int8, largest), bound = grid_bound(Precision::int8, e);
                    EXPECT_TRUE(within("output", r.output, ref.output, unit, bound, &units));
                    EXPECT_TRUE(within("h_n", r.h_n, ref.h_n, unit, bound, &units));
                    EXPECT_TRUE(within("c_n", r.c_n, ref.c_n, unit, bound, &units));
                    note("int8 pack_int8", units, units * unit, c.to_string());
                }
            }
}

// pack() with int8 on weights quantized already by the test: pack_int8 of the same values and scales gives
// the same model, bit for bit in its outputs.
TEST(PackInt8, SameAsPackOfQuantizedWeights) {
    const RnnConfig c{Mode::LSTM, 7, 13, 1, true, false, 5};
    const ModelWeights model = random_weights(c, 9);
    Int8Model m{c, expected_int8(model), model.b_ih, model.b_hh};
    EngineOptions options;
    options.precision = Precision::int8;
    const auto a = PackedRnn::pack(c, model.views(), options);
    const auto b = PackedRnn::pack_int8(c, m.views());
    EngineCase e;
    e.config = c;
    e.N = 3;
    e.T = 9;
    e.with_state = true;
    const CaseData data = case_data(e, 3);
    EXPECT_TRUE(same_bits(run_engine(*a, e, data), run_engine(*b, e, data)));
}

// The int32 sums at the largest K pack allows for int8 (65536): every activation at +max (u8 255 after the
// shift by 128) against weights of -128 sums (q + 128) * w to -2139095040, just inside int32. The result must
// be the exact product: sum q * w = 127 * -128 * 65536, times the two scales.
TEST(PackInt8, LargestInnerProduct) {
    const int64_t K = 65536;
    const RnnConfig c{Mode::RNN_TANH, K, 1, 1, false, false, 0};
    const std::vector<int8_t> ih(K, int8_t{-128}), hh(1, int8_t{0});
    const std::vector<float> s_ih(1, 1e-7f), s_hh(1, 1.0f);
    Int8LayerWeights w;
    w.weight_ih = {ih.data(), s_ih.data()};
    w.weight_hh = {hh.data(), s_hh.data()};
    const auto engine = PackedRnn::pack_int8(c, {w});
    const std::vector<float> x(K, 0.75f);
    float h = -2.0f, out = -2.0f;
    engine->cell_forward({x.data(), 1, nullptr, nullptr}, {&h, nullptr});
    SequenceInput in;
    in.input = x.data();
    in.seq_len = 1;
    in.batch = 1;
    engine->forward(in, {&out, nullptr, nullptr});
    // x quantizes to q = 127 with scale 0.75 / 127: the product is 127 * -128 * 65536 * (0.75f / 127.f) * 1e-7f.
    const double want = std::tanh(127.0 * -128.0 * 65536.0 * static_cast<double>(0.75f / 127.0f) * static_cast<double>(1e-7f));
    EXPECT_NEAR(h, want, kAbsTol + kRelTol * std::fabs(want));
    EXPECT_NEAR(out, want, kAbsTol + kRelTol * std::fabs(want));
    // One more column is refused (int32 could overflow).
    const RnnConfig wide{Mode::RNN_TANH, K + 1, 1, 1, false, false, 0};
    const std::vector<int8_t> ih_wide(K + 1, int8_t{1});
    w.weight_ih = {ih_wide.data(), s_ih.data()};
    try {
        PackedRnn::pack_int8(wide, {w});
        ADD_FAILURE() << "input_size 65537 accepted for int8";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("65536"), std::string::npos) << e.what();
    }
}

} // namespace
} // namespace mkldnn_rnn::testing
