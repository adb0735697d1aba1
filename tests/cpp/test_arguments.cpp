// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// One test per class of bad argument: each must throw mkldnn_rnn::Error whose message names the
// function, the argument, what was expected and what was given — never crash or compute garbage.
// PackSizeOverflow runs in a child process, so that a crash fails the test instead of the binary.
#include <cstdlib>
#include <optional>
#include <sstream>
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

// --- the remaining classes: every check of src/api/argument_checks.cpp and RnnConfig::validate ---

RnnConfig small(Mode mode, int64_t proj = 0) { return {mode, 7, 13, 1, true, false, proj}; }

std::string pack_error(const RnnConfig& config, const std::vector<LayerWeights>& views,
                       const EngineOptions& options = {}) {
    return error_of([&] { PackedRnn::pack(config, views, options); });
}

TEST(Arguments, ConfigHiddenSizeZero) {
    RnnConfig c = small(Mode::GRU);
    c.hidden_size = 0;
    EXPECT_THAT(pack_error(c, random_weights(small(Mode::GRU), 1).views()),
                AllOf(HasSubstr("RnnConfig::validate"), HasSubstr("hidden_size"), HasSubstr("got 0")));
}

TEST(Arguments, ConfigNegativeInputSize) {
    RnnConfig c = small(Mode::RNN_TANH);
    c.input_size = -7;
    EXPECT_THAT(pack_error(c, random_weights(small(Mode::RNN_TANH), 1).views()),
                AllOf(HasSubstr("input_size"), HasSubstr("got -7")));
}

TEST(Arguments, ConfigProjectionOnRnn) {
    for (Mode mode : {Mode::RNN_TANH, Mode::RNN_RELU}) {
        const std::string mode_str = mode_name(mode);
        EXPECT_THAT(pack_error(small(mode, 4), random_weights(small(mode), 1).views()),
                    AllOf(HasSubstr("proj_size"), HasSubstr(mode_str), HasSubstr("got 4")));
    }
}

TEST(Arguments, ConfigProjectionLargerThanHidden) {
    EXPECT_THAT(pack_error(small(Mode::LSTM, 20), random_weights(small(Mode::LSTM), 1).views()),
                AllOf(HasSubstr("proj_size"), HasSubstr("hidden_size (13)"), HasSubstr("got 20")));
}

TEST(Arguments, WeightsCountBidirectional) {
    RnnConfig c = small(Mode::GRU);
    c.bidirectional = true;
    c.num_layers = 2;
    EXPECT_THAT(pack_error(c, random_weights(small(Mode::GRU), 1).views()),
                AllOf(HasSubstr("weights"), HasSubstr("4 entries"), HasSubstr("got 1")));
}

// Every pointer of every entry, on a 2-layer model so the index in the message is checked too.
TEST(Arguments, NullWeightPointers) {
    RnnConfig c = small(Mode::LSTM, 5);
    c.num_layers = 2;
    const ModelWeights m = random_weights(c, 2);
    const std::pair<const float* LayerWeights::*, const char*> fields[] = {
            {&LayerWeights::weight_ih, "weight_ih"}, {&LayerWeights::weight_hh, "weight_hh"},
            {&LayerWeights::bias_ih, "bias_ih"},     {&LayerWeights::bias_hh, "bias_hh"},
            {&LayerWeights::weight_hr, "weight_hr"}};
    for (const auto& [field, name] : fields) {
        auto views = m.views();
        views[1].*field = nullptr;
        EXPECT_THAT(pack_error(c, views),
                    AllOf(HasSubstr(std::string("weights[1].") + name), HasSubstr("got nullptr")));
    }
}

TEST(Arguments, BiasGivenWithoutBias) {
    RnnConfig c = small(Mode::RNN_RELU);
    const ModelWeights with_bias = random_weights(c, 3);
    c.bias = false;
    EXPECT_THAT(pack_error(c, with_bias.views()),
                AllOf(HasSubstr("weights[0].bias_ih"), HasSubstr("config.bias is false"), HasSubstr("got a pointer")));
}

TEST(Arguments, InvalidWeightsFormat) {
    EngineOptions options;
    options.weights_format = static_cast<WeightsFormat>(7);
    EXPECT_THAT(pack_error(small(Mode::LSTM), random_weights(small(Mode::LSTM), 1).views(), options),
                AllOf(HasSubstr("options.weights_format"), HasSubstr("got 7")));
}

