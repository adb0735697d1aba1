// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// The engine against the reference over every configuration torch.nn allows.
//
// Grid rule:
//  * small sizes (I=7, H=13, P=5), weights format automatic: the full product mode x num_layers
//    {1,2,3} x bidirectional x bias x proj_size (LSTM 0 and 5) x layout x lengths {none, equal, mixed,
//    descending} x N {1,3,8} x T {1,5,17};
//  * the same with each fixed format (plain_ldigo, onednn_preferred, fused), bias and layout alternating with
//    the parity of the other indices;
//  * the benchmark's sizes (I=250, H=200, P=100), automatic: mode x num_layers x bidirectional x
//    proj_size x lengths at (N, T) in {(1,17), (8,1), (3,5)}, with bias and layout alternating, so that
//    every value of every dimension meets every value of every other one at one size or the other;
//  * the benchmark's sizes again with the fused kernel forced: mode (LSTM with and without projection) x num_layers
//    {1,2} x bidirectional x lengths {none, mixed} x (N,T) in {(1,17), (3,5)};
//  * the fused kernel forced at the benchmark's sizes over every batch 1..13 (its step's row passes): mode x
//    N, T = 6, lengths alternating {none, mixed};
//  * in all, the initial state (given or zeros) alternates with the case index;
//  * the weights format is `automatic`, what users run: test_engine_formats.cpp repeats the small
//    product with each fixed format.
// Each case also runs twice and must give the same bits (the second call runs on cached primitives).
#include <cstring>

#include <gtest/gtest.h>

#include "engine_case.hpp"
#include "tolerance.hpp"

namespace mkldnn_rnn::testing {
namespace {

std::vector<EngineCase> grid() {
    std::vector<EngineCase> cases;
    const auto add = [&](const Sizes& s, std::pair<Mode, int64_t> mode, int64_t layers, bool bidir, bool bias,
                         SequenceLayout layout, Lengths lengths, int64_t N, int64_t T,
                         WeightsFormat format = WeightsFormat::automatic) {
        EngineCase c;
        c.config = {mode.first, s.I, s.H, layers, bias, bidir, mode.second};
        c.layout = layout;
        c.lengths = lengths;
        c.N = N;
        c.T = T;
        const std::size_t k = cases.size();
        c.with_state = k % 2 == 1;
        c.format = format;
        cases.push_back(c);
    };
    const Lengths all_lengths[] = {Lengths::none, Lengths::equal, Lengths::mixed, Lengths::descending};
    const Sizes small{7, 13, 5}, large{250, 200, 100};
    for (const auto& mode : mode_variants(small))
        for (int64_t layers : {1, 2, 3})
            for (bool bidir : {false, true})
                for (bool bias : {true, false})
                    for (SequenceLayout layout : {SequenceLayout::time_major, SequenceLayout::batch_first})
                        for (Lengths lengths : all_lengths)
                            for (int64_t N : {1, 3, 8})
                                for (int64_t T : {1, 5, 17}) add(small, mode, layers, bidir, bias, layout, lengths, N, T);
    int parity = 0;
    for (WeightsFormat format : {WeightsFormat::plain_ldigo, WeightsFormat::onednn_preferred, WeightsFormat::fused})
        for (const auto& mode : mode_variants(small))
            for (int64_t layers : {1, 2, 3})
                for (bool bidir : {false, true})
                    for (Lengths lengths : all_lengths)
                        for (int64_t N : {1, 3, 8})
                            for (int64_t T : {1, 5, 17}) {
                                ++parity;
                                add(small, mode, layers, bidir, parity % 2 == 0,
                                    (parity / 2) % 2 ? SequenceLayout::batch_first : SequenceLayout::time_major,
                                    lengths, N, T, format);
                            }
    int flip = 0;
    for (const auto& mode : mode_variants(large))
        for (int64_t layers : {1, 2, 3})
            for (bool bidir : {false, true})
                for (Lengths lengths : all_lengths)
                    for (auto [N, T] : {std::pair<int64_t, int64_t>{1, 17}, {8, 1}, {3, 5}}) {
                        ++flip;
                        add(large, mode, layers, bidir, flip % 2 == 0,
                            (flip / 2) % 2 ? SequenceLayout::batch_first : SequenceLayout::time_major, lengths, N, T);
                    }
    // The fused kernel at H = 200: 13 blocks, the last one partial, split between the OpenMP threads
    // (H = 13 above is a single block, which one thread runs); P = 100 is 7 output blocks.
    for (const auto& mode : mode_variants(large))
        for (int64_t layers : {1, 2})
            for (bool bidir : {false, true})
                for (Lengths lengths : {Lengths::none, Lengths::mixed})
                    for (auto [N, T] : {std::pair<int64_t, int64_t>{1, 17}, {3, 5}}) {
                        ++flip;
                        add(large, mode, layers, bidir, flip % 2 == 0,
                            (flip / 2) % 2 ? SequenceLayout::batch_first : SequenceLayout::time_major, lengths, N, T,
                            WeightsFormat::fused);
                    }
    // The fused step's row passes (fused_driver.hpp's RowPasses): every batch up to 13, i.e. one pass of
    // 1-6 rows, two balanced passes and three, at 13 blocks on the threads; lengths alternate, so that
    // the mixed ones also run the smaller batches of a packed plan's later ranges.
    for (const auto& mode : mode_variants(large))
        for (int64_t N = 1; N <= 13; ++N) {
            ++flip;
            add(large, mode, 1, false, flip % 2 == 0,
                (flip / 2) % 2 ? SequenceLayout::batch_first : SequenceLayout::time_major,
                N % 2 ? Lengths::mixed : Lengths::none, N, 6, WeightsFormat::fused);
        }
    return cases;
}

class EngineGrid : public ::testing::TestWithParam<EngineCase> {};

TEST_P(EngineGrid, MatchesReference) {
    const EngineCase& c = GetParam();
    const uint32_t seed = static_cast<uint32_t>(std::hash<std::string>{}(c.name()));
    const ModelWeights model = random_weights(c.config, seed);
    EngineOptions options;
    options.weights_format = c.format;
    const auto engine = PackedRnn::pack(c.config, model.views(), options);
    const CaseData data = case_data(c, seed + 10);

    const EngineResult first = run_engine(*engine, c, data);
    const ReferenceResult ref = reference_forward(model, data.input, c.T, c.N, c.layout, data.h0, data.c0, data.lengths);
    EXPECT_TRUE(close_to_reference("output", first.output, ref.output));
    EXPECT_TRUE(close_to_reference("h_n", first.h_n, ref.h_n));
    EXPECT_TRUE(close_to_reference("c_n", first.c_n, ref.c_n));

    const EngineResult second = run_engine(*engine, c, data);
    EXPECT_EQ(0, std::memcmp(first.output.data(), second.output.data(), first.output.size() * sizeof(float)));
    EXPECT_EQ(0, std::memcmp(first.h_n.data(), second.h_n.data(), first.h_n.size() * sizeof(float)));
    EXPECT_EQ(first.c_n, second.c_n);
}

INSTANTIATE_TEST_SUITE_P(Grid, EngineGrid, ::testing::ValuesIn(grid()),
                         [](const ::testing::TestParamInfo<EngineCase>& info) { return info.param.name(); });

} // namespace
} // namespace mkldnn_rnn::testing
