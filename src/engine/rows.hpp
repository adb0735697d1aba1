// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// Where one forward call's rows live: the caller's sequences (padded or packed), the per-call buffers
// carved from the thread's workspace, and each (layer, direction)'s slices of the states.
#pragma once

#include <cstdint>

#include "engine/sequence_plan.hpp"
#include "mkldnn_rnn/sequences.hpp"

namespace mkldnn_rnn::detail {

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

// The state arrays of one (layer, direction): user h0/c0 slices (nullable) and h_n/c_n slices (nullable).
struct StateSlices {
    const float* h0;
    const float* c0;
    float* hn;
    float* cn;
};

} // namespace mkldnn_rnn::detail
