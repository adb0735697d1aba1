// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// Which implementation runs a shape class, and why: the whole ladder, from the environment to a Decision.
//
// At pack(), resolve() fixes the options a model runs under: MKLDNN_RNN_IMPL replaces
// WeightsFormat::automatic (an explicit choice in EngineOptions wins over it; reduced precision ignores it).
// Then each shape class (decision_table.hpp) is decided on its first call by the first rung that answers:
//   1. precision  bf16 and int8 run on the fused kernel, their only implementation
//   2. fixed      a fixed weights format runs as given, except fused on a CPU without the fused
//                 kernel's ISA, which runs plain_ldigo
//   3. CPU        without the fused kernel's ISA, plain_ldigo is the only candidate
//   4. probe      the fused kernel against oneDNN with plain weights, timed on the class's first call
//                 (probe.hpp)
// Rungs 3 and 4 also time the implementation on one thread against the caller's team (probe_threads):
// Decision::run_threads; the others run on the caller's threads.
// A restored decision (PackedRnn::restore_decisions) is recorded before any call reaches the ladder.
#pragma once

#include "engine/step_kernel.hpp"
#include "mkldnn_rnn/types.hpp"
#include "policy/decision_table.hpp"
#include "weights/weight_store.hpp"

namespace mkldnn_rnn::detail {

// The options a model packed with `options` runs under (MKLDNN_RNN_IMPL applied, read now). Throws
// mkldnn_rnn::Error for a value that names no implementation.
EngineOptions resolve(const EngineOptions& options);

// The implementation `format` runs as on this CPU: fused falls back to plain_ldigo without its ISA.
WeightsFormat runnable(WeightsFormat format);

// The layout an fp32 model is packed into: the one its implementation will most likely read (the other
// is made from it if a class needs it).
Layout initial_layout(const EngineOptions& resolved);

// Whether a model may run on oneDNN at all (so that pack() pays oneDNN's one-time costs).
bool may_run_onednn(const EngineOptions& resolved);

// The copy of the weights an implementation reads.
Layout layout_of(WeightsFormat implementation);

// The probe's two candidates for one (layer, direction), and whether their weights' layout is held.
struct Candidates {
    const StepKernel& fused;
    bool fused_held;
    const StepKernel& plain;
    bool plain_held;
};

// Rungs 1-4 for `cls` (its first call's range is shape and args, which the probe may execute).
Decision decide(const EngineOptions& resolved, const ShapeClass& cls, const Candidates& candidates,
        const StepShape& shape, const RnnCallArgs& args, Workspace& workspace);

} // namespace mkldnn_rnn::detail
