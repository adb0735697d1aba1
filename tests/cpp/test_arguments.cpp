// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// One test per class of bad argument: each must throw mkldnn_rnn::Error whose message names the
// function, the argument, what was expected and what was given — never crash or compute garbage.
#include <limits>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "model_data.hpp"

namespace mkldnn_rnn::testing {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

// Runs f, which must throw mkldnn_rnn::Error; returns the message.
template <typename F>
std::string error_of(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    ADD_FAILURE() << "no mkldnn_rnn::Error thrown";
    return {};
}

RnnConfig lstm(int64_t I = 7, int64_t H = 13) { return {Mode::LSTM, I, H, 1, true, false, 0}; }

std::string pack_error(const RnnConfig& c) {
    return error_of([&] { PackedRnn::pack(c, random_weights(lstm(), 1).views()); });
}

TEST(Arguments, ConfigSizes) {
    RnnConfig c = lstm();
    c.input_size = 0;
    EXPECT_THAT(pack_error(c), AllOf(HasSubstr("RnnConfig::validate"), HasSubstr("input_size"), HasSubstr("got 0")));
    c = lstm();
    c.hidden_size = -3;
    EXPECT_THAT(pack_error(c), AllOf(HasSubstr("hidden_size"), HasSubstr("got -3")));
    c = lstm();
    c.num_layers = 0;
    EXPECT_THAT(pack_error(c), AllOf(HasSubstr("num_layers"), HasSubstr("got 0")));
}

TEST(Arguments, ConfigProjection) {
    RnnConfig c{Mode::GRU, 7, 13, 1, true, false, 5};
    EXPECT_THAT(pack_error(c), AllOf(HasSubstr("proj_size"), HasSubstr("GRU"), HasSubstr("got 5")));
    c = lstm();
    c.proj_size = 13;
    EXPECT_THAT(pack_error(c), AllOf(HasSubstr("proj_size"), HasSubstr("smaller than hidden_size"), HasSubstr("got 13")));
    c.proj_size = -1;
    EXPECT_THAT(pack_error(c), AllOf(HasSubstr("proj_size"), HasSubstr("got -1")));
}

TEST(Arguments, ConfigMode) {
    RnnConfig c = lstm();
    c.mode = static_cast<Mode>(9);
    EXPECT_THAT(pack_error(c), AllOf(HasSubstr("mode"), HasSubstr("got 9")));
}

TEST(Arguments, WeightsCount) {
    RnnConfig c = lstm();
    c.num_layers = 2;
    EXPECT_THAT(pack_error(c), AllOf(HasSubstr("weights"), HasSubstr("2 entries"), HasSubstr("got 1")));
}

TEST(Arguments, WeightPointers) {
    const ModelWeights m = random_weights(lstm(), 1);
    auto views = m.views();
    views[0].weight_hh = nullptr;
    EXPECT_THAT(error_of([&] { PackedRnn::pack(lstm(), views); }),
                AllOf(HasSubstr("weights[0].weight_hh"), HasSubstr("got nullptr")));
    views = m.views();
    views[0].bias_ih = nullptr;
    EXPECT_THAT(error_of([&] { PackedRnn::pack(lstm(), views); }),
                AllOf(HasSubstr("weights[0].bias_ih"), HasSubstr("config.bias is true"), HasSubstr("got nullptr")));
    views = m.views();
    views[0].weight_hr = views[0].weight_hh;
    EXPECT_THAT(error_of([&] { PackedRnn::pack(lstm(), views); }),
                AllOf(HasSubstr("weights[0].weight_hr"), HasSubstr("proj_size is 0"), HasSubstr("got a pointer")));
}

TEST(Arguments, CacheCapacity) {
    EngineOptions options;
    options.primitive_cache_capacity = 0;
    EXPECT_THAT(error_of([&] { PackedRnn::pack(lstm(), random_weights(lstm(), 1).views(), options); }),
                AllOf(HasSubstr("primitive_cache_capacity"), HasSubstr("got 0")));
}

struct Forward {
    int64_t T = 4, N = 2; // first: the members below are sized from them
    RnnConfig config;
    ModelWeights model;
    std::shared_ptr<const PackedRnn> engine;
    std::vector<float> x, out, hn, cn;

    explicit Forward(const RnnConfig& c)
        : config(c), model(random_weights(c, 3)), engine(PackedRnn::pack(c, model.views())),
          x(random_floats(T * N * c.input_size, 4)), out(T * N * c.output_size() * c.num_directions()),
          hn(N * c.output_size() * c.num_layers * c.num_directions()), cn(N * c.hidden_size * c.num_layers) {}

