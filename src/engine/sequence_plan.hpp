// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// How a batch of variable-length sequences runs on oneDNN, which has no notion of lengths.
//
// Rows are sorted by decreasing length (stably), so at every time step the active sequences are a
// prefix of the batch. The time axis is cut wherever that prefix changes: with k distinct lengths
// u_1 < ... < u_k there are k ranges [u_{j-1}, u_j), range j running on the first batch[j] rows. The
// forward direction runs the ranges in order with a shrinking batch, exactly as PyTorch's packed path
// does; the reverse direction runs them backwards with a growing batch, each sequence joining, from its
// initial state, at its own last step. A batch costs k primitive executions per layer and direction,
// never one per sequence.
//
// A PackedSequence is already in that order: its batch_sizes are the ranges' batches, step by step, and
// its rows are the active prefix of each step one after the other, so a range's rows are a strided
// [steps, batch, channels] block starting at row row_begin[j] (make_packed_plan).
#pragma once

#include <cstdint>

#include "util/workspace.hpp"

namespace mkldnn_rnn::detail {

struct SequencePlan {
    int64_t batch = 0;
    bool sorted = true;             // order is the identity: no gather/scatter needed
    const int64_t* order = nullptr; // order[b]: original batch index of sorted row b
    const int64_t* length = nullptr;// length of sorted row b
    int64_t num_ranges = 0;
    const int64_t* range_end = nullptr;   // range j covers [range_begin(j), range_end[j])
    const int64_t* range_batch = nullptr; // rows active in range j, non-increasing in j
    const int64_t* row_begin = nullptr;   // packed rows before range j: sum of its earlier steps' batches

    int64_t range_begin(int64_t j) const { return j == 0 ? 0 : range_end[j - 1]; }
    // Rows active in range j; 0 past the last range, so rows [batch_of(j+1), batch_of(j)) end in range j.
    int64_t batch_of(int64_t j) const { return j < num_ranges ? range_batch[j] : 0; }
    int64_t max_length() const { return range_end[num_ranges - 1]; }
};

// Carves the plan's arrays from `carver` (measure with a null base first, like every workspace user).
// lengths == nullptr means every sequence has length steps. Lengths must already be validated.
SequencePlan make_sequence_plan(int64_t steps, int64_t batch, const int64_t* lengths, BufferCarver& carver);

// The plan of a PackedSequence: batch_sizes[t] active rows at step t (validated: positive,
// non-increasing). Rows keep their order (sorted).
SequencePlan make_packed_plan(int64_t steps, const int64_t* batch_sizes, BufferCarver& carver);

} // namespace mkldnn_rnn::detail
