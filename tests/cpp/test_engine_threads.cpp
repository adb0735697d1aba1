// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// One PackedRnn shared by many threads: every thread's results are bit-identical to the same calls run
// serially (no shared scratchpad, no race in the primitive cache); and the cache stays within its
// capacity while shapes cycle through more than it holds.
#include <atomic>
#include <cstring>
#include <thread>

#include <gtest/gtest.h>

#include "engine_case.hpp"
#include "tolerance.hpp"

namespace mkldnn_rnn::testing {
namespace {

// A 2-layer bidirectional LSTM with projection: the most state the engine keeps per call. With
// proj_size 0 and H = 40 (three 16-unit blocks, the last one partial), the fused kernel can run it.
EngineCase shape(int64_t k, int64_t proj_size = 5) {
    EngineCase c;
    c.config = {Mode::LSTM, 7, proj_size > 0 ? 13 : 40, 2, true, true, proj_size};
    c.N = 1 + k % 4;
    c.T = 1 + (k * 5) % 9;
    c.lengths = k % 3 == 0 ? Lengths::mixed : Lengths::none;
    c.layout = k % 2 ? SequenceLayout::batch_first : SequenceLayout::time_major;
    c.with_state = k % 5 != 0;
    return c;
}

// The model with projection as the engine tunes it (H = 13, one block: one thread per call), and one
// forced onto the fused kernel at H = 40, whose three blocks split between an OpenMP team, with its
// per-step barriers, inside each caller's thread.
struct SharedModel {
    int64_t proj_size;
    WeightsFormat format;
};

class EngineThreadsShared : public ::testing::TestWithParam<SharedModel> {};

TEST_P(EngineThreadsShared, GivesSerialResults) {
    constexpr int kThreads = 8, kCalls = 200, kInputs = 24;
    const int64_t proj_size = GetParam().proj_size;
    const EngineCase base = shape(0, proj_size);
    const ModelWeights model = random_weights(base.config, 7);
    EngineOptions options;
    options.weights_format = GetParam().format;
    const auto engine = PackedRnn::pack(base.config, model.views(), options);

    std::vector<EngineCase> cases;
    std::vector<CaseData> data;
    std::vector<EngineResult> serial;
    for (int k = 0; k < kInputs; ++k) {
        cases.push_back(shape(k, proj_size));
        data.push_back(case_data(cases.back(), 100 + k));
        serial.push_back(run_engine(*engine, cases.back(), data.back()));
    }
    std::atomic<int> mismatches{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < kCalls; ++i) {
                const int k = (t * 7 + i) % kInputs;
                if (!same_bits(run_engine(*engine, cases[k], data[k]), serial[k])) ++mismatches;
            }
        });
    for (auto& th : threads) th.join();
    EXPECT_EQ(mismatches.load(), 0) << "of " << kThreads * kCalls << " concurrent calls";
}

INSTANTIATE_TEST_SUITE_P(Models, EngineThreadsShared,
                         ::testing::Values(SharedModel{5, WeightsFormat::automatic}, SharedModel{0, WeightsFormat::fused}),
                         [](const ::testing::TestParamInfo<SharedModel>& info) {
                             return info.param.proj_size > 0 ? std::string("projection_auto") : std::string("fused");
                         });

TEST(EngineThreads, CacheStaysWithinCapacity) {
    const EngineCase base = shape(0);
    const ModelWeights model = random_weights(base.config, 9);
    EngineOptions options;
    options.primitive_cache_capacity = 4;
    options.weights_format = WeightsFormat::plain_ldigo;
    const auto engine = PackedRnn::pack(base.config, model.views(), options);
    for (int round = 0; round < 2; ++round)
        for (int k = 0; k < 20; ++k) {
            const EngineCase c = shape(k);
            const CaseData d = case_data(c, 200 + k);
            const EngineResult r = run_engine(*engine, c, d);
            const ReferenceResult ref = reference_forward(model, d.input, c.T, c.N, c.layout, d.h0, d.c0, d.lengths);
            ASSERT_TRUE(close_to_reference("output", r.output, ref.output)) << c.name();
            ASSERT_TRUE(close_to_reference("h_n", r.h_n, ref.h_n)) << c.name();
            // The capacity bounds each (layer, direction)'s kernel.
            ASSERT_LE(engine->cached_primitive_count(), options.primitive_cache_capacity * base.config.num_layers
                                                                * base.config.num_directions());
        }
}

TEST(EngineThreads, ConcurrentCreationAndEviction) {
    // Capacity 4 against 12 shapes from 8 threads: primitives are tuned, created and evicted while
    // other threads execute theirs (the case a TSan build of this test exists for).
    const EngineCase base = shape(0);
    const ModelWeights model = random_weights(base.config, 11);
    EngineOptions options;
    options.primitive_cache_capacity = 4;
    const auto engine = PackedRnn::pack(base.config, model.views(), options);
    constexpr int kThreads = 8, kCalls = 60, kShapes = 12;
    std::vector<EngineCase> cases;
    std::vector<CaseData> data;
    std::vector<ReferenceResult> refs;
    for (int k = 0; k < kShapes; ++k) {
        cases.push_back(shape(k));
        data.push_back(case_data(cases.back(), 300 + k));
        const CaseData& d = data.back();
        refs.push_back(reference_forward(model, d.input, cases[k].T, cases[k].N, cases[k].layout, d.h0, d.c0, d.lengths));
    }
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < kCalls; ++i) {
                const int k = (t * 5 + i) % kShapes;
                const EngineResult r = run_engine(*engine, cases[k], data[k]);
                if (!close_to_reference("output", r.output, refs[k].output) ||
                    !close_to_reference("h_n", r.h_n, refs[k].h_n))
                    ++wrong;
            }
        });
    for (auto& th : threads) th.join();
    EXPECT_EQ(wrong.load(), 0) << "of " << kThreads * kCalls << " calls";
    EXPECT_LE(engine->cached_primitive_count(),
              options.primitive_cache_capacity * base.config.num_layers * base.config.num_directions());
}

} // namespace
} // namespace mkldnn_rnn::testing
