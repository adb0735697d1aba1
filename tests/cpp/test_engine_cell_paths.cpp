// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// cell_forward against the reference where test_engine_cells.cpp (mode x bias x hx and cx both given or
// both zeros x N x sizes) does not reach:
//  * PartialState: an LSTMCell given hx without cx, or cx without hx (each defaults to zeros on its own);
//  * ChainedSteps: 17 cell steps feeding h (and c) back are the 17-step sequence, as torch.nn's cells
//    are used in a decoder loop;
//  * SharedModel: one packed model serving cell_forward and forward calls of several shapes in turn,
//    at each weights format, so cached primitives of one call kind are reused by the other.
#include <functional>
#include <utility>

#include <gtest/gtest.h>

#include "model_data.hpp"
#include "reference.hpp"
#include "tolerance.hpp"

namespace mkldnn_rnn::testing {
namespace {

const float* data_or_null(const std::vector<float>& v) { return v.empty() ? nullptr : v.data(); }
uint32_t seed_of(const std::string& name) { return static_cast<uint32_t>(std::hash<std::string>{}(name)); }

struct CellResult {
    std::vector<float> h, c; // c empty unless LSTM
};

// One cell step of `engine` on [N, I] input.
CellResult engine_cell(const PackedRnn& engine, const std::vector<float>& x, int64_t N,
                            const std::vector<float>& hx, const std::vector<float>& cx) {
    const RnnConfig& cfg = engine.config();
    const bool lstm = cfg.mode == Mode::LSTM;
    std::vector<float> h(N * cfg.hidden_size, -1.0f), c(lstm ? N * cfg.hidden_size : 0, -1.0f);
    engine.cell_forward({x.data(), N, data_or_null(hx), data_or_null(cx)}, {h.data(), lstm ? c.data() : nullptr});
    return {h, c};
}

// ---------------------------------------------------------------------------------------------------
struct PartialCase {
    bool bias, hx_given; // hx without cx, or cx without hx
    int64_t N, I, H;

