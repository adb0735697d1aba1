// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// One (layer, direction)'s weights, held in the layouts the chosen kernels read and no others.
//
// A model is packed into one layout (pack() picks the one its implementation reads: blocked where the
// fused kernel can run, plain otherwise); the other is made from it on first need, exactly, and dropped
// again when no decision uses it (retain()). The last copy is never dropped: torch.nn's weights are
// rebuilt from it (torch_weights()), beside torch.nn's two bias vectors, which are kept because
// packing sums them. Kernels take a shared reference to a copy for the length of one execution, so a
// copy dropped by one thread stays valid for another still running on it.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "weight_packing.hpp"

namespace mkldnn_rnn::detail {

enum class Layout { plain, blocked };

class WeightStore {
public:
    WeightStore(const LayerDims& dims, const LayerWeights& weights, Layout initial);

    const LayerDims& dims() const { return dims_; }
    // The copy in each layout, made from the other on first need. No allocation when it is resident.
    std::shared_ptr<const PlainWeights> plain() const;
    std::shared_ptr<const BlockedWeights> blocked() const;
    bool resident(Layout layout) const;
    // Drops the copies whose layout is not wanted; keeps one whatever is asked.
    void retain(bool plain, bool blocked) const;
    // Bytes of the resident copies and the kept biases.
    std::size_t bytes() const;
    // torch.nn's tensors of this (layer, direction), in its layouts (see PackedRnn::torch_weights).
    void torch_weights(const MutableLayerWeights& out) const;

private:
    LayerDims dims_;
    std::vector<float> bias_ih_, bias_hh_; // torch.nn's, [G*H] each; empty without bias
    mutable std::mutex mutex_;
    mutable std::shared_ptr<const PlainWeights> plain_;
    mutable std::shared_ptr<const BlockedWeights> blocked_;
};

} // namespace mkldnn_rnn::detail