// Restores MKLDNN_RNN_IMPL as it was, so the test leaves the process environment unchanged.
class ScopedImplEnv {
public:
    explicit ScopedImplEnv(const char* value) {
        if (const char* old = std::getenv(kName)) saved_ = old;
        setenv(kName, value, 1);
    }
    ~ScopedImplEnv() {
        if (saved_) setenv(kName, saved_->c_str(), 1);
        else unsetenv(kName);
    }

private:
    static constexpr const char* kName = "MKLDNN_RNN_IMPL";
    std::optional<std::string> saved_;
};

TEST(Arguments, InvalidImplEnvironment) {
    const ScopedImplEnv env("fastest");
    EXPECT_THAT(pack_error(small(Mode::LSTM), random_weights(small(Mode::LSTM), 1).views()),
                AllOf(HasSubstr("MKLDNN_RNN_IMPL"), HasSubstr("got fastest")));
}

// input_size * 4 * hidden_size does not fit in int64: nothing can hold such weights, and without a
// check pack() sizes its copy with a wrapped-around product and then reads the caller's arrays past
// their end. Expected: an Error naming the oversized field and its value.
TEST(Arguments, PackSizeOverflow) {
    ::testing::FLAGS_gtest_death_test_style = "threadsafe";
    const RnnConfig c{Mode::LSTM, int64_t{1} << 31, int64_t{1} << 31, 1, false, false, 0};
    const std::vector<float> tiny(16);
    const std::vector<LayerWeights> views{{tiny.data(), tiny.data(), nullptr, nullptr, nullptr}};
    EXPECT_EXIT(
            {
                try {
                    PackedRnn::pack(c, views);
                } catch (const Error& e) {
                    const std::string msg = e.what();
                    std::_Exit(msg.find("2147483648") != std::string::npos ? 0 : 2);
                } catch (...) {
                    std::_Exit(3);
                }
                std::_Exit(4);
            },
            ::testing::ExitedWithCode(0), "")
            << "exit 2: Error without the size; 3: another exception; 4: no exception; a signal: crash";
}

// A forward() fixture for modes without a cell state.
struct RnnForward {
    static constexpr int64_t T = 3, N = 2, I = 7, H = 13;
    RnnConfig config = small(Mode::RNN_TANH);
    ModelWeights model = random_weights(config, 4);
    std::shared_ptr<const PackedRnn> engine = PackedRnn::pack(config, model.views());
    std::vector<float> x = random_floats(T * N * I, 5), out = std::vector<float>(T * N * H),
                       h0 = std::vector<float>(N * H), hn = std::vector<float>(N * H);

    SequenceInput input() const {
        SequenceInput in;
        in.input = x.data();
        in.seq_len = T;
        in.batch = N;
        in.h0 = h0.data();
        return in;
    }
};

// (c0 given to an RNN is test_engine_values.cpp's CellStateRefusedForRnn.)
TEST(Arguments, CellStateOutputOnRnn) {
    RnnForward f;
    EXPECT_THAT(error_of([&] { f.engine->forward(f.input(), {f.out.data(), nullptr, f.hn.data()}); }),
                AllOf(HasSubstr("output.c_n"), HasSubstr("RNN_TANH"), HasSubstr("got a pointer")));
}

TEST(Arguments, ForwardStateOverlapsState) {
    RnnForward f;
    EXPECT_THAT(error_of([&] { f.engine->forward(f.input(), {f.out.data(), f.h0.data(), nullptr}); }),
                AllOf(HasSubstr("output.h_n"), HasSubstr("disjoint from h0"), HasSubstr("got an overlapping array")));
}

TEST(Arguments, ForwardOutputsOverlapEachOther) {
    RnnForward f;
    // h_n placed inside output: both are destinations.
    EXPECT_THAT(error_of([&] { f.engine->forward(f.input(), {f.out.data(), f.out.data() + f.N * f.H, nullptr}); }),
                AllOf(HasSubstr("output.output"), HasSubstr("disjoint from output.h_n"), HasSubstr("overlapping")));
}

// A cell_forward() fixture: batch 2 of a small cell.
struct Cell {
    static constexpr int64_t N = 2, I = 7, H = 13;
    RnnConfig config;
    ModelWeights model;
    std::shared_ptr<const PackedRnn> engine;
    std::vector<float> x = random_floats(N * I, 6), h = std::vector<float>(N * H), c = std::vector<float>(N * H);

    explicit Cell(const RnnConfig& cfg) : config(cfg), model(random_weights(cfg, 7)), engine(PackedRnn::pack(cfg, model.views())) {}
    std::string error(const CellInput& in, const CellOutput& out) const {
        return error_of([&] { engine->cell_forward(in, out); });
    }
};

