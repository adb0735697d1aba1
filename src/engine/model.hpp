// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// A packed model (PackedRnn::Impl): one slot per (layer, direction) holding its weights and a kernel per
// implementation, and the decisions of which implementation runs each shape class. The forward pass
// over layers and directions is forward_pass.cpp; the checks of the public API are src/api/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "engine/rows.hpp"
#include "engine/step_kernel.hpp"
#include "fused/fused_kernel.hpp"
#include "mkldnn_rnn/packed_rnn.hpp"
#include "onednn/onednn_kernel.hpp"
#include "policy/decision_table.hpp"
#include "weights/weight_store.hpp"

namespace mkldnn_rnn::detail {

// The slot of (layer, direction): torch.nn's _flat_weights order, (layer 0, forward), (layer 0, reverse), ...
inline int64_t slot_index(const RnnConfig& config, int64_t layer, int64_t direction) {
    return layer * config.num_directions() + direction;
}

// One (layer, direction): its weights and a kernel per implementation (none holds anything until run).
struct LayerSlot {
    // Weights: LayerWeights (fp32, or bf16 / int8 made from it) or Int8LayerWeights.
    template <typename Weights, typename... Store>
    LayerSlot(const RnnConfig& config, int64_t layer, bool reverse, const Weights& weights, std::size_t cache_capacity,
              Store... store_args)
        : store(LayerDims(config, layer), weights, store_args...), plain(store, reverse, true, cache_capacity),
          preferred(store, reverse, false, cache_capacity), fused(store, reverse) {}

    // The kernel of a decided implementation (never `automatic`, which is not one).
    const StepKernel& kernel(WeightsFormat implementation) const;

    WeightStore store;
    OnednnKernel plain, preferred;
    FusedKernel fused;
};

} // namespace mkldnn_rnn::detail

namespace mkldnn_rnn {

struct PackedRnn::Impl {
    Impl(const RnnConfig& c, const EngineOptions& resolved) : config(c), options(resolved) {}

    RnnConfig config;
    EngineOptions options; // resolved (policy/ladder.hpp)
    std::vector<std::unique_ptr<detail::LayerSlot>> layers; // [slot_index(layer, direction)]
    mutable detail::DecisionTable decisions;                // written once per class by const forward calls

    const detail::LayerSlot& slot(int64_t layer, int64_t direction) const {
        return *layers[detail::slot_index(config, layer, direction)];
    }

    // A forward pass of a padded batch (SequenceInput) or of a PackedSequence (forward_pass.cpp).
    template <typename Input>
    void run(const Input& in, const SequenceOutput& out) const;

    // What runs (layer, direction)'s class of `shape` (implementation and threads), deciding it on its
    // first call.
    detail::Choice implementation(int64_t layer, int64_t direction, const detail::StepShape& shape,
            const detail::RnnCallArgs& args, detail::Workspace& workspace) const;
    // Records a decision, drops what no decision of its (layer, direction) runs on any more, logs it.
    void record(const Decision& d) const;
    // Decides and builds every class of batches up to max_batch at the calling thread's thread count.
    void tune(int64_t max_batch) const;
    void restore(const std::vector<Decision>& decisions) const;

private:
    void run_direction(int64_t layer, int64_t direction, const detail::SequencePlan& plan,
            detail::Rows<const float> src, detail::Rows<float> dst, const detail::StateSlices& state,
            detail::CallBuffers& buffers, int threads) const;
};

} // namespace mkldnn_rnn

namespace mkldnn_rnn::detail {

// A model packed from checked arguments (src/api/ checks them): its options resolved (policy/ladder.hpp),
// each slot's weights in the layout it will most likely run on.
std::unique_ptr<PackedRnn::Impl> make_model(const RnnConfig& config, const std::vector<LayerWeights>& weights,
        const EngineOptions& options);
std::unique_ptr<PackedRnn::Impl> make_int8_model(const RnnConfig& config, const std::vector<Int8LayerWeights>& weights,
        const EngineOptions& options);

} // namespace mkldnn_rnn::detail
