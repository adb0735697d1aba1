// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// Per-shape choice of the oneDNN implementation, by measurement.
//
// Which implementation oneDNN runs follows from the weights' memory format, and at our shapes the
// fastest one changes with steps, batch and thread count (2-3x apart; ../docs/performance.md). So on the
// first call of a shape, each candidate primitive runs on that call's own arguments: one warm-up
// execution (which also reorders the weights if the candidate needs another layout), then rounds that
// execute every candidate once, interleaved so that a noisy neighbour hurts all alike, until at least
// min_rounds and min_seconds of measurement. The candidate with the smallest best time wins; a
// candidate that needs extra weight memory must beat plain ldigo by tie_margin to be taken. Executing
// again is harmless: a primitive reads its sources and overwrites its destinations, which never alias.
#pragma once

#include <memory>

#include "onednn_backend.hpp"

namespace mkldnn_rnn::detail {

struct TuningPolicy {
    int min_rounds = 3;
    int max_rounds = 50;
    double min_seconds = 2e-3;
    double tie_margin = 0.03;
};

// key.weights_format is ignored: the returned primitive carries the winner's format.
std::shared_ptr<const RnnPrimitive> tune_primitive(const PrimitiveKey& key, const RnnCallArgs& args,
        const LayerWeightsMemory& weights, Workspace& workspace, const TuningPolicy& policy = {});

} // namespace mkldnn_rnn::detail
