// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// Real traffic: a stream of calls with a new sequence length (and batch, layout, lengths pattern) each
// time. Checked here:
//  * a call's result does not depend on what the model served before: each call of the stream equals,
//    bit for bit, the same call on a fresh model with the same implementation fixed;
//  * under `automatic` every call stays within the reference's tolerance;
//  * the oneDNN kernel's primitives stay within their stated bound (7 chunk lengths per padded batch)
//    after 1,000 distinct lengths, and after tune() a stream of new lengths builds nothing more;
//  * forward_packed (a PackedSequence's rows as they are) equals forward with the same lengths, bit for
//    bit, under each implementation.
#include <algorithm>
#include <cstring>
#include <random>
#include <set>

#include <gtest/gtest.h>

#include "engine_case.hpp"
#include "tolerance.hpp"

namespace mkldnn_rnn::testing {
namespace {

// A random call: T in [1, max_T], N in [1, max_N], either layout, lengths none or random in [1, T].
EngineCase random_call(const RnnConfig& config, std::mt19937& rng, int64_t max_T, int64_t max_N, WeightsFormat format) {
    EngineCase c;
    c.config = config;
    c.T = std::uniform_int_distribution<int64_t>(1, max_T)(rng);
    c.N = std::uniform_int_distribution<int64_t>(1, max_N)(rng);
    c.layout = rng() % 2 ? SequenceLayout::batch_first : SequenceLayout::time_major;
    c.lengths = rng() % 2 ? Lengths::mixed : Lengths::none;
    c.with_state = rng() % 2;
    c.format = format;
    return c;
}

CaseData random_data(const EngineCase& c, std::mt19937& rng) {
    CaseData d = case_data(c, static_cast<uint32_t>(rng()));
    if (c.lengths != Lengths::none)
        for (int64_t& l : d.lengths) l = std::uniform_int_distribution<int64_t>(1, c.T)(rng);
    return d;
}

RnnConfig config(Mode mode, int64_t layers, bool bidirectional, int64_t proj = 0) {
    return {mode, 11, 20, layers, true, bidirectional, proj};
}

std::shared_ptr<const PackedRnn> pack(const ModelWeights& model, WeightsFormat format) {
    EngineOptions options;
    options.weights_format = format;
    return PackedRnn::pack(model.config, model.views(), options);
}

class FixedImplementationStream : public ::testing::TestWithParam<WeightsFormat> {};

TEST_P(FixedImplementationStream, EachCallEqualsAFreshModel) {
    std::mt19937 rng(17);
    for (const RnnConfig& cfg : {config(Mode::LSTM, 2, true, 7), config(Mode::GRU, 2, false), config(Mode::RNN_TANH, 1, true)}) {
        const ModelWeights model = random_weights(cfg, 5);
        const auto served = pack(model, GetParam());
        for (int call = 0; call < 40; ++call) {
            const EngineCase c = random_call(cfg, rng, 150, 9, GetParam());
            const CaseData d = random_data(c, rng);
            const EngineResult got = run_engine(*served, c, d);
            const EngineResult fresh = run_engine(*pack(model, GetParam()), c, d);
            ASSERT_TRUE(same_bits(got, fresh)) << "call " << call << ": " << c.name();
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Implementations, FixedImplementationStream,
                         ::testing::Values(WeightsFormat::plain_ldigo, WeightsFormat::fused, WeightsFormat::onednn_preferred),
                         [](const ::testing::TestParamInfo<WeightsFormat>& info) {
                             return std::string(weights_format_name(info.param));
                         });

TEST(AutomaticStream, EveryCallMatchesTheReference) {
    std::mt19937 rng(23);
    for (const RnnConfig& cfg : {config(Mode::LSTM, 2, true), config(Mode::GRU, 1, true), config(Mode::RNN_RELU, 2, false)}) {
        const ModelWeights model = random_weights(cfg, 6);
        const auto engine = pack(model, WeightsFormat::automatic);
        for (int call = 0; call < 40; ++call) {
            const EngineCase c = random_call(cfg, rng, 120, 40, WeightsFormat::automatic);
            const CaseData d = random_data(c, rng);
            const EngineResult r = run_engine(*engine, c, d);
            const ReferenceResult ref = reference_forward(model, d.input, c.T, c.N, c.layout, d.h0, d.c0, d.lengths);
            ASSERT_TRUE(close_to_reference("output", r.output, ref.output)) << c.name();
            ASSERT_TRUE(close_to_reference("h_n", r.h_n, ref.h_n)) << c.name();
            ASSERT_TRUE(close_to_reference("c_n", r.c_n, ref.c_n)) << c.name();
        }
        // Decisions are per class: batches up to 40 are 7 classes (1, 2, 4, ..., 64) per (layer, direction),
        // and the packed plan's ranges run smaller batches of the same classes.
        EXPECT_LE(engine->decisions().size(), static_cast<std::size_t>(7 * cfg.num_layers * cfg.num_directions()));
    }
}

// The bound the oneDNN kernel states (onednn_kernel.hpp): 7 chunk lengths per padded batch and thread count.
std::size_t primitive_bound(const RnnConfig& cfg, int64_t max_batch) {
    std::set<int64_t> padded;
    for (int64_t b = 1; b <= max_batch; ++b) {
        int64_t top = 1;
        while (top * 2 <= b) top *= 2;
        const int64_t g = b <= 4 ? 1 : top / 4;
        padded.insert((b + g - 1) / g * g);
    }
    return 7 * padded.size() * static_cast<std::size_t>(cfg.num_layers * cfg.num_directions());
}

TEST(BoundedKernels, AThousandLengthsStayWithinTheBound) {
    const RnnConfig cfg = config(Mode::GRU, 2, true);
    const ModelWeights model = random_weights(cfg, 7);
    const auto engine = pack(model, WeightsFormat::plain_ldigo);
    std::mt19937 rng(3);
    std::vector<int64_t> lengths(1000);
    for (int64_t t = 0; t < 1000; ++t) lengths[t] = t + 1;
    std::shuffle(lengths.begin(), lengths.end(), rng);
    for (int64_t T : lengths) {
        EngineCase c;
        c.config = cfg;
        c.T = T;
        c.N = 1 + static_cast<int64_t>(rng() % 3);
        c.format = WeightsFormat::plain_ldigo;
        // Short calls only for most of the stream: the bound is about distinct lengths, not their sum.
        if (T > 200 && rng() % 8) continue;
        run_engine(*engine, c, case_data(c, static_cast<uint32_t>(T)));
    }
    EXPECT_LE(engine->cached_primitive_count(), primitive_bound(cfg, 3));
    EXPECT_GT(engine->cached_primitive_count(), 0u);
}

TEST(BoundedKernels, AfterTuneNewLengthsBuildNothing) {
    const RnnConfig cfg = config(Mode::LSTM, 1, true, 5);
    const ModelWeights model = random_weights(cfg, 8);
    const auto engine = pack(model, WeightsFormat::plain_ldigo);
    engine->tune(12);
    const std::size_t built = engine->cached_primitive_count();
    EXPECT_EQ(built, primitive_bound(cfg, 16)); // tune builds whole classes: batches up to 16
    std::mt19937 rng(4);
    for (int call = 0; call < 60; ++call) {
        const EngineCase c = random_call(cfg, rng, 300, 12, WeightsFormat::plain_ldigo);
        run_engine(*engine, c, random_data(c, rng));
    }
    EXPECT_EQ(engine->cached_primitive_count(), built);
}

// One outlying long call does not hold its memory for ever: kShrinkWindow (64) calls later the
// workspace is back near what the short calls need, and a steady stream never reallocates.
TEST(Workspace, ReleasesWhatRecentCallsDoNotNeed) {
    const RnnConfig cfg = config(Mode::LSTM, 2, true);
    const ModelWeights model = random_weights(cfg, 10);
    const auto engine = pack(model, WeightsFormat::fused);
    EngineCase small;
    small.config = cfg;
    small.T = 20;
    small.N = 2;
    EngineCase large = small;
    large.T = 3000;
    large.N = 8;
    const CaseData small_data = case_data(small, 1), large_data = case_data(large, 2);
    // The thread's workspace is shared with the tests before this one: first let it settle on small calls.
    for (int i = 0; i < 130; ++i) run_engine(*engine, small, small_data);
    const std::size_t steady = thread_workspace_bytes();
    run_engine(*engine, large, large_data);
    const std::size_t peak = thread_workspace_bytes();
    EXPECT_GT(peak, steady + (std::size_t{3} << 20)); // the large call's layer buffer: 3000 x 8 x 40 floats
    for (int i = 0; i < 130; ++i) run_engine(*engine, small, small_data);
    EXPECT_LE(thread_workspace_bytes(), 2 * steady + (std::size_t{1} << 20));
}

// Packs a padded time-major batch whose lengths are non-increasing into PackedSequence rows.
std::vector<float> packed_rows_of(const std::vector<float>& padded, const std::vector<int64_t>& batch_sizes,
                                  int64_t N, int64_t width) {
    std::vector<float> rows;
    for (std::size_t t = 0; t < batch_sizes.size(); ++t)
        rows.insert(rows.end(), padded.begin() + t * N * width, padded.begin() + (t * N + batch_sizes[t]) * width);
    return rows;
}

class PackedInput : public ::testing::TestWithParam<WeightsFormat> {};

TEST_P(PackedInput, EqualsThePaddedCallWithLengths) {
    std::mt19937 rng(31);
    for (const RnnConfig& cfg : {config(Mode::LSTM, 2, true, 7), config(Mode::GRU, 3, true), config(Mode::RNN_RELU, 1, false)}) {
        const ModelWeights model = random_weights(cfg, 9);
        const auto engine = pack(model, GetParam());
        for (int call = 0; call < 12; ++call) {
            EngineCase c = random_call(cfg, rng, 70, 24, GetParam());
            c.layout = SequenceLayout::time_major;
            c.lengths = Lengths::mixed;
            CaseData d = random_data(c, rng);
            std::sort(d.lengths.begin(), d.lengths.end(), std::greater<>());
            d.lengths[0] = c.T; // PackedSequence: the longest defines T
            std::vector<int64_t> batch_sizes(c.T);
            for (int64_t t = 0; t < c.T; ++t)
                batch_sizes[t] = std::count_if(d.lengths.begin(), d.lengths.end(), [&](int64_t l) { return l > t; });
            const EngineResult padded = run_engine(*engine, c, d);

            const int64_t out_width = cfg.num_directions() * cfg.output_size();
            const std::vector<float> input = packed_rows_of(d.input, batch_sizes, c.N, cfg.input_size);
            std::vector<float> output(input.size() / cfg.input_size * out_width, -1.f);
            EngineResult got;
            got.h_n.assign(padded.h_n.size(), -1.f);
            got.c_n.assign(padded.c_n.size(), -1.f);
            PackedSequenceInput in;
            in.input = input.data();
            in.batch_sizes = batch_sizes.data();
            in.seq_len = c.T;
            in.h0 = d.h0.empty() ? nullptr : d.h0.data();
            in.c0 = d.c0.empty() ? nullptr : d.c0.data();
            engine->forward_packed(in, {output.data(), got.h_n.data(), got.c_n.empty() ? nullptr : got.c_n.data()});
            ASSERT_EQ(output, packed_rows_of(padded.output, batch_sizes, c.N, out_width)) << c.name();
            ASSERT_EQ(got.h_n, padded.h_n) << c.name();
            ASSERT_EQ(got.c_n, padded.c_n) << c.name();
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Implementations, PackedInput,
                         ::testing::Values(WeightsFormat::plain_ldigo, WeightsFormat::fused, WeightsFormat::automatic),
                         [](const ::testing::TestParamInfo<WeightsFormat>& info) {
                             return std::string(weights_format_name(info.param));
                         });

} // namespace
} // namespace mkldnn_rnn::testing
