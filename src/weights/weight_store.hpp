// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// One (layer, direction)'s weights, held in the layouts the chosen kernels read and no others.
//
// A bf16 or int8 model holds its one reduced copy (reduced_weights.hpp), which only the fused kernel
// reads. An fp32 model is packed into one layout (pack() picks the one its implementation reads: blocked where the
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

#include "weights/reduced_weights.hpp"
#include "weights/layouts.hpp"

namespace mkldnn_rnn::detail {

enum class Layout { plain, blocked };

class WeightStore {
public:
    // fp32 in `initial`'s layout, or bf16 / int8 rounded and quantized from fp32.
    WeightStore(const LayerDims& dims, const LayerWeights& weights, Layout initial, Precision precision);
    // int8 as given.
    WeightStore(const LayerDims& dims, const Int8LayerWeights& weights);

    const LayerDims& dims() const { return dims_; }
    Precision precision() const { return precision_; }
    // A bf16 or int8 model's copy.
    const ReducedWeights& reduced() const { return *reduced_; }
    // An fp32 model's copy in each layout, made from the other on first need. No allocation when it is
    // resident.
    std::shared_ptr<const PlainWeights> plain() const;
    std::shared_ptr<const BlockedWeights> blocked() const;
    bool resident(Layout layout) const;
    // Drops the copies whose layout is not wanted; keeps one whatever is asked.
    void retain(bool plain, bool blocked) const;
    // Bytes of the resident copies and the kept biases.
    std::size_t bytes() const;
    // torch.nn's tensors of this (layer, direction), in its layouts (see PackedRnn::torch_weights).
    void torch_weights(const MutableLayerWeights& out) const;
    // An int8 model's matrices and biases exactly.
    void int8_weights(const MutableInt8LayerWeights& out) const;

private:
    void keep_biases(const float* bias_ih, const float* bias_hh);
    void torch_fp32_matrices(const MutableLayerWeights& out) const;

    LayerDims dims_;
    Precision precision_ = Precision::fp32;
    std::unique_ptr<const ReducedWeights> reduced_; // bf16 and int8 only
    std::vector<float> bias_ih_, bias_hh_; // torch.nn's, [G*H] each; empty without bias
    mutable std::mutex mutex_;
    mutable std::shared_ptr<const PlainWeights> plain_;
    mutable std::shared_ptr<const BlockedWeights> blocked_;
};

} // namespace mkldnn_rnn::detail
