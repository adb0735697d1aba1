// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// Proves the hot-path rule by counting, not by reading code: after the first call of a shape, forward()
// and cell_forward() allocate nothing of their own.
//
// Every heap entry point of glibc is interposed (this executable exports them, so libstdc++'s operator
// new, oneDNN and libgomp all land here). While counting is on, each allocation is attributed by a stack
// walk to the innermost frame in a library we know: libmkldnn_rnn (ours), libdnnl (oneDNN) or libgomp
// (OpenMP). Ours must be zero. oneDNN 2.6's primitive execute() allocates internally (its execution
// context's argument map, per-step closures); that residual is outside our control, so the test demands
// only that it is the same on every call (no growth, no per-call caching) and prints it. The fused
// kernel runs no oneDNN primitive: on it the whole call, OpenMP team included, must allocate nothing. It
// serves on every CPU with AVX2 + FMA (kernel_isa() names its ISA; MKLDNN_RNN_MAX_ISA caps it); on one
// without, a fused pack runs on oneDNN, and its residual is held to the same-on-every-call rule instead.
#include <dlfcn.h>
#include <execinfo.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "mkldnn_rnn/mkldnn_rnn.hpp"

extern "C" {
void* __libc_malloc(size_t);
void* __libc_calloc(size_t, size_t);
void* __libc_realloc(void*, size_t);
void* __libc_memalign(size_t, size_t);
}

namespace {

enum Owner { ours, onednn, openmp, other, owners };
const char* const owner_names[owners] = {"libmkldnn_rnn", "libdnnl", "libgomp", "other"};

std::atomic<bool> counting{false};
std::atomic<long> counts[owners];
thread_local bool in_hook = false;

Owner owner_of_stack() {
    void* frames[48];
    const int depth = backtrace(frames, 48);
    for (int i = 1; i < depth; ++i) { // frame 0 is this hook
        Dl_info info;
        if (!dladdr(frames[i], &info) || !info.dli_fname) continue;
        for (int o = ours; o < other; ++o)
            if (std::strstr(info.dli_fname, owner_names[o])) return static_cast<Owner>(o);
    }
    return other;
}

void note_allocation() {
    if (!counting.load(std::memory_order_relaxed) || in_hook) return;
    in_hook = true; // backtrace() and dladdr() may allocate on first use
    counts[owner_of_stack()].fetch_add(1, std::memory_order_relaxed);
    in_hook = false;
}

struct Counts {
    long by[owners] = {};
    long residual() const { return by[onednn] + by[openmp]; }
};

template <typename Call>
Counts count_allocations(Call&& call) {
    for (auto& c : counts) c.store(0);
    counting.store(true);
    call();
    counting.store(false);
    Counts out;
    for (int o = 0; o < owners; ++o) out.by[o] = counts[o].load();
    return out;
}

} // namespace

extern "C" {
void* malloc(size_t n) { note_allocation(); return __libc_malloc(n); }
void* calloc(size_t n, size_t size) { note_allocation(); return __libc_calloc(n, size); }
void* realloc(void* p, size_t n) { note_allocation(); return __libc_realloc(p, n); }
void* memalign(size_t alignment, size_t n) { note_allocation(); return __libc_memalign(alignment, n); }
void* aligned_alloc(size_t alignment, size_t n) { note_allocation(); return __libc_memalign(alignment, n); }
int posix_memalign(void** p, size_t alignment, size_t n) {
    note_allocation();
    *p = __libc_memalign(alignment, n);
    return *p ? 0 : ENOMEM;
}
}

namespace {

using namespace mkldnn_rnn;

// A model with deterministic weights, kept alive for the test.
struct Model {
    std::vector<std::vector<float>> arrays;
    std::shared_ptr<const PackedRnn> packed;

