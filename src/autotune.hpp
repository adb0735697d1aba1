// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// Per-shape choice of the implementation, by measurement.
//
// Which implementation is fastest changes with steps, batch and thread count (2-3x apart at our shapes;
// ../docs/performance.md): oneDNN's RNN drivers, chosen through the weights' memory format (plain ldigo
// or the blocked layout oneDNN prefers), and the fused small-batch kernel (fused_kernel.hpp) where it
// applies. So on the first call of a shape, each candidate runs on that call's own arguments: one warm-up
// execution (which also makes the candidate's copy of the weights if it needs one), then rounds that
// time every candidate once, interleaved so that a noisy neighbour hurts all alike, each timed execution
// right after an untimed one of the same candidate (its weights back in cache), until at least
// min_rounds and min_seconds of measurement. The candidate with the smallest best time wins; a
// candidate that needs extra weight memory must beat plain ldigo by tie_margin to be taken. Executing
// again is harmless: a kernel reads its sources and overwrites its destinations, which never alias.
#pragma once

#include <memory>

#include "step_kernel.hpp"

namespace mkldnn_rnn::detail {

struct TuningPolicy {
    int min_rounds = 3;
    int max_rounds = 50;
    double min_seconds = 2e-3;
    double tie_margin = 0.03;
};

// key.weights_format is ignored: the returned kernel is the winner.
std::shared_ptr<const StepKernel> tune_kernel(const PrimitiveKey& key, const RnnCallArgs& args,
        const LayerPack& weights, Workspace& workspace, const TuningPolicy& policy = {});

} // namespace mkldnn_rnn::detail
