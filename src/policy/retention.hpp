// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// What the decisions of one (layer, direction) keep: the copies of the weights and the oneDNN primitives
// some decision still runs on. Everything else is dropped when a decision is recorded, so that a model
// holds near one copy of its weights (weights/weight_store.hpp) whatever its classes were probed on.
#pragma once

#include <cstdint>

#include "policy/decision_table.hpp"

namespace mkldnn_rnn::detail {

struct Retention {
    bool plain_copy = false, blocked_copy = false; // WeightStore::retain keeps one copy whatever is asked
    bool plain_primitives = false, preferred_primitives = false;
};

Retention retention(const DecisionTable& decisions, int64_t layer, int64_t direction);

} // namespace mkldnn_rnn::detail
