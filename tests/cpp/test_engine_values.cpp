// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// Valid but unusual values (docs/errors.md): a non-finite input row poisons only its own sequence, as in
// torch.nn; NaN in padding past a sequence's length changes nothing; c0 for RNN is refused; a 100k-step
// sequence runs without stack or memory growth and matches the reference; any output may be left out
// and h0 may come without c0 (or c0 without h0).
#include <algorithm>
#include <cmath>
#include <limits>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine_case.hpp"
#include "tolerance.hpp"

namespace mkldnn_rnn::testing {
namespace {

EngineCase lstm_case(int64_t N, int64_t T, Lengths lengths) {
    EngineCase c;
    c.config = {Mode::LSTM, 5, 6, 2, true, true, 0};
    c.N = N;
    c.T = T;
    c.lengths = lengths;
    return c;
}

TEST(EngineValues, NonFiniteRowStaysInItsSequence) {
    for (float bad : {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()}) {
        const EngineCase c = lstm_case(3, 4, Lengths::none);
        const ModelWeights model = random_weights(c.config, 1);
        const auto engine = PackedRnn::pack(c.config, model.views());
        CaseData d = case_data(c, 2);
        d.input[(2 * c.N + 1) * c.config.input_size] = bad; // t = 2, sequence 1
        const EngineResult r = run_engine(*engine, c, d);
        const int64_t width = 2 * c.config.hidden_size;
        for (int64_t t = 0; t < c.T; ++t)
            for (int64_t n : {0, 2})
                EXPECT_TRUE(all_finite(r.output, (t * c.N + n) * width, (t * c.N + n + 1) * width)) << t << "," << n;
        const ReferenceResult ref = reference_forward(model, d.input, c.T, c.N, c.layout, d.h0, d.c0, d.lengths);
        for (int64_t s = 0; s < 4; ++s)
            for (int64_t n : {0, 2})
                for (int64_t j = 0; j < c.config.hidden_size; ++j) {
                    const std::size_t i = (s * c.N + n) * c.config.hidden_size + j;
                    EXPECT_NEAR(r.h_n[i], ref.h_n[i], kAbsTol + kRelTol * std::fabs(ref.h_n[i]));
                }
    }
}

TEST(EngineValues, NanInPaddingHasNoEffect) {
    const EngineCase c = lstm_case(3, 6, Lengths::mixed);
    const ModelWeights model = random_weights(c.config, 3);
    const auto engine = PackedRnn::pack(c.config, model.views());
    const CaseData clean = case_data(c, 4);
    CaseData poisoned = clean;
    for (int64_t t = 0; t < c.T; ++t)
        for (int64_t n = 0; n < c.N; ++n)
            if (t >= clean.lengths[n])
                for (int64_t i = 0; i < c.config.input_size; ++i)
                    poisoned.input[(t * c.N + n) * c.config.input_size + i] = std::numeric_limits<float>::quiet_NaN();
    const EngineResult a = run_engine(*engine, c, clean), b = run_engine(*engine, c, poisoned);
    EXPECT_EQ(a.output, b.output);
    EXPECT_EQ(a.h_n, b.h_n);
    EXPECT_EQ(a.c_n, b.c_n);
}

TEST(EngineValues, CellStateRefusedForRnn) {
    for (Mode mode : {Mode::RNN_TANH, Mode::RNN_RELU}) {
        EngineCase c;
        c.config = {mode, 5, 6, 1, true, false, 0};
        c.N = 2;
        c.T = 3;
        const ModelWeights model = random_weights(c.config, 5);
        const auto engine = PackedRnn::pack(c.config, model.views());
        CaseData d = case_data(c, 6);
        d.c0.assign(2 * 6, 0.0f);
        try {
            run_engine(*engine, c, d);
            ADD_FAILURE() << "c0 accepted for " << mode_name(mode);
        } catch (const Error& e) {
            EXPECT_THAT(e.what(), ::testing::AllOf(::testing::HasSubstr("c0"), ::testing::HasSubstr(mode_name(mode))));
        }
    }
}

TEST(EngineValues, VeryLongSequence) {
    EngineCase c;
    c.config = {Mode::GRU, 3, 4, 1, true, true, 0};
    c.N = 2;
    c.T = 100000;
    c.lengths = Lengths::mixed; // {1, 100000}: one sequence is the whole run, the other a single step
    const ModelWeights model = random_weights(c.config, 7);
    const auto engine = PackedRnn::pack(c.config, model.views());
    const CaseData d = case_data(c, 8);
    const EngineResult r = run_engine(*engine, c, d);
    const ReferenceResult ref = reference_forward(model, d.input, c.T, c.N, c.layout, d.h0, d.c0, d.lengths);
    EXPECT_TRUE(close_to_reference("h_n", r.h_n, ref.h_n));
    EXPECT_TRUE(close_to_reference("output", r.output, ref.output));
}

TEST(EngineValues, OptionalArrays) {
    for (const RnnConfig& config : {RnnConfig{Mode::LSTM, 7, 13, 2, true, true, 5}, RnnConfig{Mode::GRU, 7, 13, 2, true, true, 0}}) {
        const bool lstm = config.mode == Mode::LSTM;
        const ModelWeights model = random_weights(config, 9);
        const auto engine = PackedRnn::pack(config, model.views());
        for (Lengths lengths : {Lengths::none, Lengths::mixed}) {
            EngineCase c;
            c.config = config;
            c.N = 3;
            c.T = 5;
            c.lengths = lengths;
            c.with_state = true;
            const CaseData full = case_data(c, 10);
            // Initial states: both, h0 only, c0 only (LSTM); each against the reference with zeros for the other.
            for (int state = 0; state < (lstm ? 3 : 1); ++state) {
                CaseData d = full;
                if (state == 1) d.c0.clear();
                if (state == 2) d.h0.clear();
                const ReferenceResult ref = reference_forward(model, d.input, c.T, c.N, c.layout, d.h0, d.c0, d.lengths);
                const EngineResult all = run_engine(*engine, c, d);
                // Every proper non-empty subset of the outputs the mode has.
                const int outputs = lstm ? 3 : 2;
                for (int mask = 1; mask < (1 << outputs) - 1; ++mask) {
                    SCOPED_TRACE(std::string(mode_name(config.mode)) + " state " + std::to_string(state) + " mask "
                                 + std::to_string(mask) + (lengths == Lengths::mixed ? " mixed" : ""));
                    EngineResult r = all;
                    std::fill(r.output.begin(), r.output.end(), -1.0f);
                    std::fill(r.h_n.begin(), r.h_n.end(), -1.0f);
                    std::fill(r.c_n.begin(), r.c_n.end(), -1.0f);
                    SequenceInput in;
                    in.input = d.input.data();
                    in.seq_len = c.T;
                    in.batch = c.N;
                    in.h0 = d.h0.empty() ? nullptr : d.h0.data();
                    in.c0 = d.c0.empty() ? nullptr : d.c0.data();
                    in.lengths = d.lengths.empty() ? nullptr : d.lengths.data();
                    engine->forward(in, {mask & 1 ? r.output.data() : nullptr, mask & 2 ? r.h_n.data() : nullptr,
                                         mask & 4 ? r.c_n.data() : nullptr});
                    if (mask & 1) {
                        EXPECT_TRUE(close_to_reference("output", r.output, ref.output));
                    }
                    if (mask & 2) {
                        EXPECT_TRUE(close_to_reference("h_n", r.h_n, ref.h_n));
                    }
                    if (mask & 4) {
                        EXPECT_TRUE(close_to_reference("c_n", r.c_n, ref.c_n));
                    }
                }
            }
        }
    }
}

} // namespace
} // namespace mkldnn_rnn::testing
