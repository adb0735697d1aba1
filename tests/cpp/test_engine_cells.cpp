// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// cell_forward (LSTMCell, GRUCell, RNNCell semantics) against the reference over mode x bias x
// hx given or zeros x N {1,3,8} x sizes {7->13, 250->200}.
#include <gtest/gtest.h>

#include "model_data.hpp"
#include "reference.hpp"
#include "tolerance.hpp"

namespace mkldnn_rnn::testing {
namespace {

struct CellCase {
    Mode mode;
    bool bias, with_state;
    int64_t N, I, H;

    std::string name() const {
        return std::string(mode_name(mode)) + (bias ? "_bias" : "_nobias") + (with_state ? "_state" : "_zero") + "_N"
               + std::to_string(N) + "_I" + std::to_string(I) + "H" + std::to_string(H);
    }
};

std::vector<CellCase> cell_grid() {
    std::vector<CellCase> cases;
    for (Mode mode : {Mode::LSTM, Mode::GRU, Mode::RNN_TANH, Mode::RNN_RELU})
        for (bool bias : {true, false})
            for (bool with_state : {true, false})
                for (int64_t N : {1, 3, 8})
                    for (auto [I, H] : {std::pair<int64_t, int64_t>{7, 13}, {250, 200}})
                        cases.push_back({mode, bias, with_state, N, I, H});
    return cases;
}

class EngineCells : public ::testing::TestWithParam<CellCase> {};

TEST_P(EngineCells, MatchesReference) {
    const CellCase& c = GetParam();
    const RnnConfig config{c.mode, c.I, c.H, 1, c.bias, false, 0};
    const uint32_t seed = static_cast<uint32_t>(std::hash<std::string>{}(c.name()));
    const ModelWeights model = random_weights(config, seed);
    const auto engine = PackedRnn::pack(config, model.views());
    const bool lstm = c.mode == Mode::LSTM;
    const std::vector<float> x = random_floats(c.N * c.I, seed + 1);
    const std::vector<float> hx = c.with_state ? random_floats(c.N * c.H, seed + 2) : std::vector<float>{};
    const std::vector<float> cx = c.with_state && lstm ? random_floats(c.N * c.H, seed + 3) : std::vector<float>{};
    std::vector<float> h(c.N * c.H, -1.0f), cell(lstm ? c.N * c.H : 0, -1.0f);

    engine->cell_forward({x.data(), c.N, hx.empty() ? nullptr : hx.data(), cx.empty() ? nullptr : cx.data()},
                         {h.data(), lstm ? cell.data() : nullptr});
    const ReferenceResult ref = reference_cell(model, x, c.N, hx, cx);
    EXPECT_TRUE(close_to_reference("h", h, ref.h_n));
    EXPECT_TRUE(close_to_reference("c", cell, ref.c_n));
}

INSTANTIATE_TEST_SUITE_P(Cells, EngineCells, ::testing::ValuesIn(cell_grid()),
                         [](const ::testing::TestParamInfo<CellCase>& info) { return info.param.name(); });

} // namespace
} // namespace mkldnn_rnn::testing
