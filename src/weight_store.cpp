// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
#include "weight_store.hpp"

#include <algorithm>

namespace mkldnn_rnn::detail {

WeightStore::WeightStore(const LayerDims& dims, const LayerWeights& weights, Layout initial) : dims_(dims) {
    if (weights.bias_ih) {
        bias_ih_.assign(weights.bias_ih, weights.bias_ih + dims.G * dims.H);
        bias_hh_.assign(weights.bias_hh, weights.bias_hh + dims.G * dims.H);
    }
    auto plain = std::make_shared<const PlainWeights>(plain_from_torch(dims, weights));
    if (initial == Layout::blocked) blocked_ = std::make_shared<const BlockedWeights>(blocked_from_plain(dims, *plain));
    else plain_ = std::move(plain);
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
    return (plain_ ? plain_->bytes() : 0) + (blocked_ ? blocked_->bytes() : 0)
            + (bias_ih_.size() + bias_hh_.size()) * sizeof(float);
}

void WeightStore::torch_weights(const MutableLayerWeights& out) const {
    std::shared_ptr<const PlainWeights> copy;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        copy = plain_;
    }
    // From the blocked copy without keeping a plain one: a state_dict() must not grow the model.
    const PlainWeights rebuilt = copy ? PlainWeights{} : plain_from_blocked(dims_, *blocked());
    torch_matrices_from_plain(dims_, copy ? *copy : rebuilt, out);
    if (out.bias_ih) std::copy(bias_ih_.begin(), bias_ih_.end(), out.bias_ih);
    if (out.bias_hh) std::copy(bias_hh_.begin(), bias_hh_.end(), out.bias_hh);
}

} // namespace mkldnn_rnn::detail
