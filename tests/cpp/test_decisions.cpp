// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// Decisions and weight copies: a class is decided once, restored decisions are taken as they are and
// checked, the weights held stay one copy unless a class needs the other layout, and torch.nn's
// tensors come back exactly from whichever copy is held.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine_case.hpp"

namespace mkldnn_rnn::testing {
namespace {

using ::testing::HasSubstr;

RnnConfig lstm(int64_t proj = 0) { return {Mode::LSTM, 9, 24, 2, true, true, proj}; }

std::shared_ptr<const PackedRnn> pack(const ModelWeights& model, WeightsFormat format) {
    EngineOptions options;
    options.weights_format = format;
    return PackedRnn::pack(model.config, model.views(), options);
}

void run(const PackedRnn& engine, int64_t T, int64_t N) {
    EngineCase c;
    c.config = engine.config();
    c.T = T;
    c.N = N;
    run_engine(engine, c, case_data(c, 1));
}

TEST(Decisions, OnePerClassWhateverTheLengths) {
    const ModelWeights model = random_weights(lstm(), 1);
    const auto engine = pack(model, WeightsFormat::automatic);
    for (int64_t T : {1, 7, 30, 64, 65, 200}) run(*engine, T, 3); // batch 3: class 4
    const std::vector<Decision> d = engine->decisions();
    ASSERT_EQ(d.size(), 4u); // 2 layers x 2 directions
    for (const Decision& x : d) {
        EXPECT_EQ(x.batch_class, 4);
        EXPECT_FALSE(x.reason.empty());
    }
    run(*engine, 5, 4); // the same class
    run(*engine, 5, 5); // class 8
    EXPECT_EQ(engine->decisions().size(), 8u);
}

TEST(Decisions, RestoredDecisionsAreTakenAsGiven) {
    const ModelWeights model = random_weights(lstm(), 2);
    const auto engine = pack(model, WeightsFormat::automatic);
    std::vector<Decision> saved;
    for (int64_t s = 0; s < 4; ++s) {
        Decision d;
        d.layer = s / 2;
        d.direction = s % 2;
        d.batch_class = 2;
        d.threads = 1;
        d.implementation = WeightsFormat::plain_ldigo;
        saved.push_back(d);
    }
    engine->restore_decisions(saved);
    const std::vector<Decision> got = engine->decisions();
    ASSERT_EQ(got.size(), 4u);
    for (const Decision& d : got) {
        EXPECT_EQ(d.implementation, WeightsFormat::plain_ldigo);
        EXPECT_THAT(d.reason, HasSubstr("restored"));
    }
    // No class needs the blocked layout any more: one copy, the plain one.
    EXPECT_LT(engine->weight_bytes(), 1.5 * pack(model, WeightsFormat::plain_ldigo)->weight_bytes());
}

TEST(Decisions, RestoringChecksEachField) {
    const ModelWeights model = random_weights(lstm(), 3);
    const auto engine = pack(model, WeightsFormat::automatic);
    Decision good;
    good.batch_class = 4;
    good.threads = 2;
    auto rejects = [&](Decision d, const char* field) {
        EXPECT_THAT([&] { engine->restore_decisions({good, d}); },
                    ::testing::ThrowsMessage<Error>(AllOf(HasSubstr("decisions[1]."), HasSubstr(field))));
    };
    Decision d = good;
    d.layer = 2;
    rejects(d, "layer");
    d = good;
    d.direction = -1;
    rejects(d, "direction");
    d = good;
    d.batch_class = 6;
    rejects(d, "batch_class");
    d = good;
    d.threads = 0;
    rejects(d, "threads");
    d = good;
    d.implementation = WeightsFormat::automatic;
    rejects(d, "implementation");
    d = good;
    d.run_threads = 3; // more than the class's 2
    rejects(d, "run_threads");
    d.run_threads = -1;
    rejects(d, "run_threads");
    EXPECT_TRUE(engine->decisions().empty()); // nothing of a rejected list is taken
}

// run_threads restores as given, and 0 (a list from before run_threads) as the class's threads.
TEST(Decisions, RestoredRunThreads) {
    const ModelWeights model = random_weights(lstm(), 3);
    const auto engine = pack(model, WeightsFormat::automatic);
    Decision one;
    one.batch_class = 1;
    one.threads = 2;
    one.run_threads = 1;
    Decision unset = one;
    unset.batch_class = 2;
    unset.run_threads = 0;
    engine->restore_decisions({one, unset});
    const std::vector<Decision> got = engine->decisions();
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].run_threads, 1);
    EXPECT_EQ(got[1].run_threads, 2);
}