TEST(Arguments, CellOutputHMissing) {
    const Cell cell(small(Mode::GRU));
    EXPECT_THAT(cell.error({cell.x.data(), Cell::N, nullptr, nullptr}, {nullptr, nullptr}),
                AllOf(HasSubstr("cell_forward"), HasSubstr("output.h"), HasSubstr("got nullptr")));
}

TEST(Arguments, CellOutputCOnGru) {
    Cell cell(small(Mode::GRU));
    EXPECT_THAT(cell.error({cell.x.data(), Cell::N, nullptr, nullptr}, {cell.h.data(), cell.c.data()}),
                AllOf(HasSubstr("output.c"), HasSubstr("GRU has no cell state"), HasSubstr("got a pointer")));
}

TEST(Arguments, CellStateOnRnnCell) {
    Cell cell(small(Mode::RNN_RELU));
    EXPECT_THAT(cell.error({cell.x.data(), Cell::N, nullptr, cell.c.data()}, {cell.h.data(), nullptr}),
                AllOf(HasSubstr("cx"), HasSubstr("RNN_RELU"), HasSubstr("got a pointer")));
}

TEST(Arguments, CellNegativeBatch) {
    Cell cell(small(Mode::LSTM));
    EXPECT_THAT(cell.error({cell.x.data(), -1, nullptr, nullptr}, {cell.h.data(), cell.c.data()}),
                AllOf(HasSubstr("batch"), HasSubstr("at least 1"), HasSubstr("got -1")));
}

// cell_forward needs a cell: bidirectional or projected models are not one.
TEST(Arguments, CellOnNonCellConfig) {
    RnnConfig bidir = small(Mode::GRU);
    bidir.bidirectional = true;
    Cell b(bidir);
    EXPECT_THAT(b.error({b.x.data(), Cell::N, nullptr, nullptr}, {b.h.data(), nullptr}),
                AllOf(HasSubstr("config"), HasSubstr("unidirectional"), HasSubstr("bidirectional=true")));
    Cell p(small(Mode::LSTM, 5));
    EXPECT_THAT(p.error({p.x.data(), Cell::N, nullptr, nullptr}, {p.h.data(), p.c.data()}),
                AllOf(HasSubstr("config"), HasSubstr("proj_size 0"), HasSubstr("proj_size=5")));
}

// In-place cell steps (h written over hx) are refused rather than left to the engine's schedule.
TEST(Arguments, CellOutputOverlapsState) {
    Cell cell(small(Mode::LSTM));
    EXPECT_THAT(cell.error({cell.x.data(), Cell::N, cell.h.data(), nullptr}, {cell.h.data(), cell.c.data()}),
                AllOf(HasSubstr("output.h"), HasSubstr("disjoint from hx"), HasSubstr("got an overlapping array")));
    EXPECT_THAT(cell.error({cell.x.data(), Cell::N, nullptr, nullptr}, {cell.h.data(), cell.h.data()}),
                AllOf(HasSubstr("output.h"), HasSubstr("disjoint from output.c"), HasSubstr("overlapping")));
}

} // namespace
} // namespace mkldnn_rnn::testing