    std::string name() const {
        return std::string("LSTM") + (bias ? "_bias" : "_nobias") + (hx_given ? "_hxonly" : "_cxonly") + "_N"
               + std::to_string(N) + "_I" + std::to_string(I) + "H" + std::to_string(H);
    }
};

std::vector<PartialCase> partial_grid() {
    std::vector<PartialCase> cases;
    for (bool bias : {true, false})
        for (bool hx_given : {true, false})
            for (int64_t N : {1, 3, 8})
                for (auto [I, H] : {std::pair<int64_t, int64_t>{7, 13}, {250, 200}}) cases.push_back({bias, hx_given, N, I, H});
    return cases;
}

class PartialState : public ::testing::TestWithParam<PartialCase> {};

TEST_P(PartialState, MatchesReference) {
    const PartialCase& c = GetParam();
    const RnnConfig config{Mode::LSTM, c.I, c.H, 1, c.bias, false, 0};
    const uint32_t seed = seed_of(c.name());
    const ModelWeights model = random_weights(config, seed);
    const auto engine = PackedRnn::pack(config, model.views());
    const std::vector<float> x = random_floats(c.N * c.I, seed + 1);
    const std::vector<float> state = random_floats(c.N * c.H, seed + 2), none;
    const std::vector<float>& hx = c.hx_given ? state : none;
    const std::vector<float>& cx = c.hx_given ? none : state;

    const CellResult got = engine_cell(*engine, x, c.N, hx, cx);
    const ReferenceResult ref = reference_cell(model, x, c.N, hx, cx);
    EXPECT_TRUE(close_to_reference("h", got.h, ref.h_n));
    EXPECT_TRUE(close_to_reference("c", got.c, ref.c_n));
}

INSTANTIATE_TEST_SUITE_P(Cells, PartialState, ::testing::ValuesIn(partial_grid()),
                         [](const ::testing::TestParamInfo<PartialCase>& info) { return info.param.name(); });

// ---------------------------------------------------------------------------------------------------
class CellModes : public ::testing::TestWithParam<Mode> {};

TEST_P(CellModes, ChainedStepsAreTheSequence) {
    constexpr int64_t T = 17, N = 3, I = 7, H = 13;
    const RnnConfig config{GetParam(), I, H, 1, true, false, 0};
    const bool lstm = config.mode == Mode::LSTM;
    const ModelWeights model = random_weights(config, 11);
    const auto engine = PackedRnn::pack(config, model.views());
    const std::vector<float> input = random_floats(T * N * I, 12), h0 = random_floats(N * H, 13);
    const std::vector<float> c0 = lstm ? random_floats(N * H, 14) : std::vector<float>{};

    const ReferenceResult ref = reference_forward(model, input, T, N, SequenceLayout::time_major, h0, c0, {});
    std::vector<float> h = h0, c = c0;
    for (int64_t t = 0; t < T; ++t) {
        const std::vector<float> x(input.begin() + t * N * I, input.begin() + (t + 1) * N * I);
        CellResult step = engine_cell(*engine, x, N, h, c);
        h = std::move(step.h);
        c = std::move(step.c);
        const std::vector<double> want(ref.output.begin() + t * N * H, ref.output.begin() + (t + 1) * N * H);
        ASSERT_TRUE(close_to_reference("h", h, want)) << "step " << t;
    }
    EXPECT_TRUE(close_to_reference("c", c, ref.c_n));
}

TEST_P(CellModes, SharedModelServesCellsAndSequences) {
    constexpr int64_t I = 7, H = 13;
    const RnnConfig config{GetParam(), I, H, 1, true, false, 0};
    const bool lstm = config.mode == Mode::LSTM;
    const ModelWeights model = random_weights(config, 21);
    for (WeightsFormat format : {WeightsFormat::automatic, WeightsFormat::plain_ldigo, WeightsFormat::onednn_preferred,
                                  WeightsFormat::fused}) {
        EngineOptions options;
        options.weights_format = format;
        const auto engine = PackedRnn::pack(config, model.views(), options);
        for (int round = 0; round < 2; ++round)
            for (int64_t T : {1, 5}) // T = 1 shares its primitive key with the cell call of the same N
                for (int64_t N : {2, 5}) {
                    const uint32_t seed = static_cast<uint32_t>(100 * round + 10 * T + N);
                    const std::vector<float> x = random_floats(N * I, seed), hx = random_floats(N * H, seed + 1);
                    const std::vector<float> cx = lstm ? random_floats(N * H, seed + 2) : std::vector<float>{};
                    const CellResult cell = engine_cell(*engine, x, N, hx, cx);
                    const ReferenceResult cell_ref = reference_cell(model, x, N, hx, cx);
                    ASSERT_TRUE(close_to_reference("cell h", cell.h, cell_ref.h_n)) << "N " << N;
                    ASSERT_TRUE(close_to_reference("cell c", cell.c, cell_ref.c_n)) << "N " << N;

                    const std::vector<float> seq = random_floats(T * N * I, seed + 3);
                    std::vector<float> out(T * N * H), hn(N * H);
                    SequenceInput in;
                    in.input = seq.data();
                    in.seq_len = T;
                    in.batch = N;
                    in.h0 = hx.data();
                    engine->forward(in, {out.data(), hn.data(), nullptr});
                    const ReferenceResult ref = reference_forward(model, seq, T, N, SequenceLayout::time_major, hx, {}, {});
                    ASSERT_TRUE(close_to_reference("output", out, ref.output)) << "T " << T << " N " << N;
                    ASSERT_TRUE(close_to_reference("h_n", hn, ref.h_n)) << "T " << T << " N " << N;
                }
    }
}

INSTANTIATE_TEST_SUITE_P(Cells, CellModes, ::testing::Values(Mode::LSTM, Mode::GRU, Mode::RNN_TANH, Mode::RNN_RELU),
                         [](const ::testing::TestParamInfo<Mode>& info) { return std::string(mode_name(info.param)); });

} // namespace
} // namespace mkldnn_rnn::testing
