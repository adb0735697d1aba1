// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// The forward pass: runs each (layer, direction) as one step kernel execution per step range of the
// sequence plan (sequence_plan.hpp), chaining layers through per-thread workspace buffers. Each range's
// kernel is the one its shape class was decided for (policy/ladder.hpp); kernels take the range's dims
// at call time, so nothing here depends on whether a length was seen before.
#include <algorithm>
#include <cstring>
#include <numeric>
#include <type_traits>

#include "engine/model.hpp"
#include "engine/rows.hpp"
#include "engine/sequence_plan.hpp"
#include "onednn/backend.hpp"
#include "util/workspace.hpp"

namespace mkldnn_rnn {

using detail::CallBuffers;
using detail::Rows;
using detail::SequencePlan;
using detail::StateSlices;

namespace {

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
    struct EndCall { // last, after every use of the call's buffers: it may free them (util/workspace.hpp)
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
        src = detail::packed_rows(in.input, I);
        user_out = detail::packed_rows(out.output, DO);
    } else {
        src = detail::padded_rows(in.input, in.layout, T, N, I);
        user_out = detail::padded_rows(out.output, in.layout, T, N, DO);
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
        if (packed) return detail::packed_rows(base, DO);
        return Rows<float>{base, N * DO, DO, false};
    };
    Rows<float> dst;
    for (int64_t l = 0; l < L; ++l) {
        if (output_in_turn) dst = (L - 1 - l) % 2 == 0 ? user_out : buffer_rows(buffers.sequence[0]);
        else if (l == L - 1 && direct_out) dst = user_out;
        else dst = buffer_rows(buffers.sequence[l % 2]);
        for (int64_t d = 0; d < D; ++d) {
            const int64_t s = detail::slot_index(config, l, d);
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
    const detail::LayerSlot& slot = this->slot(layer, direction);
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
        const detail::Choice runs = implementation(layer, direction, shape, args, workspace);
        shape.threads = runs.run_threads; // the class is the caller's threads; it may run on fewer
        slot.kernel(runs.implementation).execute(shape, args, workspace);
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

template void PackedRnn::Impl::run<SequenceInput>(const SequenceInput&, const SequenceOutput&) const;
template void PackedRnn::Impl::run<PackedSequenceInput>(const PackedSequenceInput&, const SequenceOutput&) const;

} // namespace mkldnn_rnn