namespace mkldnn_rnn::testing {
namespace {

// forward_packed: batch_sizes is checked in full (torch.nn checks none of it), and the row count it
// implies sizes the overlap checks.
TEST(Arguments, ForwardPackedBatchSizes) {
    const RnnConfig c = lstm();
    const ModelWeights model = random_weights(c, 3);
    const auto engine = PackedRnn::pack(c, model.views());
    std::vector<float> x(6 * c.input_size, 0.5f), out(6 * c.output_size() * c.num_directions()),
            hn(3 * c.output_size() * c.num_layers * c.num_directions()), cn(3 * c.hidden_size * c.num_layers);
    auto error = [&](std::vector<int64_t> batch_sizes, const float* input) {
        PackedSequenceInput in;
        in.input = input;
        in.batch_sizes = batch_sizes.empty() ? nullptr : batch_sizes.data();
        in.seq_len = static_cast<int64_t>(batch_sizes.size());
        return error_of([&] { engine->forward_packed(in, {out.data(), hn.data(), cn.data()}); });
    };
    EXPECT_THAT(error({3, 2, 1}, nullptr), AllOf(HasSubstr("PackedRnn::forward_packed: input"), HasSubstr("nullptr")));
    EXPECT_THAT(error({}, x.data()), AllOf(HasSubstr("seq_len"), HasSubstr("got 0")));
    EXPECT_THAT(error({3, 0, 1}, x.data()), AllOf(HasSubstr("batch_sizes[1]"), HasSubstr("got 0")));
    EXPECT_THAT(error({0}, x.data()), AllOf(HasSubstr("batch_sizes[0]"), HasSubstr("a positive value")));
    EXPECT_THAT(error({2, 3, 1}, x.data()), AllOf(HasSubstr("batch_sizes[1]"), HasSubstr("non-increasing"), HasSubstr("got 3")));
    // Output rows overlapping the input: the row count comes from batch_sizes.
    EXPECT_THAT(error_of([&] {
        PackedSequenceInput in;
        const std::vector<int64_t> b{3, 2, 1};
        in.input = x.data();
        in.batch_sizes = b.data();
        in.seq_len = 3;
        engine->forward_packed(in, {x.data() + 1, nullptr, nullptr});
    }), AllOf(HasSubstr("output.output"), HasSubstr("disjoint from input")));
}

TEST(Arguments, TuneAndTorchWeights) {
    const RnnConfig c = lstm();
    const ModelWeights model = random_weights(c, 3);
    const auto engine = PackedRnn::pack(c, model.views());
    EXPECT_THAT(error_of([&] { engine->tune(0); }), AllOf(HasSubstr("PackedRnn::tune: max_batch"), HasSubstr("got 0")));
    EXPECT_THAT(error_of([&] { engine->torch_weights(99, {}); }), AllOf(HasSubstr("torch_weights: index"), HasSubstr("got 99")));
    EXPECT_THAT(error_of([&] { engine->torch_weights(0, {}); }), AllOf(HasSubstr("out.weight_ih"), HasSubstr("nullptr")));
    EngineOptions options;
    options.second_copy_speedup = 0.5;
    EXPECT_THAT(error_of([&] { PackedRnn::pack(c, model.views(), options); }),
                AllOf(HasSubstr("second_copy_speedup"), HasSubstr("got 0.5")));
}

} // namespace
} // namespace mkldnn_rnn::testing

// --- reduced precision (issue 12): options.precision, pack_int8 and int8_weights ---
namespace mkldnn_rnn::testing {
namespace {

// An int8 model's arrays for pack_int8: values 1, scales 0.01 per row.
struct Int8Arrays {
    RnnConfig config;
    std::vector<std::vector<int8_t>> ih, hh, hr;
    std::vector<std::vector<float>> s_ih, s_hh, s_hr, b_ih, b_hh;