TEST(WeightCopies, OneCopyUntilAClassNeedsAnother) {
    const ModelWeights model = random_weights(lstm(5), 4);
    for (WeightsFormat f : {WeightsFormat::plain_ldigo, WeightsFormat::fused}) {
        const auto engine = pack(model, f);
        const std::size_t packed = engine->weight_bytes();
        for (int64_t N : {1, 3, 9, 17}) run(*engine, 12, N);
        EXPECT_EQ(engine->weight_bytes(), packed) << weights_format_name(f);
    }
}

TEST(WeightCopies, ReorderedCopiesAreCounted) {
    const ModelWeights model = random_weights(lstm(), 6);
    const auto engine = pack(model, WeightsFormat::onednn_preferred);
    const std::size_t packed = engine->weight_bytes();
    run(*engine, 12, 3); // oneDNN asks for its own layout: a second copy, held beside the plain one
    EXPECT_GT(engine->weight_bytes(), packed + packed / 2);
}

TEST(WeightCopies, TorchWeightsComeBackExactly) {
    for (const RnnConfig& cfg : {lstm(5), RnnConfig{Mode::GRU, 7, 33, 2, true, true, 0},
                                 RnnConfig{Mode::RNN_TANH, 5, 17, 1, false, false, 0}}) {
        const ModelWeights model = random_weights(cfg, 5);
        for (WeightsFormat f : {WeightsFormat::plain_ldigo, WeightsFormat::fused, WeightsFormat::automatic}) {
            const auto engine = pack(model, f);
            run(*engine, 4, 2); // a call may add or drop copies
            for (std::size_t k = 0; k < model.w_ih.size(); ++k) {
                ModelWeights out = model; // same sizes; overwritten below
                for (auto* v : {&out.w_ih[k], &out.w_hh[k], &out.b_ih[k], &out.b_hh[k], &out.w_hr[k]})
                    std::fill(v->begin(), v->end(), -7.f);
                MutableLayerWeights w;
                w.weight_ih = out.w_ih[k].data();
                w.weight_hh = out.w_hh[k].data();
                w.bias_ih = out.b_ih[k].empty() ? nullptr : out.b_ih[k].data();
                w.bias_hh = out.b_hh[k].empty() ? nullptr : out.b_hh[k].data();
                w.weight_hr = out.w_hr[k].empty() ? nullptr : out.w_hr[k].data();
                engine->torch_weights(k, w);
                EXPECT_EQ(out.w_ih[k], model.w_ih[k]);
                EXPECT_EQ(out.w_hh[k], model.w_hh[k]);
                EXPECT_EQ(out.b_ih[k], model.b_ih[k]);
                EXPECT_EQ(out.b_hh[k], model.b_hh[k]);
                EXPECT_EQ(out.w_hr[k], model.w_hr[k]);
            }
        }
    }
}

TEST(Decisions, CpuSignatureNamesTheCpu) {
    const std::string s = cpu_signature();
    EXPECT_THAT(s, HasSubstr("family"));
    EXPECT_THAT(s, HasSubstr("cpus"));
    EXPECT_EQ(s, cpu_signature());
}

} // namespace
} // namespace mkldnn_rnn::testing
