// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
#include "policy/decision_table.hpp"

#include <algorithm>
#include <mutex>
#include <tuple>

namespace mkldnn_rnn::detail {

int64_t batch_class(int64_t batch) {
    int64_t c = 1;
    while (c < batch) c *= 2;
    return c;
}

ShapeClass class_of(const Decision& d) { return {d.layer, d.direction, d.batch_class, d.threads}; }

bool DecisionTable::find(const ShapeClass& cls, Choice* out) const {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    const auto it = decisions_.find(cls);
    if (it == decisions_.end()) return false;
    const Decision& d = it->second;
    out->implementation = d.implementation;
    out->run_threads = static_cast<int>(d.run_threads > 0 ? d.run_threads : d.threads);
    return true;
}

void DecisionTable::record(const Decision& decision) {
    const ShapeClass cls = class_of(decision);
    std::unique_lock<std::shared_mutex> lock(mutex_);
    if (decisions_.count(cls)) return;
    if (decisions_.size() == kCapacity) {
        decisions_.erase(order_.front());
        order_.pop_front();
    }
    decisions_.emplace(cls, decision);
    order_.push_back(cls);
}

std::vector<Decision> DecisionTable::all() const {
    std::vector<Decision> out;
    {
        std::shared_lock<std::shared_mutex> lock(mutex_);
        out.reserve(decisions_.size());
        for (const auto& entry : decisions_) out.push_back(entry.second);
    }
    std::sort(out.begin(), out.end(), [](const Decision& a, const Decision& b) {
        return std::tie(a.layer, a.direction, a.threads, a.batch_class) < std::tie(b.layer, b.direction, b.threads, b.batch_class);
    });
    return out;
}

bool DecisionTable::uses(int64_t layer, int64_t direction, WeightsFormat implementation) const {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    return std::any_of(decisions_.begin(), decisions_.end(), [&](const auto& entry) {
        const Decision& d = entry.second;
        return d.layer == layer && d.direction == direction && d.implementation == implementation;
    });
}

} // namespace mkldnn_rnn::detail
