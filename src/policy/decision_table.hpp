// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// Which implementation runs each shape class: the one place that answers "why was this chosen".
//
// A shape class is (layer, direction, batch rounded up to a power of two, threads): what changes the
// winner between the fused kernel and oneDNN (the sizes are the layer's own). Sequence length and the
// lengths pattern are not part of it: both kernels take them at call time, so a class is decided once
// (decide.hpp) and every length of it runs on that decision. Lookups are on every kernel execution,
// under a shared lock and without allocation; a decision is written once per class.
#pragma once

#include <cstddef>
#include <cstdint>
#include <shared_mutex>
#include <vector>

#include "mkldnn_rnn/packed_rnn.hpp"

namespace mkldnn_rnn::detail {

// The power of two a batch's class is named by: batches in (class / 2, class].
int64_t batch_class(int64_t batch);

class DecisionTable {
public:
    // Classes kept; past it the oldest decision is dropped (and made again if its class returns). A
    // model has layers x directions x ~log2(batch) x thread counts classes: far fewer in practice.
    static constexpr std::size_t kCapacity = 4096;

    // The implementation decided for the class, or false.
    bool find(int64_t layer, int64_t direction, int64_t batch_class, int64_t threads, WeightsFormat* out) const;
    // Records a decision; an existing one for the same class wins (two threads may decide at once).
    void record(const Decision& decision);
    std::vector<Decision> all() const;
    // Whether any decision of (layer, direction) runs on the given implementation.
    bool uses(int64_t layer, int64_t direction, WeightsFormat implementation) const;

private:
    mutable std::shared_mutex mutex_;
    std::vector<Decision> decisions_;
};

} // namespace mkldnn_rnn::detail
