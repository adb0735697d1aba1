// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// How a shape class's implementation is chosen under WeightsFormat::automatic: a short probe, once per
// class (decision_table.hpp).
//
// The candidates are the fused kernel (on CPUs with AVX2 + FMA) and oneDNN with plain weights; which one
// wins depends on the cell, the sizes, the batch and the threads (docs/performance.md), not on the
// sequence length, so the probe runs both on the first kProbeSteps steps of the class's first call (its
// own arguments: executing again is harmless, see RnnCallArgs), each timed right after an untimed run
// of itself (its weights back in cache), interleaved, for min_rounds..max_rounds rounds and at least
// min_seconds, or only decisive_rounds where the winner is clear by far. The faster wins, except that a
// candidate whose weights layout was not held before the probe (a second copy of the weights) must be
// second_copy_speedup times faster; on a tie within tie_margin the fused kernel wins (it allocates
// nothing per call). Then, for a class of more than one thread, the winner races itself on one thread
// (probe_threads): one thread runs the class where it is faster by fewer_threads_margin (a team whose
// barriers or oneDNN's per-step parallel regions cost more than its second core gives; seen with
// oneDNN's reference RNN on a 2-core AVX2 EPYC, docs/performance.md). Cost, once per class: a oneDNN
// primitive of kProbeSteps steps (two with the one-thread race), the copy of the weights the probe needed
// (dropped again if it lost everywhere), and 2 x (1 + 2 x rounds) executions of kProbeSteps steps per
// race.
#pragma once

#include <string>

#include "mkldnn_rnn/types.hpp"
#include "engine/step_kernel.hpp"

namespace mkldnn_rnn::detail {

constexpr int64_t kProbeSteps = 8;

struct ProbePolicy {
    int min_rounds = 3;
    int max_rounds = 20;
    double min_seconds = 1e-3;
    double tie_margin = 0.03;
    // A probe stops after decisive_rounds once its winner is decisive: the loser's best time could fall
    // by decisive_margin and still lose. Two rounds, so that one interrupted run cannot decide.
    int decisive_rounds = 2;
    double decisive_margin = 0.2;
    double fewer_threads_margin = 0.1;
};

struct ProbeResult {
    WeightsFormat implementation;
    double fused_us, plain_us;
    int run_threads; // shape.threads, or 1 (probe_threads)
    std::string reason;
};

struct ThreadsResult {
    int run_threads;
    std::string reason; // "; on 2 threads ... us, on 1 ... us: runs on 1", or empty for one thread
};

// Whether `kernel` runs the class of `shape` (shape.threads > 1) faster on one thread than on all, by
// policy.fewer_threads_margin; the same rounds and decisiveness as the race of implementations.
ThreadsResult probe_threads(const StepKernel& kernel, const StepShape& shape, const RnnCallArgs& args,
        Workspace& workspace, const ProbePolicy& policy = {});

// shape and args are the class's first range; the probe runs their first min(steps, kProbeSteps) steps.
// *_held: whether that candidate's weights layout was held before the probe.
ProbeResult probe(const StepKernel& fused, bool fused_held, const StepKernel& plain, bool plain_held,
        const StepShape& shape, const RnnCallArgs& args, Workspace& workspace, double second_copy_speedup,
        const ProbePolicy& policy = {});

} // namespace mkldnn_rnn::detail
