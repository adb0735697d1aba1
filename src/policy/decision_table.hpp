// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// The decisions made so far: which implementation runs each shape class.
//
// A shape class is (layer, direction, batch rounded up to a power of two, threads): what changes the
// winner between the fused kernel and oneDNN (the sizes are the layer's own). Sequence length and the
// lengths pattern are not part of it: both kernels take them at call time, so a class is decided once
// (ladder.hpp) and every length of it runs on that decision. Lookups are on every kernel execution: a
// hash lookup under a shared lock, without allocation; a decision is written once per class.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

#include "mkldnn_rnn/types.hpp"

namespace mkldnn_rnn::detail {

// The power of two a batch's class is named by: batches in (class / 2, class].
int64_t batch_class(int64_t batch);

// What a class runs: its implementation with run_threads threads (Decision's, without the strings that
// the hot path must not copy).
struct Choice {
    WeightsFormat implementation = WeightsFormat::plain_ldigo;
    int run_threads = 1;
};

struct ShapeClass {
    int64_t layer = 0, direction = 0, batch_class = 0, threads = 0;
    bool operator==(const ShapeClass& o) const {
        return layer == o.layer && direction == o.direction && batch_class == o.batch_class && threads == o.threads;
    }
};

ShapeClass class_of(const Decision& decision);

class DecisionTable {
public:
    // Classes kept; past it the oldest decision is dropped (and made again if its class returns). A
    // model has layers x directions x ~log2(batch) x thread counts classes: far fewer in practice.
    static constexpr std::size_t kCapacity = 4096;

    // What was decided for the class, or false.
    bool find(const ShapeClass& cls, Choice* out) const;
    // Records a decision; an existing one for the same class wins (two threads may decide at once).
    void record(const Decision& decision);
    // Every decision, in (layer, direction, threads, batch_class) order.
    std::vector<Decision> all() const;
    // Whether any decision of (layer, direction) runs on the given implementation.
    bool uses(int64_t layer, int64_t direction, WeightsFormat implementation) const;

private:
    struct Hash {
        std::size_t operator()(const ShapeClass& c) const {
            return static_cast<std::size_t>(((c.layer * 2 + c.direction) * 1000003 + c.batch_class) * 8191 + c.threads);
        }
    };
    mutable std::shared_mutex mutex_;
    std::unordered_map<ShapeClass, Decision, Hash> decisions_;
    std::deque<ShapeClass> order_; // oldest first, for eviction
};

} // namespace mkldnn_rnn::detail
