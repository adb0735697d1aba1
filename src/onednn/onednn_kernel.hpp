// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// One (layer, direction) on oneDNN's RNN primitives, at any steps, batch and strides, from a bounded set
// of primitives.
//
// A oneDNN primitive is made for exact dims, and making one costs milliseconds. So this kernel never
// makes one per sequence length or per batch seen: it runs a range of T steps as chunks of 64 steps
// and then the binary digits of the rest (32, 16, ..., 1), carrying h (and c) from chunk to chunk, and
// it pads the batch up to one of four sizes per octave (at most 25 % of extra rows, which are computed
// on zeros and dropped). Each chunk's rows are copied into a dense staging buffer and its results out of
// it: the copies are O(steps * batch * channels), the primitive's work O(steps * batch * channels *
// gates * hidden). A class of batches therefore needs at most 7 primitives per padded batch size and
// thread count, whatever lengths it is called with.
#pragma once

#include <cstddef>
#include <cstdint>

#include "util/lru_cache.hpp"
#include "onednn/backend.hpp"
#include "engine/step_kernel.hpp"
#include "weights/weight_store.hpp"

namespace mkldnn_rnn::detail {

// The batch a primitive runs a batch of `batch` rows with: exact up to 4, then rounded up to a quarter
// of its highest power of two (5, 6, 7, 8, 10, 12, 14, 16, 20, ...).
int64_t padded_batch(int64_t batch);

// Steps of the longest chunk; the others are its halves down to 1 (7 lengths in all).
constexpr int64_t kMaxChunkSteps = 64;

class OnednnKernel final : public StepKernel {
public:
    OnednnKernel(const WeightStore& weights, bool reverse, bool plain_weights, std::size_t cache_capacity);
    void execute(const StepShape& shape, const RnnCallArgs& args, Workspace& workspace) const override;
    void prepare(int64_t min_batch, int64_t max_batch, int threads) const override;
    void release() const override;
    std::size_t cached_primitives() const override { return primitives_.size(); }
    // Bytes of the weights reordered into oneDNN's preferred layouts (onednn_preferred only).
    std::size_t reordered_weight_bytes() const { return preferred_.bytes(); }

private:
    struct Key {
        int64_t steps, batch;
        int64_t threads;
        bool operator==(const Key& o) const { return steps == o.steps && batch == o.batch && threads == o.threads; }
    };
    struct KeyHash {
        std::size_t operator()(const Key& k) const {
            return static_cast<std::size_t>((k.steps * 1000003 + k.batch) * 131 + k.threads);
        }
    };
    std::shared_ptr<const RnnPrimitive> primitive(int64_t steps, int64_t batch, int threads) const;
    WeightPointers weights_for(const RnnPrimitive& primitive, const PlainWeights& plain) const;

    const WeightStore& weights_;
    const bool reverse_, plain_weights_;
    mutable LruCache<Key, RnnPrimitive, KeyHash> primitives_;
    mutable PreferredLayouts preferred_; // onednn_preferred only
};

} // namespace mkldnn_rnn::detail
