// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// The forward pass: runs each (layer, direction) as one step kernel execution per step range of the
// sequence plan (sequence_plan.hpp), chaining layers through per-thread workspace buffers. Each range's
// kernel is the one its shape class was decided for (decision_table.hpp); kernels take the range's
// dims at call time, so nothing here depends on whether a length was seen before.
#include "mkldnn_rnn/packed_rnn.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <string>
#include <type_traits>
#include <utility>

#include "api/argument_checks.hpp"
#include "policy/probe.hpp"
#include "policy/decision_table.hpp"
#include "fused/fused_kernel.hpp"
#include "onednn/backend.hpp"
#include "onednn/onednn_kernel.hpp"
#include "engine/sequence_plan.hpp"
#include "engine/step_kernel.hpp"
#include "weights/weight_store.hpp"
#include "util/workspace.hpp"

namespace mkldnn_rnn {
namespace {

using detail::SequencePlan;

// MKLDNN_RNN_VERBOSE=1 prints every decision to stderr, so a benchmark can show what was picked.
bool verbose() {
    static const bool on = [] {
        const char* v = std::getenv("MKLDNN_RNN_VERBOSE");
        return v && *v && *v != '0';
    }();
    return on;
}

// Where a sequence's rows live: padded [T, N, C] with two strides (time-major or batch-first), or packed
// (a PackedSequence: each step's active rows one after the other, `row` floats apart).
template <typename T>
struct Rows {
    T* base = nullptr;
    int64_t stride_t = 0, stride_n = 0; // padded
    bool packed = false;

    Rows channels_from(int64_t c) const { return {base + c, stride_t, stride_n, packed}; }
    T* at(int64_t t, int64_t n) const { return base + t * stride_t + n * stride_n; } // padded only
    // Range j of the plan as a strided [steps, batch, C] block: its first row and its strides.
    struct Range {
        T* first;
        int64_t stride_t, stride_n;
    };
    Range range(const SequencePlan& plan, int64_t j) const {
        if (!packed) return {at(plan.range_begin(j), 0), stride_t, stride_n};
        return {base + plan.row_begin[j] * stride_n, plan.batch_of(j) * stride_n, stride_n};
    }
};

template <typename T>
Rows<T> padded_rows(T* base, SequenceLayout layout, int64_t steps, int64_t batch, int64_t channels) {
    if (layout == SequenceLayout::batch_first) return {base, channels, steps * channels, false};
    return {base, batch * channels, channels, false};
}

template <typename T>
Rows<T> packed_rows(T* base, int64_t channels) { return {base, 0, channels, true}; }

// The per-call buffers, carved from the calling thread's workspace. Sized for the call's shape (not its
// lengths), so a call no longer than one already served never grows the workspace.
struct CallBuffers {
    SequencePlan plan;
    float* x_sorted = nullptr;               // [T, N, I] input rows in plan order (padded with lengths only)
    float* sequence[2] = {nullptr, nullptr}; // layer outputs, ping-pong between layers
    float* h[2] = {nullptr, nullptr};        // [N, H_out] state ping-pong between step ranges
    float* c[2] = {nullptr, nullptr};        // [N, H] (LSTM)
    const float* zeros = nullptr;            // [N, max(H, H_out)] zeros: the initial state when none is given
};

// Copies `rows` of `width` floats: sorted row b of `from` to original row order[b] of `to`.
void scatter_rows(const float* from, float* to, int64_t first, int64_t last, int64_t width, const int64_t* order) {
    for (int64_t b = first; b < last; ++b)
        std::memcpy(to + order[b] * width, from + b * width, static_cast<size_t>(width) * sizeof(float));
}

// Fills `to` (rows in plan order) from `from` (original order), or with zeros when `from` is null.
void gather_rows(const float* from, float* to, int64_t rows, int64_t width, const int64_t* order) {
    if (!from) {
        std::memset(to, 0, static_cast<size_t>(rows * width) * sizeof(float));
        return;
    }
    for (int64_t b = 0; b < rows; ++b)
        std::memcpy(to + b * width, from + order[b] * width, static_cast<size_t>(width) * sizeof(float));
}

// The state arrays of one (layer, direction): user h0/c0 slices (nullable) and h_n/c_n slices (nullable).
struct StateSlices {
    const float* h0;
    const float* c0;
    float* hn;
    float* cn;
};

WeightsFormat runnable(WeightsFormat f) {
    return f == WeightsFormat::fused && !detail::fused_kernel_available() ? WeightsFormat::plain_ldigo : f;
}

} // namespace

// One (layer, direction): its weights and a kernel per implementation (none holds anything until run).
struct LayerSlot {
    // Weights: LayerWeights (fp32, or bf16 / int8 made from it) or Int8LayerWeights.
    template <typename Weights, typename... Store>
    LayerSlot(const RnnConfig& config, int64_t layer, bool reverse, const Weights& weights, std::size_t cache_capacity,
              Store... store_args)
        : store(detail::LayerDims(config, layer), weights, store_args...), plain(store, reverse, true, cache_capacity),
          preferred(store, reverse, false, cache_capacity), fused(store, reverse) {}