    Model(const RnnConfig& c, WeightsFormat format = WeightsFormat::plain_ldigo, Precision precision = Precision::fp32) {
        const int64_t G = c.num_gates(), H = c.hidden_size, P = c.proj_size, O = c.output_size();
        auto array = [&](int64_t n) {
            arrays.emplace_back(static_cast<size_t>(n));
            for (size_t i = 0; i < arrays.back().size(); ++i) arrays.back()[i] = 0.01f * static_cast<float>(i % 17) - 0.08f;
            return arrays.back().data();
        };
        arrays.reserve(static_cast<size_t>(5 * c.num_layers * c.num_directions()));
        std::vector<LayerWeights> weights;
        for (int64_t l = 0; l < c.num_layers; ++l)
            for (int64_t d = 0; d < c.num_directions(); ++d) {
                LayerWeights w;
                w.weight_ih = array(G * H * c.layer_input_size(l));
                w.weight_hh = array(G * H * O);
                if (c.bias) {
                    w.bias_ih = array(G * H);
                    w.bias_hh = array(G * H);
                }
                if (P > 0) w.weight_hr = array(P * H);
                weights.push_back(w);
            }
        EngineOptions options;
        options.weights_format = format;
        options.precision = precision;
        packed = PackedRnn::pack(c, weights, options);
    }
};

RnnConfig config(Mode mode, int64_t layers, bool bidirectional, int64_t proj = 0) {
    RnnConfig c;
    c.mode = mode;
    c.input_size = 250;
    c.hidden_size = 200;
    c.num_layers = layers;
    c.bidirectional = bidirectional;
    c.proj_size = proj;
    return c;
}

// Runs `call` twice to warm up (the first call of a shape creates primitives and grows workspaces),
// then counts three calls one by one. `fused`: the call runs the fused kernel, so nothing at all may
// allocate, oneDNN and OpenMP included.
template <typename Call>
void expect_steady_state_allocation_free(const char* what, bool fused, Call&& call) {
    SCOPED_TRACE(what);
    call();
    call();
    long residual = -1;
    for (int i = 0; i < 3; ++i) {
        const Counts c = count_allocations(call);
        EXPECT_EQ(c.by[ours], 0) << "allocations made by mkldnn_rnn on call " << i;
        EXPECT_EQ(c.by[other], 0) << "allocations of unknown origin on call " << i;
        if (residual >= 0) {
            EXPECT_EQ(c.residual(), residual) << "oneDNN's own allocations changed between calls";
        }
        if (fused) {
            EXPECT_EQ(c.residual(), 0) << "allocations in oneDNN or OpenMP on the fused kernel, call " << i;
        }
        residual = c.residual();
    }
    std::printf("[ residual ] %-48s oneDNN/OpenMP allocations per call: %ld\n", what, residual);
}

// Whether WeightsFormat::fused runs the fused kernel here (else pack() falls back to oneDNN's plain weights).
bool fused_serves() { return std::string(kernel_isa(Precision::fp32)) != "none"; }

struct Sequence {
    int64_t T, N, I, out_channels, states, hidden;
    std::vector<float> x, h0, c0, out, hn, cn;
    Sequence(const RnnConfig& c, int64_t steps, int64_t batch)
        : T(steps), N(batch), I(c.input_size), out_channels(c.num_directions() * c.output_size()),
          states(c.num_layers * c.num_directions()), hidden(c.hidden_size),
          x(static_cast<size_t>(T * N * I), 0.5f), h0(static_cast<size_t>(states * N * c.output_size()), 0.1f),
          c0(static_cast<size_t>(states * N * hidden), 0.2f), out(static_cast<size_t>(T * N * out_channels)),
          hn(h0.size()), cn(c0.size()) {}
};

// Lengths in [1, steps], a different one per sequence.
std::vector<int64_t> lengths_of(int64_t batch, int64_t steps) {
    std::vector<int64_t> lengths;
    for (int64_t n = 0; n < batch; ++n) lengths.push_back(1 + (n * 7 + 3) % steps);
    return lengths;
}

SequenceInput padded_input(const RnnConfig& c, const Sequence& s, int64_t steps, int64_t batch, bool batch_first,
                           const int64_t* lengths) {
    SequenceInput in;
    in.input = s.x.data();
    in.seq_len = steps;
    in.batch = batch;
    in.layout = batch_first ? SequenceLayout::batch_first : SequenceLayout::time_major;
    in.h0 = s.h0.data();
    in.c0 = c.mode == Mode::LSTM ? s.c0.data() : nullptr;
    in.lengths = lengths;
    return in;
}

SequenceOutput outputs_of(const RnnConfig& c, Sequence& s) {
    return {s.out.data(), s.hn.data(), c.mode == Mode::LSTM ? s.cn.data() : nullptr};
}

TEST(NoAllocation, CountingHookSeesAllocations) {
    // The hook must be live, or every other test here would pass vacuously.
    const Counts c = count_allocations([] { std::vector<float> v(1000); EXPECT_EQ(v.size(), 1000u); });
    EXPECT_GE(c.by[other], 1);
}

TEST(NoAllocation, ForwardAcrossConfigurations) {
    struct Case {
        const char* name;
        RnnConfig config;
        int64_t steps, batch;
        bool lengths, batch_first;
        WeightsFormat format;
    };
    const Case cases[] = {
            {"LSTM T=15 N=1 (benchmark shape)", config(Mode::LSTM, 1, false), 15, 1, false, false, WeightsFormat::plain_ldigo},
            {"LSTM T=1 N=1", config(Mode::LSTM, 1, false), 1, 1, false, false, WeightsFormat::plain_ldigo},
            {"LSTM T=15 N=1 onednn_preferred", config(Mode::LSTM, 1, false), 15, 1, false, false, WeightsFormat::onednn_preferred},
            {"RNN_TANH T=1 N=4 onednn_preferred", config(Mode::RNN_TANH, 1, false), 1, 4, false, false, WeightsFormat::onednn_preferred},
            {"GRU T=1 N=4 onednn_preferred", config(Mode::GRU, 1, false), 1, 4, false, false, WeightsFormat::onednn_preferred},
            {"LSTM 2 layers bidirectional, unsorted lengths", config(Mode::LSTM, 2, true), 9, 5, true, false, WeightsFormat::plain_ldigo},
            {"LSTM proj_size batch_first lengths", config(Mode::LSTM, 2, false, 64), 7, 3, true, true, WeightsFormat::plain_ldigo},
            {"GRU bidirectional batch_first", config(Mode::GRU, 1, true), 6, 4, false, true, WeightsFormat::plain_ldigo},
            {"RNN_TANH 3 layers lengths", config(Mode::RNN_TANH, 3, false), 5, 3, true, false, WeightsFormat::plain_ldigo},
            {"LSTM T=15 N=1 fused", config(Mode::LSTM, 1, false), 15, 1, false, false, WeightsFormat::fused},
            {"LSTM 2 layers bidirectional lengths fused", config(Mode::LSTM, 2, true), 9, 5, true, false, WeightsFormat::fused},
            {"GRU batch_first fused", config(Mode::GRU, 1, false), 6, 4, false, true, WeightsFormat::fused},
            {"RNN_RELU lengths fused", config(Mode::RNN_RELU, 2, false), 5, 3, true, false, WeightsFormat::fused},
            {"LSTM proj_size lengths fused", config(Mode::LSTM, 2, true, 64), 7, 3, true, true, WeightsFormat::fused},
    };
    for (const Case& k : cases) {
        Model model(k.config, k.format);
        Sequence s(k.config, k.steps, k.batch);
        const std::vector<int64_t> lengths = lengths_of(k.batch, k.steps);
        const SequenceInput in = padded_input(k.config, s, k.steps, k.batch, k.batch_first, k.lengths ? lengths.data() : nullptr);
        const SequenceOutput out = outputs_of(k.config, s);
        expect_steady_state_allocation_free(k.name, k.format == WeightsFormat::fused && fused_serves(),
                                            [&] { model.packed->forward(in, out); });
    }
}

// Real traffic: once the classes are served (tune(): every class up to the batch decided and its kernels
// built) and the workspace has seen the longest call of each kind, a call of any length no longer than
// that, new lengths and lengths patterns and PackedSequences included, makes no allocation of ours; on
// the fused kernel, none at all.
TEST(NoAllocation, NewLengthsOfAServedClass) {
    for (WeightsFormat format : {WeightsFormat::automatic, WeightsFormat::plain_ldigo, WeightsFormat::fused}) {
        const RnnConfig c = config(Mode::LSTM, 2, true);
        Model model(c, format);
        const int64_t longest = 150, batch = 6;
        Sequence s(c, longest, batch);
        const SequenceOutput out{s.out.data(), s.hn.data(), s.cn.data()};
        SequenceInput in;
        in.input = s.x.data();
        in.batch = batch;
        in.seq_len = longest;
        model.packed->tune(batch);
        std::vector<int64_t> batch_sizes;
        bool warm = false;
        for (int64_t T : {150, 150, 37, 1, 64, 65, 129, 2, 99}) { // the first round grows the workspace
            SCOPED_TRACE(std::string(weights_format_name(format)) + " T=" + std::to_string(T));
            std::vector<int64_t> lengths(batch);
            for (int64_t n = 0; n < batch; ++n) lengths[n] = 1 + (n * 31 + T) % T;
            lengths[batch / 2] = T;
            batch_sizes.assign(static_cast<size_t>(T), 0);
            for (int64_t t = 0; t < T; ++t)
                for (int64_t n = 0; n < batch; ++n) batch_sizes[t] += lengths[n] > t;
            in.seq_len = T;
            in.lengths = nullptr;
            const Counts plain = count_allocations([&] { model.packed->forward(in, out); });
            in.lengths = lengths.data();
            const Counts with_lengths = count_allocations([&] { model.packed->forward(in, out); });
            PackedSequenceInput packed;
            packed.input = s.x.data();
            packed.batch_sizes = batch_sizes.data();
            packed.seq_len = T;
            const Counts from_packed = count_allocations([&] { model.packed->forward_packed(packed, out); });
            if (!warm) {
                warm = true; // the round that grew the workspace
                continue;
            }
            for (const Counts* k : {&plain, &with_lengths, &from_packed}) {
                EXPECT_EQ(k->by[ours], 0);
                EXPECT_EQ(k->by[other], 0);
                if (format == WeightsFormat::fused && fused_serves()) {
                    EXPECT_EQ(k->residual(), 0);
                }
            }
        }
    }
}

TEST(NoAllocation, Cells) {
    for (WeightsFormat format : {WeightsFormat::plain_ldigo, WeightsFormat::fused})
        for (Mode mode : {Mode::LSTM, Mode::GRU, Mode::RNN_RELU}) {
            const RnnConfig c = config(mode, 1, false);
            Model model(c, format);
            std::vector<float> x(3 * 250, 0.5f), hx(3 * 200, 0.1f), cx(hx), h(hx.size()), cell(hx.size());
            const bool lstm = mode == Mode::LSTM;
            const CellInput in{x.data(), 3, hx.data(), lstm ? cx.data() : nullptr};
            const CellOutput out{h.data(), lstm ? cell.data() : nullptr};
            const bool fused = format == WeightsFormat::fused && fused_serves();
            const std::string name = std::string(mode_name(mode)) + (fused ? " cell fused" : " cell");
            expect_steady_state_allocation_free(name.c_str(), fused, [&] { model.packed->cell_forward(in, out); });
        }
}

// bf16 and int8 run on the fused kernel only: after the warm-up calls nothing in a forward, forward_packed or
// cell_forward call allocates (the per-row activation quantization and bf16 rounding use the workspace).
// The cases run on a thread of their own: the thread's workspace is then this test's alone, and the large
// buffers earlier tests left on the main thread cannot be released (workspace.hpp's shrink window) and
// re-allocated in the middle of a count.
void reduced_precision_cases();
TEST(NoAllocation, ReducedPrecision) {
    if (!fused_serves()) GTEST_SKIP() << "no fused kernel on this CPU (kernel_isa: none): bf16 and int8 are refused";
    std::thread worker(reduced_precision_cases);
    worker.join();
}

void reduced_precision_cases() {
    struct Case {
        const char* name;
        RnnConfig config;
        int64_t steps, batch;
        bool lengths, batch_first;
    };
    const Case cases[] = {
            {"LSTM T=15 N=1", config(Mode::LSTM, 1, false), 15, 1, false, false},
            {"LSTM 2 layers bidirectional lengths", config(Mode::LSTM, 2, true), 9, 5, true, false},
            {"LSTM proj_size batch_first lengths", config(Mode::LSTM, 2, true, 64), 7, 3, true, true},
            {"GRU batch_first", config(Mode::GRU, 1, false), 6, 4, false, true},
            {"RNN_RELU lengths", config(Mode::RNN_RELU, 2, false), 5, 3, true, false},
    };
    for (Precision precision : {Precision::bf16, Precision::int8})
        for (WeightsFormat format : {WeightsFormat::automatic, WeightsFormat::fused})
            for (const Case& k : cases) {
                const std::string name = std::string(precision_name(precision)) + " " + weights_format_name(format) + " " + k.name;
                Model model(k.config, format, precision);
                Sequence s(k.config, k.steps, k.batch);
                const std::vector<int64_t> lengths = lengths_of(k.batch, k.steps);
                std::vector<int64_t> batch_sizes(static_cast<size_t>(k.steps), 0);
                const SequenceInput in =
                        padded_input(k.config, s, k.steps, k.batch, k.batch_first, k.lengths ? lengths.data() : nullptr);
                const SequenceOutput out = outputs_of(k.config, s);
                expect_steady_state_allocation_free(name.c_str(), true, [&] { model.packed->forward(in, out); });
                // A PackedSequence of the same rows (every sequence T long: batch_sizes all N).
                std::fill(batch_sizes.begin(), batch_sizes.end(), k.batch);
                PackedSequenceInput packed;
                packed.input = s.x.data();
                packed.batch_sizes = batch_sizes.data();
                packed.seq_len = k.steps;
                const std::string packed_name = name + " packed";
                expect_steady_state_allocation_free(packed_name.c_str(), true, [&] { model.packed->forward_packed(packed, out); });
            }
    for (Precision precision : {Precision::bf16, Precision::int8})
        for (Mode mode : {Mode::LSTM, Mode::GRU, Mode::RNN_TANH}) {
            const RnnConfig c = config(mode, 1, false);
            Model model(c, WeightsFormat::automatic, precision);
            std::vector<float> x(3 * 250, 0.5f), hx(3 * 200, 0.1f), cx(hx), h(hx.size()), cell(hx.size());
            const bool lstm = mode == Mode::LSTM;
            const CellInput in{x.data(), 3, hx.data(), lstm ? cx.data() : nullptr};
            const CellOutput out{h.data(), lstm ? cell.data() : nullptr};
            const std::string name = std::string(precision_name(precision)) + " " + mode_name(mode) + " cell";
            expect_steady_state_allocation_free(name.c_str(), true, [&] { model.packed->cell_forward(in, out); });
        }
}

} // namespace
