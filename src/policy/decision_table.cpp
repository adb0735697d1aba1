// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
#include "policy/decision_table.hpp"

#include <algorithm>
#include <mutex>
#include <tuple>

namespace mkldnn_rnn::detail {
namespace {
bool same_class(const Decision& d, int64_t layer, int64_t direction, int64_t batch_class, int64_t threads) {
    return d.layer == layer && d.direction == direction && d.batch_class == batch_class && d.threads == threads;
}
} // namespace

int64_t batch_class(int64_t batch) {
    int64_t c = 1;
    while (c < batch) c *= 2;
    return c;
}

bool DecisionTable::find(int64_t layer, int64_t direction, int64_t batch_class, int64_t threads,
        WeightsFormat* out) const {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    for (const Decision& d : decisions_)
        if (same_class(d, layer, direction, batch_class, threads)) {
            *out = d.implementation;
            return true;
        }
    return false;
}

void DecisionTable::record(const Decision& decision) {
    std::unique_lock<std::shared_mutex> lock(mutex_);
    for (const Decision& d : decisions_)
        if (same_class(d, decision.layer, decision.direction, decision.batch_class, decision.threads)) return;
    if (decisions_.size() == kCapacity) decisions_.erase(decisions_.begin());
    decisions_.push_back(decision);
}

std::vector<Decision> DecisionTable::all() const {
    std::vector<Decision> out;
    {
        std::shared_lock<std::shared_mutex> lock(mutex_);
        out = decisions_;
    }
    std::sort(out.begin(), out.end(), [](const Decision& a, const Decision& b) {
        return std::tie(a.layer, a.direction, a.threads, a.batch_class) < std::tie(b.layer, b.direction, b.threads, b.batch_class);
    });
    return out;
}

bool DecisionTable::uses(int64_t layer, int64_t direction, WeightsFormat implementation) const {
    std::shared_lock<std::shared_mutex> lock(mutex_);
    return std::any_of(decisions_.begin(), decisions_.end(), [&](const Decision& d) {
        return d.layer == layer && d.direction == direction && d.implementation == implementation;
    });
}

} // namespace mkldnn_rnn::detail
