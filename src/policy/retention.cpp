// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
#include "policy/retention.hpp"

namespace mkldnn_rnn::detail {

Retention retention(const DecisionTable& decisions, int64_t layer, int64_t direction) {
    Retention r;
    r.plain_primitives = decisions.uses(layer, direction, WeightsFormat::plain_ldigo);
    r.preferred_primitives = decisions.uses(layer, direction, WeightsFormat::onednn_preferred);
    r.plain_copy = r.plain_primitives || r.preferred_primitives; // preferred layouts are reordered from it
    r.blocked_copy = decisions.uses(layer, direction, WeightsFormat::fused);
    return r;
}

} // namespace mkldnn_rnn::detail