    explicit Int8Arrays(const RnnConfig& c) : config(c) {
        const int64_t GH = c.num_gates() * c.hidden_size;
        for (int64_t l = 0; l < c.num_layers; ++l)
            for (int64_t d = 0; d < c.num_directions(); ++d) {
                ih.emplace_back(GH * c.layer_input_size(l), int8_t{1});
                hh.emplace_back(GH * c.output_size(), int8_t{1});
                hr.emplace_back(c.proj_size * c.hidden_size, int8_t{1});
                s_ih.emplace_back(GH, 0.01f);
                s_hh.emplace_back(GH, 0.01f);
                s_hr.emplace_back(c.proj_size, 0.01f);
                b_ih.emplace_back(c.bias ? GH : 0, 0.0f);
                b_hh.emplace_back(c.bias ? GH : 0, 0.0f);
            }
    }
    std::vector<Int8LayerWeights> views() const {
        std::vector<Int8LayerWeights> v(ih.size());
        for (std::size_t k = 0; k < v.size(); ++k) {
            v[k].weight_ih = {ih[k].data(), s_ih[k].data()};
            v[k].weight_hh = {hh[k].data(), s_hh[k].data()};
            if (config.proj_size > 0) v[k].weight_hr = {hr[k].data(), s_hr[k].data()};
            if (config.bias) v[k].bias_ih = b_ih[k].data(), v[k].bias_hh = b_hh[k].data();
        }
        return v;
    }
};

std::string pack_int8_error(const RnnConfig& c, const std::vector<Int8LayerWeights>& views,
                            const EngineOptions& options = {}) {
    return error_of([&] { PackedRnn::pack_int8(c, views, options); });
}

TEST(Arguments, PrecisionOutOfRange) {
    EngineOptions options;
    options.precision = static_cast<Precision>(7);
    EXPECT_THAT(pack_error(small(Mode::LSTM), random_weights(small(Mode::LSTM), 1).views(), options),
                AllOf(HasSubstr("PackedRnn::pack"), HasSubstr("options.precision"), HasSubstr("got 7")));
    const Int8Arrays a(small(Mode::GRU));
    EXPECT_THAT(pack_int8_error(small(Mode::GRU), a.views(), options),
                AllOf(HasSubstr("PackedRnn::pack_int8"), HasSubstr("options.precision"), HasSubstr("got 7")));
}

// Reduced precision runs on the fused kernel only: a fixed oneDNN format is refused, naming both options.
TEST(Arguments, ReducedPrecisionWithOneDnnFormat) {
    for (Precision p : {Precision::bf16, Precision::int8})
        for (WeightsFormat f : {WeightsFormat::plain_ldigo, WeightsFormat::onednn_preferred}) {
            EngineOptions options;
            options.precision = p;
            options.weights_format = f;
            EXPECT_THAT(pack_error(small(Mode::LSTM), random_weights(small(Mode::LSTM), 1).views(), options),
                        AllOf(HasSubstr("options.weights_format"), HasSubstr(precision_name(p)),
                              HasSubstr(weights_format_name(f))))
                    << precision_name(p) << " " << weights_format_name(f);
            if (p == Precision::int8) {
                const Int8Arrays a(small(Mode::LSTM));
                EXPECT_THAT(pack_int8_error(small(Mode::LSTM), a.views(), options),
                            AllOf(HasSubstr("PackedRnn::pack_int8"), HasSubstr("options.weights_format"),
                                  HasSubstr(weights_format_name(f))));
            }
        }
}

// MKLDNN_RNN_IMPL applies to fp32 models only: a reduced-precision pack ignores it (and still runs fused).
TEST(Arguments, ImplEnvironmentIgnoredForReducedPrecision) {
    const ScopedImplEnv env("plain_ldigo");
    for (Precision p : {Precision::bf16, Precision::int8}) {
        EngineOptions options;
        options.precision = p;
        const ModelWeights m = random_weights(small(Mode::GRU), 1);
        const auto engine = PackedRnn::pack(small(Mode::GRU), m.views(), options);
        std::vector<float> x(2 * 7, 0.5f), h(2 * 13);
        engine->cell_forward({x.data(), 2, nullptr, nullptr}, {h.data(), nullptr});
        for (const Decision& d : engine->decisions()) EXPECT_EQ(d.implementation, WeightsFormat::fused) << d.reason;
    }
}

TEST(Arguments, PackInt8WithBf16) {
    EngineOptions options;
    options.precision = Precision::bf16;
    const Int8Arrays a(small(Mode::LSTM));
    EXPECT_THAT(pack_int8_error(small(Mode::LSTM), a.views(), options),
                AllOf(HasSubstr("PackedRnn::pack_int8"), HasSubstr("options.precision"), HasSubstr("bf16")));
}

TEST(Arguments, PackInt8NullPointers) {
    RnnConfig c = small(Mode::LSTM, 5);
    c.num_layers = 2;
    const Int8Arrays a(c);
    const struct {
        Int8Matrix Int8LayerWeights::*matrix;
        const char* name;
    } matrices[] = {{&Int8LayerWeights::weight_ih, "weight_ih"}, {&Int8LayerWeights::weight_hh, "weight_hh"},
                    {&Int8LayerWeights::weight_hr, "weight_hr"}};
    for (const auto& m : matrices) {
        auto views = a.views();
        (views[1].*m.matrix).values = nullptr;
        EXPECT_THAT(pack_int8_error(c, views), AllOf(HasSubstr("PackedRnn::pack_int8"),
                    HasSubstr(std::string("weights[1].") + m.name + ".values"), HasSubstr("got nullptr")));
        views = a.views();
        (views[1].*m.matrix).scales = nullptr;
        EXPECT_THAT(pack_int8_error(c, views),
                    AllOf(HasSubstr(std::string("weights[1].") + m.name + ".scales"), HasSubstr("got nullptr")));
    }
    auto views = a.views();
    views[0].bias_hh = nullptr;
    EXPECT_THAT(pack_int8_error(c, views), AllOf(HasSubstr("weights[0].bias_hh"), HasSubstr("got nullptr")));
    // weight_hr given without a projection.
    const Int8Arrays plain(small(Mode::LSTM));
    views = plain.views();
    views[0].weight_hr = views[0].weight_hh;
    EXPECT_THAT(pack_int8_error(small(Mode::LSTM), views),
                AllOf(HasSubstr("weights[0].weight_hr"), HasSubstr("proj_size is 0"), HasSubstr("got a pointer")));
    // Entry count.
    RnnConfig two = small(Mode::LSTM);
    two.num_layers = 2;
    EXPECT_THAT(pack_int8_error(two, plain.views()), AllOf(HasSubstr("weights"), HasSubstr("2 entries"), HasSubstr("got 1")));
}

// Every scale must be finite and positive; the message names the matrix, the row and the value.
TEST(Arguments, PackInt8BadScales) {
    const RnnConfig c = small(Mode::GRU);
    for (float bad : {0.0f, -0.5f, std::numeric_limits<float>::infinity(), std::numeric_limits<float>::quiet_NaN()}) {
        Int8Arrays a(c);
        a.s_hh[0][3] = bad;
        std::ostringstream given;
        given << bad;
        EXPECT_THAT(pack_int8_error(c, a.views()),
                    AllOf(HasSubstr("weights[0].weight_hh.scales[3]"), HasSubstr("got " + given.str())))
                << bad;
    }
}

TEST(Arguments, Int8WeightsAccess) {
    const RnnConfig c = small(Mode::LSTM);
    const Int8Arrays a(c);
    const auto engine = PackedRnn::pack_int8(c, a.views());
    std::vector<int8_t> v(4 * 13 * 13);
    std::vector<float> s(4 * 13), b(4 * 13);
    MutableInt8LayerWeights out;
    out.weight_ih = {v.data(), s.data()};
    out.weight_hh = {v.data(), s.data()};
    out.bias_ih = b.data();
    out.bias_hh = b.data();
    EXPECT_THAT(error_of([&] { engine->int8_weights(1, out); }), AllOf(HasSubstr("int8_weights: index"), HasSubstr("got 1")));
    MutableInt8LayerWeights missing = out;
    missing.weight_hh.scales = nullptr;
    EXPECT_THAT(error_of([&] { engine->int8_weights(0, missing); }),
                AllOf(HasSubstr("int8_weights"), HasSubstr("out.weight_hh.scales"), HasSubstr("got nullptr")));
    // An fp32 or bf16 model has no int8 weights.
    for (Precision p : {Precision::fp32, Precision::bf16}) {
        EngineOptions options;
        options.precision = p;
        const ModelWeights m = random_weights(c, 1);
        const auto other = PackedRnn::pack(c, m.views(), options);
        EXPECT_THAT(error_of([&] { other->int8_weights(0, out); }),
                    AllOf(HasSubstr("int8_weights"), HasSubstr(precision_name(p))));
    }
}

// A reduced-precision model has one implementation: restoring any other is refused, naming it.
TEST(Arguments, RestoreNonFusedOnReducedPrecision) {
    for (Precision p : {Precision::bf16, Precision::int8}) {
        EngineOptions options;
        options.precision = p;
        const ModelWeights m = random_weights(small(Mode::LSTM), 1);
        const auto engine = PackedRnn::pack(small(Mode::LSTM), m.views(), options);
        Decision d;
        d.batch_class = 1;
        d.threads = 1;
        d.implementation = WeightsFormat::plain_ldigo;
        EXPECT_THAT(error_of([&] { engine->restore_decisions({d}); }),
                    AllOf(HasSubstr("restore_decisions"), HasSubstr("decisions[0].implementation"),
                          HasSubstr(std::string("fused for a ") + precision_name(p)), HasSubstr("got plain_ldigo")));
    }
}

// int8 sums in int32: a layer input or hidden size over 65536 is refused (by pack and pack_int8).
TEST(Arguments, Int8InnerProductTooLong) {
    const RnnConfig c{Mode::RNN_TANH, 65537, 1, 1, false, false, 0};
    const std::vector<float> w_ih(65537, 0.01f), w_hh(1, 0.01f);
    EngineOptions options;
    options.precision = Precision::int8;
    EXPECT_THAT(error_of([&] { PackedRnn::pack(c, {{w_ih.data(), w_hh.data(), nullptr, nullptr, nullptr}}, options); }),
                AllOf(HasSubstr("PackedRnn::pack"), HasSubstr("65536"), HasSubstr("input_size=65537")));
    // bf16 has no such limit (fp32 sums).
    options.precision = Precision::bf16;
    EXPECT_NO_THROW(PackedRnn::pack(c, {{w_ih.data(), w_hh.data(), nullptr, nullptr, nullptr}}, options));
}

} // namespace
} // namespace mkldnn_rnn::testing