    const detail::StepKernel& kernel(WeightsFormat f) const {
        switch (f) {
            case WeightsFormat::fused: return fused;
            case WeightsFormat::onednn_preferred: return preferred;
            default: return plain;
        }
    }

    detail::WeightStore store;
    detail::OnednnKernel plain, preferred;
    detail::FusedKernel fused;
};

struct PackedRnn::Impl {
    Impl(const RnnConfig& c, const EngineOptions& o) : config(c), options(o) {}

    RnnConfig config;
    EngineOptions options;
    std::vector<std::unique_ptr<LayerSlot>> layers; // [layer * D + direction]
    mutable detail::DecisionTable decisions; // written once per class by const forward calls

    template <typename Input>
    void run(const Input& in, const SequenceOutput& out) const;

    // The implementation of (layer, direction)'s class of `shape`, deciding it on its first call.
    WeightsFormat implementation(int64_t layer, int64_t direction, const detail::StepShape& shape,
            const detail::RnnCallArgs& args, detail::Workspace& workspace) const;
    void record(const Decision& d) const;

private:
    void run_direction(int64_t layer, int64_t direction, const SequencePlan& plan, Rows<const float> src,
            Rows<float> dst, const StateSlices& state, CallBuffers& buffers, int threads) const;
};

void PackedRnn::Impl::record(const Decision& d) const {
    decisions.record(d);
    // What no decision of this (layer, direction) runs any more goes: weight copies, oneDNN primitives.
    const LayerSlot& slot = *layers[d.layer * config.num_directions() + d.direction];
    const bool plain = decisions.uses(d.layer, d.direction, WeightsFormat::plain_ldigo);
    const bool preferred = decisions.uses(d.layer, d.direction, WeightsFormat::onednn_preferred);
    slot.store.retain(plain || preferred, decisions.uses(d.layer, d.direction, WeightsFormat::fused));
    if (!plain) slot.plain.release();
    if (!preferred) slot.preferred.release();
    if (verbose())
        std::fprintf(stderr, "mkldnn_rnn: %s layer %lld direction %lld batch <= %lld threads %lld: %s (%s)\n",
                     mode_name(config.mode), static_cast<long long>(d.layer), static_cast<long long>(d.direction),
                     static_cast<long long>(d.batch_class), static_cast<long long>(d.threads),
                     weights_format_name(d.implementation), d.reason.c_str());
}

WeightsFormat PackedRnn::Impl::implementation(int64_t layer, int64_t direction, const detail::StepShape& shape,
        const detail::RnnCallArgs& args, detail::Workspace& workspace) const {
    const int64_t cls = detail::batch_class(shape.batch);
    WeightsFormat found;
    if (decisions.find(layer, direction, cls, shape.threads, &found)) return found;

    Decision d;
    d.layer = layer;
    d.direction = direction;
    d.batch_class = cls;
    d.threads = shape.threads;
    if (options.precision != Precision::fp32) {
        d.implementation = WeightsFormat::fused;
        d.reason = std::string(precision_name(options.precision)) + " runs on the fused kernel ("
                + kernel_isa(options.precision) + ")";
    } else if (options.weights_format != WeightsFormat::automatic) {
        d.implementation = runnable(options.weights_format);
        d.reason = d.implementation == options.weights_format ? "fixed by EngineOptions or MKLDNN_RNN_IMPL"
                                                              : "fused fixed, but this CPU has no AVX-512";
    } else if (!detail::fused_kernel_available()) {
        d.implementation = WeightsFormat::plain_ldigo;
        d.reason = "the only candidate: this CPU has no AVX-512 for the fused kernel";
    } else {
        const LayerSlot& slot = *layers[layer * config.num_directions() + direction];
        const detail::ProbeResult r = detail::probe(slot.fused, slot.store.resident(detail::Layout::blocked), slot.plain,
                slot.store.resident(detail::Layout::plain), shape, args, workspace, options.second_copy_speedup);
        d.implementation = r.implementation;
        d.fused_us = r.fused_us;
        d.plain_us = r.plain_us;
        d.reason = r.reason;
        workspace.release_kernel_buffers(); // grown for the loser too
    }
    record(d);
    return d.implementation;
}

template <typename Input>
void PackedRnn::Impl::run(const Input& in, const SequenceOutput& out) const {
    constexpr bool packed = std::is_same_v<Input, PackedSequenceInput>;
    const int64_t T = in.seq_len, I = config.input_size;
    int64_t N, rows; // rows: of the layers' outputs, packed or padded
    if constexpr (packed) {
        N = in.batch_sizes[0];
        rows = std::accumulate(in.batch_sizes, in.batch_sizes + T, int64_t{0});
    } else {
        N = in.batch;
        rows = T * N;
    }
    const int64_t H = config.hidden_size, O = config.output_size(), L = config.num_layers;
    const int64_t D = config.num_directions(), DO = D * O;
    const bool lstm = config.mode == Mode::LSTM;
    bool may_reorder = false;
    if constexpr (!packed) may_reorder = in.lengths != nullptr;
    // Layers above the first read the one below from a buffer. When rows keep the caller's order, the
    // caller's output is one of the two a layer alternates between (layer l writes it when L - 1 - l is
    // even, the last layer included), so one buffer serves any depth; otherwise two, and the last layer's
    // rows are copied out at the end.
    const bool output_in_turn = !may_reorder && out.output != nullptr;
    const int sequence_buffers = output_in_turn ? (L > 1 ? 1 : 0) : (L > 1 ? 2 : 1);

    detail::Workspace& workspace = detail::Workspace::for_this_thread();
    struct EndCall { // last, after every use of the call's buffers: it may free them (workspace.hpp)
        detail::Workspace& w;
        ~EndCall() { w.end_call(); }
    } end_call{workspace};
    auto carve = [&](detail::BufferCarver& carver) {
        CallBuffers b;
        if constexpr (packed) b.plan = detail::make_packed_plan(T, in.batch_sizes, carver);
        else b.plan = detail::make_sequence_plan(T, N, in.lengths, carver);
        if (may_reorder) b.x_sorted = carver.take<float>(T * N * I);
        for (int i = 0; i < sequence_buffers; ++i) b.sequence[i] = carver.take<float>(rows * DO);
        for (float*& s : b.h) s = carver.take<float>(N * O);
        if (lstm)
            for (float*& s : b.c) s = carver.take<float>(N * H);
        return b;
    };
    detail::BufferCarver measure;
    carve(measure);
    detail::BufferCarver carver(workspace.data(measure.bytes_used()));
    CallBuffers buffers = carve(carver);
    buffers.zeros = workspace.zeros(static_cast<size_t>(N * std::max(H, O)));
    const SequencePlan& plan = buffers.plan;

    Rows<const float> src;
    Rows<float> user_out;
    if constexpr (packed) {
        src = packed_rows(in.input, I);
        user_out = packed_rows(out.output, DO);
    } else {
        src = padded_rows(in.input, in.layout, T, N, I);
        user_out = padded_rows(out.output, in.layout, T, N, DO);
        if (!plan.sorted) { // the plan's row order differs from the caller's: gather the input once
            for (int64_t b = 0; b < N; ++b)
                for (int64_t t = 0; t < plan.length[b]; ++t)
                    std::memcpy(buffers.x_sorted + t * N * I + b * I, src.at(t, plan.order[b]),
                                static_cast<size_t>(I) * sizeof(float));
            src = {buffers.x_sorted, N * I, I, false};
        }
    }

    const bool direct_out = plan.sorted && out.output;
    const int64_t h_stride = N * O, c_stride = N * H;
    const int threads = detail::backend_max_threads();
    auto buffer_rows = [&](float* base) {
        if (packed) return packed_rows(base, DO);
        return Rows<float>{base, N * DO, DO, false};
    };
    Rows<float> dst;
    for (int64_t l = 0; l < L; ++l) {
        if (output_in_turn) dst = (L - 1 - l) % 2 == 0 ? user_out : buffer_rows(buffers.sequence[0]);
        else if (l == L - 1 && direct_out) dst = user_out;
        else dst = buffer_rows(buffers.sequence[l % 2]);
        for (int64_t d = 0; d < D; ++d) {
            const int64_t s = l * D + d;
            const StateSlices state{in.h0 ? in.h0 + s * h_stride : nullptr, in.c0 ? in.c0 + s * c_stride : nullptr,
                                    out.h_n ? out.h_n + s * h_stride : nullptr, out.c_n ? out.c_n + s * c_stride : nullptr};
            run_direction(l, d, plan, src, dst.channels_from(d * O), state, buffers, threads);
        }
        src = {dst.base, dst.stride_t, dst.stride_n, dst.packed};
    }
    if (packed || !out.output) return;
    // PackedSequence semantics on a padded batch: rows past a sequence's length are zero.
    const size_t row_bytes = static_cast<size_t>(DO) * sizeof(float);
    for (int64_t b = 0; b < N; ++b) {
        const int64_t n = plan.order[b];
        if (!direct_out)
            for (int64_t t = 0; t < plan.length[b]; ++t) std::memcpy(user_out.at(t, n), dst.at(t, b), row_bytes);
        for (int64_t t = plan.length[b]; t < T; ++t) std::memset(user_out.at(t, n), 0, row_bytes);
    }
}

void PackedRnn::Impl::run_direction(int64_t layer, int64_t direction, const SequencePlan& plan,
        Rows<const float> src, Rows<float> dst, const StateSlices& state, CallBuffers& buffers, int threads) const {
    const bool lstm = config.mode == Mode::LSTM, reverse = direction == 1;
    const int64_t O = config.output_size(), H = config.hidden_size, N = plan.batch, k = plan.num_ranges;
    const LayerSlot& slot = *layers[layer * config.num_directions() + direction];
    detail::Workspace& workspace = detail::Workspace::for_this_thread();

    // The first execution reads h0/c0, or the shared zeros without them, in place when rows keep their
    // order and no sequence joins later (the reverse direction with several ranges starts short
    // sequences midway, from their h0); otherwise they are gathered into the ping-pong buffers, both of
    // them when joining rows may be read from either.
    const bool state_in_place = plan.sorted && (k == 1 || !reverse);
    const float* h0 = state.h0 ? state.h0 : buffers.zeros;
    const float* c0 = state.c0 ? state.c0 : buffers.zeros;
    const int gathered = state_in_place ? 0 : (reverse && k > 1 ? 2 : 1);
    for (int i = 0; i < gathered; ++i) {
        gather_rows(state.h0, buffers.h[i], N, O, plan.order);
        if (lstm) gather_rows(state.c0, buffers.c[i], N, H, plan.order);
    }

    int cur = 0;
    for (int64_t i = 0; i < k; ++i) {
        const int64_t j = reverse ? k - 1 - i : i;
        const bool first = i == 0, last = i == k - 1;
        const auto from = src.range(plan, j);
        const auto to = dst.range(plan, j);
        detail::StepShape shape;
        shape.steps = plan.range_end[j] - plan.range_begin(j);
        shape.batch = plan.batch_of(j);
        shape.src_stride_t = from.stride_t;
        shape.src_stride_n = from.stride_n;
        shape.dst_stride_t = to.stride_t;
        shape.dst_stride_n = to.stride_n;
        shape.threads = threads;

        // The last execution writes h_n/c_n in place when rows keep their order.
        detail::RnnCallArgs args;
        args.src_layer = from.first;
        args.dst_layer = to.first;
        args.src_iter = first && state_in_place ? h0 : buffers.h[cur];
        args.dst_iter = last && plan.sorted && state.hn ? state.hn : buffers.h[1 - cur];
        if (lstm) {
            args.src_iter_c = first && state_in_place ? c0 : buffers.c[cur];
            args.dst_iter_c = last && plan.sorted && state.cn ? state.cn : buffers.c[1 - cur];
        }
        slot.kernel(implementation(layer, direction, shape, args, workspace)).execute(shape, args, workspace);
        cur = 1 - cur;

        // Rows whose sequences ended in this range: all rows at the end of the reverse direction, rows
        // [batch_of(j + 1), batch_of(j)) in the forward direction.
        const int64_t done_from = reverse ? (last ? 0 : N) : plan.batch_of(j + 1);
        const int64_t done_to = reverse ? N : shape.batch;
        const bool written_in_place = last && plan.sorted;
        if (state.hn && !written_in_place)
            scatter_rows(buffers.h[cur], state.hn, done_from, done_to, O, plan.order);
        if (lstm && state.cn && !written_in_place)
            scatter_rows(buffers.c[cur], state.cn, done_from, done_to, H, plan.order);
    }
}

// ---------------------------------------------------------------------------------------------------
PackedRnn::PackedRnn(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PackedRnn::~PackedRnn() = default;

std::shared_ptr<const PackedRnn> PackedRnn::pack(const RnnConfig& config, const std::vector<LayerWeights>& weights,
        const EngineOptions& options) {
    detail::check_pack_args(config, weights, options);
    auto impl = std::make_unique<Impl>(config, detail::with_environment(options));
    // One copy, in the layout the model will most likely run on; the other is made if a class needs it.
    const WeightsFormat f = runnable(impl->options.weights_format);
    const bool blocked = f == WeightsFormat::fused || (f == WeightsFormat::automatic && detail::fused_kernel_available());
    if (f != WeightsFormat::fused && impl->options.precision == Precision::fp32) detail::warm_backend();
    const int64_t D = config.num_directions();
    impl->layers.reserve(weights.size());
    for (std::size_t k = 0; k < weights.size(); ++k)
        impl->layers.push_back(std::make_unique<LayerSlot>(config, static_cast<int64_t>(k) / D, k % D == 1, weights[k],
                impl->options.primitive_cache_capacity, blocked ? detail::Layout::blocked : detail::Layout::plain,
                impl->options.precision));
    return std::shared_ptr<const PackedRnn>(new PackedRnn(std::move(impl)));
}

std::shared_ptr<const PackedRnn> PackedRnn::pack_int8(const RnnConfig& config, const std::vector<Int8LayerWeights>& weights,
        const EngineOptions& options) {
    detail::check_pack_int8_args(config, weights, options);
    EngineOptions int8 = options;
    int8.precision = Precision::int8;
    auto impl = std::make_unique<Impl>(config, int8);
    const int64_t D = config.num_directions();
    impl->layers.reserve(weights.size());
    for (std::size_t k = 0; k < weights.size(); ++k)
        impl->layers.push_back(std::make_unique<LayerSlot>(config, static_cast<int64_t>(k) / D, k % D == 1, weights[k],
                impl->options.primitive_cache_capacity));
    return std::shared_ptr<const PackedRnn>(new PackedRnn(std::move(impl)));
}

Precision PackedRnn::precision() const { return impl_->options.precision; }

const RnnConfig& PackedRnn::config() const { return impl_->config; }
const EngineOptions& PackedRnn::options() const { return impl_->options; }

std::size_t PackedRnn::cached_primitive_count() const {
    std::size_t n = 0;
    for (const auto& slot : impl_->layers) n += slot->plain.cached_primitives() + slot->preferred.cached_primitives();
    return n;
}

std::size_t PackedRnn::weight_bytes() const {
    std::size_t n = 0;
    for (const auto& slot : impl_->layers) n += slot->store.bytes() + slot->preferred.reordered_weight_bytes();
    return n;
}

void PackedRnn::torch_weights(std::size_t index, const MutableLayerWeights& out) const {
    detail::check_torch_weights_args(impl_->config, index, out);
    impl_->layers[index]->store.torch_weights(out);
}

void PackedRnn::int8_weights(std::size_t index, const MutableInt8LayerWeights& out) const {
    detail::check_int8_weights_args(impl_->config, impl_->options.precision, index, out);
    impl_->layers[index]->store.int8_weights(out);
}

void PackedRnn::forward(const SequenceInput& input, const SequenceOutput& output) const {
    detail::check_forward_args(impl_->config, input, output);
    impl_->run(input, output);
}

void PackedRnn::forward_packed(const PackedSequenceInput& input, const SequenceOutput& output) const {
    detail::check_forward_packed_args(impl_->config, input, output);
    impl_->run(input, output);
}

void PackedRnn::cell_forward(const CellInput& input, const CellOutput& output) const {
    detail::check_cell_args(impl_->config, input, output);
    SequenceInput step;
    step.input = input.input;
    step.seq_len = 1;
    step.batch = input.batch;
    step.h0 = input.hx;
    step.c0 = input.cx;
    // One step: the layer output is the new h, and c comes back as the final cell state.
    impl_->run(step, SequenceOutput{output.h, nullptr, output.c});
}

void PackedRnn::tune(int64_t max_batch) const {
    detail::check_tune_args(max_batch);
    const RnnConfig& c = impl_->config;
    const int threads = detail::backend_max_threads();
    const int64_t T = detail::kProbeSteps, L = c.num_layers, D = c.num_directions();
    for (int64_t cls = 1; cls < 2 * max_batch; cls *= 2) {
        // A call at the class's largest batch decides each (layer, direction) of the class ...
        const std::vector<float> input(static_cast<std::size_t>(T * cls * c.input_size), 0.f);
        std::vector<float> output(static_cast<std::size_t>(T * cls * D * c.output_size()));
        SequenceInput in;
        in.input = input.data();
        in.seq_len = T;
        in.batch = cls;
        impl_->run(in, SequenceOutput{output.data(), nullptr, nullptr});
        // ... and where oneDNN runs it, every primitive it can need is built.
        for (int64_t s = 0; s < L * D; ++s) {
            WeightsFormat f;
            if (impl_->decisions.find(s / D, s % D, cls, threads, &f) && f != WeightsFormat::fused)
                impl_->layers[s]->kernel(f).prepare(cls / 2 + 1, cls, threads);
        }
    }
}

std::vector<Decision> PackedRnn::decisions() const { return impl_->decisions.all(); }

void PackedRnn::restore_decisions(const std::vector<Decision>& decisions) const {
    for (std::size_t i = 0; i < decisions.size(); ++i)
        detail::check_restored_decision(impl_->config, impl_->options.precision, decisions[i], i,
                                        detail::fused_kernel_available());
    for (Decision d : decisions) {
        d.reason = "restored: " + d.reason;
        // The layout it reads first, so that retain() can drop the one no decision reads.
        const LayerSlot& slot = *impl_->layers[d.layer * impl_->config.num_directions() + d.direction];
        if (slot.store.precision() != Precision::fp32) {} // its one copy is what fused reads
        else if (d.implementation == WeightsFormat::fused) slot.store.blocked();
        else slot.store.plain();
        impl_->record(d);
    }
}

} // namespace mkldnn_rnn
