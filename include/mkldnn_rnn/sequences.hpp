// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// The inputs and outputs of a forward pass: padded batches, PackedSequences and single cell steps.
#pragma once

#include <cstdint>

namespace mkldnn_rnn {

// Layout of a sequence tensor: time-major [T, N, C] or batch-first [N, T, C].
enum class SequenceLayout { time_major, batch_first };

// A batch of sequences. All arrays are contiguous fp32 (lengths: int64) and must not overlap outputs.
// L = num_layers, D = num_directions, H_out = config.output_size(), I = config.input_size.
struct SequenceInput {
    const float* input = nullptr;   // [T, N, I] or [N, T, I], see layout
    int64_t seq_len = 0;            // T >= 1
    int64_t batch = 0;              // N >= 1
    SequenceLayout layout = SequenceLayout::time_major;
    const float* h0 = nullptr;      // [L*D, N, H_out]; nullptr means zeros
    const float* c0 = nullptr;      // [L*D, N, H] (LSTM only); nullptr means zeros
    // Optional [N] valid lengths, each in [1, T], in any order: PackedSequence semantics. Output rows
    // at t >= lengths[n] are zero; h_n/c_n hold each sequence's state at its own last step; the
    // reverse direction starts at each sequence's own last step. nullptr means every length is T.
    const int64_t* lengths = nullptr;
};

// Destinations of a forward pass. Any of them may be nullptr when the caller does not need it.
struct SequenceOutput {
    float* output = nullptr; // [T, N, D*H_out] or [N, T, D*H_out], same layout as the input
    float* h_n = nullptr;    // [L*D, N, H_out]
    float* c_n = nullptr;    // [L*D, N, H] (LSTM only)
};

// A torch.nn.utils.rnn.PackedSequence: the rows of every step one after the other, step t holding
// batch_sizes[t] rows (the sequences still running, longest first). Contiguous fp32; batch_sizes int64.
struct PackedSequenceInput {
    const float* input = nullptr;         // [sum(batch_sizes), I]
    const int64_t* batch_sizes = nullptr; // [seq_len], positive, non-increasing
    int64_t seq_len = 0;                  // T >= 1: the longest sequence
    const float* h0 = nullptr;            // [L*D, batch_sizes[0], H_out], rows in the packed (sorted) order
    const float* c0 = nullptr;            // [L*D, batch_sizes[0], H] (LSTM only)
};
// Its output is packed the same way: output [sum(batch_sizes), D*H_out]; h_n and c_n as for SequenceOutput
// with N = batch_sizes[0], each sequence's state at its own last step.

// One step of an LSTMCell / GRUCell / RNNCell (a model with num_layers 1, unidirectional, no projection).
struct CellInput {
    const float* input = nullptr; // [N, I]
    int64_t batch = 0;            // N >= 1
    const float* hx = nullptr;    // [N, H]; nullptr means zeros
    const float* cx = nullptr;    // [N, H] (LSTM only); nullptr means zeros
};

struct CellOutput {
    float* h = nullptr; // [N, H], required
    float* c = nullptr; // [N, H], LSTM only (required for LSTM, nullptr otherwise)
};

} // namespace mkldnn_rnn
