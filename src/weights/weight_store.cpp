// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
#include "weights/weight_store.hpp"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace mkldnn_rnn::detail {

namespace {

// An int8 matrix quantized per row from fp32 (reduced_weights.hpp), in torch.nn's layout.
struct QuantizedMatrix {
    QuantizedMatrix(const float* w, int64_t rows, int64_t cols)
        : values(static_cast<std::size_t>(w ? rows * cols : 0)), scales(static_cast<std::size_t>(w ? rows : 0)) {
        if (w) quantize_rows(w, rows, cols, values.data(), scales.data());
    }
    Int8Matrix view() const { return {values.data(), scales.data()}; }
    std::vector<int8_t> values;
    std::vector<float> scales;
};

} // namespace

void WeightStore::keep_biases(const float* bias_ih, const float* bias_hh) {
    if (!bias_ih) return;
    bias_ih_.assign(bias_ih, bias_ih + dims_.G * dims_.H);
    bias_hh_.assign(bias_hh, bias_hh + dims_.G * dims_.H);
}

WeightStore::WeightStore(const LayerDims& dims, const LayerWeights& weights, Layout initial, Precision precision)
    : dims_(dims), precision_(precision) {
    keep_biases(weights.bias_ih, weights.bias_hh);
    if (precision == Precision::bf16) {
        reduced_ = std::make_unique<const ReducedWeights>(bf16_from_torch(dims, weights));
        return;
    }
    if (precision == Precision::int8) {
        const QuantizedMatrix ih(weights.weight_ih, dims.G * dims.H, dims.C), hh(weights.weight_hh, dims.G * dims.H, dims.O);
        const QuantizedMatrix hr(dims.P > 0 ? weights.weight_hr : nullptr, dims.P, dims.H);
        Int8LayerWeights q;
        q.weight_ih = ih.view();
        q.weight_hh = hh.view();
        q.weight_hr = hr.view();
        q.bias_ih = weights.bias_ih;
        q.bias_hh = weights.bias_hh;
        reduced_ = std::make_unique<const ReducedWeights>(int8_from_torch(dims, q));
        return;
    }
    auto plain = std::make_shared<const PlainWeights>(plain_from_torch(dims, weights));
    if (initial == Layout::blocked) blocked_ = std::make_shared<const BlockedWeights>(blocked_from_plain(dims, *plain));
    else plain_ = std::move(plain);
}

WeightStore::WeightStore(const LayerDims& dims, const Int8LayerWeights& weights)
    : dims_(dims), precision_(Precision::int8), reduced_(std::make_unique<const ReducedWeights>(int8_from_torch(dims, weights))) {
    keep_biases(weights.bias_ih, weights.bias_hh);
}

std::shared_ptr<const PlainWeights> WeightStore::plain() const {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!plain_) plain_ = std::make_shared<const PlainWeights>(plain_from_blocked(dims_, *blocked_));
    return plain_;
}

std::shared_ptr<const BlockedWeights> WeightStore::blocked() const {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!blocked_) blocked_ = std::make_shared<const BlockedWeights>(blocked_from_plain(dims_, *plain_));
    return blocked_;
}

bool WeightStore::resident(Layout layout) const {
    std::lock_guard<std::mutex> lock(mutex_);
    return layout == Layout::plain ? plain_ != nullptr : blocked_ != nullptr;
}

void WeightStore::retain(bool plain, bool blocked) const {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!plain && blocked_) plain_.reset();
    if (!blocked && plain_) blocked_.reset();
}

std::size_t WeightStore::bytes() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return (plain_ ? plain_->bytes() : 0) + (blocked_ ? blocked_->bytes() : 0) + (reduced_ ? reduced_->bytes() : 0)
            + (bias_ih_.size() + bias_hh_.size()) * sizeof(float);
}

void WeightStore::torch_weights(const MutableLayerWeights& out) const {
    if (reduced_) torch_matrices_from_reduced(dims_, *reduced_, out);
    else torch_fp32_matrices(out);
    if (out.bias_ih) std::copy(bias_ih_.begin(), bias_ih_.end(), out.bias_ih);
    if (out.bias_hh) std::copy(bias_hh_.begin(), bias_hh_.end(), out.bias_hh);
}

void WeightStore::int8_weights(const MutableInt8LayerWeights& out) const {
    int8_matrices_from_reduced(dims_, *reduced_, out);
    if (out.bias_ih) std::copy(bias_ih_.begin(), bias_ih_.end(), out.bias_ih);
    if (out.bias_hh) std::copy(bias_hh_.begin(), bias_hh_.end(), out.bias_hh);
}

void WeightStore::torch_fp32_matrices(const MutableLayerWeights& out) const {
    std::shared_ptr<const PlainWeights> copy;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        copy = plain_;
    }
    // From the blocked copy without keeping a plain one: a state_dict() must not grow the model.
    const PlainWeights rebuilt = copy ? PlainWeights{} : plain_from_blocked(dims_, *blocked());
    torch_matrices_from_plain(dims_, copy ? *copy : rebuilt, out);
}

} // namespace mkldnn_rnn::detail
