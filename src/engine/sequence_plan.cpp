// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
#include "engine/sequence_plan.hpp"

namespace mkldnn_rnn::detail {
namespace {

// Hands the carved arrays to the plan, and counts the packed rows before each range.
void finish(SequencePlan& plan, const int64_t* order, const int64_t* length, int64_t num_ranges,
        const int64_t* range_end, const int64_t* range_batch, int64_t* row_begin) {
    plan.order = order;
    plan.length = length;
    plan.num_ranges = num_ranges;
    plan.range_end = range_end;
    plan.range_batch = range_batch;
    int64_t rows = 0;
    for (int64_t j = 0; j < plan.num_ranges; ++j) {
        row_begin[j] = rows;
        rows += (plan.range_end[j] - plan.range_begin(j)) * plan.range_batch[j];
    }
    plan.row_begin = row_begin;
}

} // namespace

SequencePlan make_sequence_plan(int64_t steps, int64_t batch, const int64_t* lengths, BufferCarver& carver) {
    int64_t* order = carver.take<int64_t>(batch);
    int64_t* length = carver.take<int64_t>(batch);
    int64_t* range_end = carver.take<int64_t>(batch);
    int64_t* range_batch = carver.take<int64_t>(batch);
    int64_t* row_begin = carver.take<int64_t>(batch);
    int64_t* next_slot = carver.take<int64_t>(steps + 2);
    SequencePlan plan;
    plan.batch = batch;
    if (!order) return plan; // measuring only

    // Stable counting sort by decreasing length: O(N + T), and no allocation (std::stable_sort has one).
    for (int64_t t = 0; t <= steps + 1; ++t) next_slot[t] = 0;
    for (int64_t n = 0; n < batch; ++n) ++next_slot[lengths ? lengths[n] : steps];
    int64_t slot = 0;
    for (int64_t len = steps; len >= 1; --len) {
        const int64_t count = next_slot[len];
        next_slot[len] = slot;
        slot += count;
    }
    for (int64_t n = 0; n < batch; ++n) {
        const int64_t len = lengths ? lengths[n] : steps;
        const int64_t b = next_slot[len]++;
        order[b] = n;
        length[b] = len;
        plan.sorted = plan.sorted && b == n;
    }

    // Ranges, shortest first: each distinct length closes one.
    int64_t k = 0;
    for (int64_t active = batch; active > 0;) {
        const int64_t u = length[active - 1];
        range_end[k] = u;
        range_batch[k] = active;
        ++k;
        while (active > 0 && length[active - 1] == u) --active;
    }
    finish(plan, order, length, k, range_end, range_batch, row_begin);
    return plan;
}

SequencePlan make_packed_plan(int64_t steps, const int64_t* batch_sizes, BufferCarver& carver) {
    const int64_t batch = batch_sizes[0];
    int64_t* order = carver.take<int64_t>(batch);
    int64_t* length = carver.take<int64_t>(batch);
    int64_t* range_end = carver.take<int64_t>(batch);
    int64_t* range_batch = carver.take<int64_t>(batch);
    int64_t* row_begin = carver.take<int64_t>(batch);
    SequencePlan plan;
    plan.batch = batch;
    if (!order) return plan; // measuring only

    int64_t k = 0;
    for (int64_t t = 0; t < steps; ++t) {
        const int64_t b = batch_sizes[t];
        if (t + 1 == steps || batch_sizes[t + 1] != b) { // rows [batch_sizes[t + 1], b) end after step t
            range_end[k] = t + 1;
            range_batch[k] = b;
            ++k;
            for (int64_t row = t + 1 < steps ? batch_sizes[t + 1] : 0; row < b; ++row) length[row] = t + 1;
        }
    }
    for (int64_t n = 0; n < batch; ++n) order[n] = n;
    finish(plan, order, length, k, range_end, range_batch, row_begin);
    return plan;
}

} // namespace mkldnn_rnn::detail
