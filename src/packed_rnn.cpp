// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// The forward pass: runs each (layer, direction) as one step kernel execution per step range of the
// sequence plan (see sequence_plan.hpp), chaining layers through per-thread workspace buffers.
#include "mkldnn_rnn/packed_rnn.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

#include "api_checks.hpp"
#include "autotune.hpp"
#include "fused_kernel.hpp"
#include "lru_cache.hpp"
#include "onednn_backend.hpp"
#include "sequence_plan.hpp"
#include "step_kernel.hpp"
#include "weight_packing.hpp"
#include "workspace.hpp"

namespace mkldnn_rnn {
namespace {

using detail::SequencePlan;

// A [steps, batch, channels] array with the channel dimension contiguous.
template <typename T>
struct Strided {
    T* base = nullptr;
    int64_t stride_t = 0, stride_n = 0;
    T* at(int64_t t, int64_t n) const { return base + t * stride_t + n * stride_n; }
    Strided channels_from(int64_t c) const { return {base + c, stride_t, stride_n}; }
};

template <typename T>
Strided<T> sequence_view(T* base, SequenceLayout layout, int64_t steps, int64_t batch, int64_t channels) {
    if (layout == SequenceLayout::batch_first) return {base, channels, steps * channels};
    return {base, batch * channels, channels};
}

// The per-call buffers, carved from the calling thread's workspace. Sized for the worst case of the
// call's shape (not its lengths), so a repeated shape never grows the workspace.
struct CallBuffers {
    SequencePlan plan;
    float* x_sorted = nullptr;          // [T, N, I] input rows in plan order (only when lengths are given)
    float* sequence[2] = {nullptr, nullptr}; // [T, N, D*H_out] layer outputs, ping-pong between layers
    float* h[2] = {nullptr, nullptr};   // [N, H_out] state ping-pong between step ranges
    float* c[2] = {nullptr, nullptr};   // [N, H] (LSTM)
    const float* zeros = nullptr;       // [N, max(H, H_out)] zeros: the initial state when none is given
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

} // namespace

struct PackedRnn::Impl {
    Impl(const RnnConfig& c, const EngineOptions& o) : config(c), options(o), primitives(o.primitive_cache_capacity) {}

    RnnConfig config;
    EngineOptions options;
    std::vector<std::unique_ptr<detail::LayerPack>> weights; // [layer * D + direction]
    mutable detail::LruCache<detail::PrimitiveKey, detail::StepKernel, detail::PrimitiveKeyHash> primitives;