    SequenceInput input() const {
        SequenceInput in;
        in.input = x.data();
        in.seq_len = T;
        in.batch = N;
        return in;
    }
    std::string error(const SequenceInput& in) {
        return error_of([&] { engine->forward(in, {out.data(), hn.data(), nullptr}); });
    }
};

TEST(Arguments, ForwardInputAndSizes) {
    Forward f(lstm());
    SequenceInput in = f.input();
    in.input = nullptr;
    EXPECT_THAT(f.error(in), AllOf(HasSubstr("PackedRnn::forward"), HasSubstr("input"), HasSubstr("got nullptr")));
    in = f.input();
    in.seq_len = 0;
    EXPECT_THAT(f.error(in), AllOf(HasSubstr("seq_len"), HasSubstr("at least 1"), HasSubstr("got 0")));
    in = f.input();
    in.batch = 0;
    EXPECT_THAT(f.error(in), AllOf(HasSubstr("batch"), HasSubstr("got 0")));
    in = f.input();
    in.layout = static_cast<SequenceLayout>(5);
    EXPECT_THAT(f.error(in), AllOf(HasSubstr("layout"), HasSubstr("got 5")));
}

TEST(Arguments, ForwardSizeOverflow) {
    Forward f(lstm());
    SequenceInput in = f.input();
    in.seq_len = std::numeric_limits<int64_t>::max() / 2;
    EXPECT_THAT(f.error(in), AllOf(HasSubstr("fits in int64"), HasSubstr("got")));
}

TEST(Arguments, ForwardLengths) {
    Forward f(lstm());
    for (int64_t bad : {int64_t{0}, int64_t{-2}, int64_t{5}}) {
        const std::vector<int64_t> lengths{4, bad};
        SequenceInput in = f.input();
        in.lengths = lengths.data();
        EXPECT_THAT(f.error(in), AllOf(HasSubstr("lengths[1]"), HasSubstr("[1, 4]"), HasSubstr("got " + std::to_string(bad))));
    }
}

TEST(Arguments, ForwardCellStateOnGru) {
    Forward f(RnnConfig{Mode::GRU, 7, 13, 1, true, false, 0});
    SequenceInput in = f.input();
    const std::vector<float> c0(f.N * 13);
    in.c0 = c0.data();
    EXPECT_THAT(f.error(in), AllOf(HasSubstr("c0"), HasSubstr("LSTM only"), HasSubstr("got a pointer")));
    EXPECT_THAT(error_of([&] { f.engine->forward(f.input(), {f.out.data(), f.hn.data(), f.cn.data()}); }),
                AllOf(HasSubstr("output.c_n"), HasSubstr("got a pointer")));
}

TEST(Arguments, ForwardOverlappingOutputs) {
    Forward f(lstm());
    EXPECT_THAT(error_of([&] { f.engine->forward(f.input(), {f.x.data(), nullptr, nullptr}); }),
                AllOf(HasSubstr("output.output"), HasSubstr("disjoint from input"), HasSubstr("overlapping")));
}

TEST(Arguments, Cells) {
    const RnnConfig c = lstm();
    const ModelWeights m = random_weights(c, 5);
    const auto engine = PackedRnn::pack(c, m.views());
    std::vector<float> x(2 * 7), h(2 * 13), cell(2 * 13);
    EXPECT_THAT(error_of([&] { engine->cell_forward({nullptr, 2, nullptr, nullptr}, {h.data(), cell.data()}); }),
                AllOf(HasSubstr("cell_forward"), HasSubstr("input"), HasSubstr("got nullptr")));
    EXPECT_THAT(error_of([&] { engine->cell_forward({x.data(), 0, nullptr, nullptr}, {h.data(), cell.data()}); }),
                AllOf(HasSubstr("batch"), HasSubstr("got 0")));
    EXPECT_THAT(error_of([&] { engine->cell_forward({x.data(), 2, nullptr, nullptr}, {h.data(), nullptr}); }),
                AllOf(HasSubstr("output.c"), HasSubstr("got nullptr")));

    const RnnConfig gru{Mode::GRU, 7, 13, 1, true, false, 0};
    const ModelWeights g = random_weights(gru, 6);
    const auto gru_engine = PackedRnn::pack(gru, g.views());
    EXPECT_THAT(error_of([&] { gru_engine->cell_forward({x.data(), 2, nullptr, cell.data()}, {h.data(), nullptr}); }),
                AllOf(HasSubstr("cx"), HasSubstr("GRU has no cell state"), HasSubstr("got a pointer")));

    RnnConfig deep = c;
    deep.num_layers = 2;
    const ModelWeights d = random_weights(deep, 7);
    const auto deep_engine = PackedRnn::pack(deep, d.views());
    EXPECT_THAT(error_of([&] { deep_engine->cell_forward({x.data(), 2, nullptr, nullptr}, {h.data(), cell.data()}); }),
                AllOf(HasSubstr("config"), HasSubstr("num_layers 1"), HasSubstr("num_layers=2")));
}

} // namespace
} // namespace mkldnn_rnn::testing