    void run(const SequenceInput& in, const SequenceOutput& out) const;

private:
    // The state arrays of one (layer, direction): user h0/c0 slices (nullable) and h_n/c_n slices (nullable).
    struct StateSlices {
        const float* h0;
        const float* c0;
        float* hn;
        float* cn;
    };
    void run_direction(int64_t layer, int64_t direction, const SequencePlan& plan, Strided<const float> src,
            Strided<float> dst, const StateSlices& state, CallBuffers& buffers) const;
};

void PackedRnn::Impl::run(const SequenceInput& in, const SequenceOutput& out) const {
    const int64_t T = in.seq_len, N = in.batch, I = config.input_size;
    const int64_t H = config.hidden_size, O = config.output_size(), L = config.num_layers;
    const int64_t D = config.num_directions(), DO = D * O;
    const bool lstm = config.mode == Mode::LSTM;
    const bool may_reorder = in.lengths != nullptr;
    // Layers above the first read the one below from a buffer; the last layer writes the user's output
    // in place unless rows need reordering (or the caller wants no output at all).
    const bool final_in_buffer = may_reorder || out.output == nullptr;
    const int sequence_buffers = L > 1 ? 2 : (final_in_buffer ? 1 : 0);

    auto carve = [&](detail::BufferCarver& carver) {
        CallBuffers b;
        b.plan = detail::make_sequence_plan(T, N, in.lengths, carver);
        if (may_reorder) b.x_sorted = carver.take<float>(T * N * I);
        for (int i = 0; i < sequence_buffers; ++i) b.sequence[i] = carver.take<float>(T * N * DO);
        for (float*& s : b.h) s = carver.take<float>(N * O);
        if (lstm)
            for (float*& s : b.c) s = carver.take<float>(N * H);
        return b;
    };
    detail::BufferCarver measure;
    carve(measure);
    detail::BufferCarver carver(detail::Workspace::for_this_thread().data(measure.bytes_used()));
    CallBuffers buffers = carve(carver);
    buffers.zeros = detail::Workspace::for_this_thread().zeros(static_cast<size_t>(N * std::max(H, O)));
    const SequencePlan& plan = buffers.plan;

    Strided<const float> src = sequence_view(in.input, in.layout, T, N, I);
    if (!plan.sorted) { // the plan's row order differs from the caller's: gather the input once
        Strided<const float> sorted{buffers.x_sorted, N * I, I};
        for (int64_t b = 0; b < N; ++b)
            for (int64_t t = 0; t < plan.length[b]; ++t)
                std::memcpy(buffers.x_sorted + t * N * I + b * I, src.at(t, plan.order[b]),
                            static_cast<size_t>(I) * sizeof(float));
        src = sorted;
    }

    const Strided<float> user_out = sequence_view(out.output, in.layout, T, N, DO);
    const bool direct_out = plan.sorted && out.output;
    const int64_t h_stride = N * O, c_stride = N * H;
    Strided<float> dst;
    for (int64_t l = 0; l < L; ++l) {
        dst = (l == L - 1 && direct_out) ? user_out : Strided<float>{buffers.sequence[l % 2], N * DO, DO};
        for (int64_t d = 0; d < D; ++d) {
            const int64_t s = l * D + d;
            const StateSlices state{in.h0 ? in.h0 + s * h_stride : nullptr, in.c0 ? in.c0 + s * c_stride : nullptr,
                                    out.h_n ? out.h_n + s * h_stride : nullptr, out.c_n ? out.c_n + s * c_stride : nullptr};
            run_direction(l, d, plan, src, dst.channels_from(d * O), state, buffers);
        }
        src = {dst.base, dst.stride_t, dst.stride_n};
    }

    if (!out.output) return;
    // PackedSequence semantics: rows past a sequence's length are zero.
    const size_t row_bytes = static_cast<size_t>(DO) * sizeof(float);
    for (int64_t b = 0; b < N; ++b) {
        const int64_t n = plan.order[b];
        if (!direct_out)
            for (int64_t t = 0; t < plan.length[b]; ++t) std::memcpy(user_out.at(t, n), dst.at(t, b), row_bytes);
        for (int64_t t = plan.length[b]; t < T; ++t) std::memset(user_out.at(t, n), 0, row_bytes);
    }
}

void PackedRnn::Impl::run_direction(int64_t layer, int64_t direction, const SequencePlan& plan,
        Strided<const float> src, Strided<float> dst, const StateSlices& state, CallBuffers& buffers) const {
    const bool lstm = config.mode == Mode::LSTM, reverse = direction == 1;
    const int64_t O = config.output_size(), H = config.hidden_size, N = plan.batch, k = plan.num_ranges;
    const detail::LayerPack& layer_weights = *weights[layer * config.num_directions() + direction];
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

    detail::PrimitiveKey key;
    key.mode = static_cast<int32_t>(config.mode);
    key.direction = static_cast<int32_t>(reverse ? detail::Direction::right_to_left : detail::Direction::left_to_right);
    key.weights_format = static_cast<int32_t>(options.weights_format);
    key.threads = detail::backend_max_threads();
    key.src_channels = config.layer_input_size(layer);
    key.hidden = H;
    key.proj = config.proj_size;
    key.src_stride_t = src.stride_t;
    key.src_stride_n = src.stride_n;
    key.dst_stride_t = dst.stride_t;
    key.dst_stride_n = dst.stride_n;

    int cur = 0;
    for (int64_t i = 0; i < k; ++i) {
        const int64_t j = reverse ? k - 1 - i : i;
        const int64_t t0 = plan.range_begin(j);
        const bool first = i == 0, last = i == k - 1;
        key.steps = plan.range_end[j] - t0;
        key.batch = plan.batch_of(j);

        // The last execution writes h_n/c_n in place when rows keep their order.
        detail::RnnCallArgs args;
        args.src_layer = src.at(t0, 0);
        args.dst_layer = dst.at(t0, 0);
        args.src_iter = first && state_in_place ? h0 : buffers.h[cur];
        args.dst_iter = last && plan.sorted && state.hn ? state.hn : buffers.h[1 - cur];
        if (lstm) {
            args.src_iter_c = first && state_in_place ? c0 : buffers.c[cur];
            args.dst_iter_c = last && plan.sorted && state.cn ? state.cn : buffers.c[1 - cur];
        }
        const auto kernel = primitives.get_or_create(key, [&]() -> std::shared_ptr<const detail::StepKernel> {
            if (options.weights_format == WeightsFormat::automatic)
                return detail::tune_kernel(key, args, layer_weights, workspace);
            return detail::make_step_kernel(key);
        });
        kernel->execute(args, layer_weights, workspace);
        cur = 1 - cur;

        // Rows whose sequences ended in this range: all rows at the end of the reverse direction, rows
        // [batch_of(j + 1), batch_of(j)) in the forward direction.
        const int64_t done_from = reverse ? (last ? 0 : N) : plan.batch_of(j + 1);
        const int64_t done_to = reverse ? N : key.batch;
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
    const int64_t D = config.num_directions();
    impl->weights.reserve(weights.size());
    for (std::size_t k = 0; k < weights.size(); ++k) {
        const int64_t layer = static_cast<int64_t>(k) / D;
        impl->weights.push_back(std::make_unique<detail::LayerPack>(
                std::make_unique<detail::LayerWeightsMemory>(config, layer, detail::to_onednn_plain(config, layer, weights[k])),
                std::make_unique<detail::FusedWeights>(config, layer)));
    }
    return std::shared_ptr<const PackedRnn>(new PackedRnn(std::move(impl)));
}

const RnnConfig& PackedRnn::config() const { return impl_->config; }
const EngineOptions& PackedRnn::options() const { return impl_->options; }
std::size_t PackedRnn::cached_primitive_count() const { return impl_->primitives.size(); }

void PackedRnn::forward(const SequenceInput& input, const SequenceOutput& output) const {
    detail::check_forward_args(impl_->config, input, output);
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

} // namespace mkldnn_rnn
