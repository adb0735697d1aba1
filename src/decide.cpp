// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
#include "decide.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <limits>

namespace mkldnn_rnn::detail {

ProbeResult probe(const StepKernel& fused, bool fused_held, const StepKernel& plain, bool plain_held,
        const StepShape& shape, const RnnCallArgs& args, Workspace& workspace, double second_copy_speedup,
        const ProbePolicy& policy) {
    using clock = std::chrono::steady_clock;
    StepShape probe_shape = shape;
    probe_shape.steps = std::min(shape.steps, kProbeSteps);
    const StepKernel* candidates[2] = {&fused, &plain};
    double best[2] = {std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity()};
    for (const StepKernel* k : candidates) k->execute(probe_shape, args, workspace); // builds, copies, warms
    const auto start = clock::now();
    for (int round = 0; round < policy.max_rounds; ++round) {
        for (int c = 0; c < 2; ++c) {
            candidates[c]->execute(probe_shape, args, workspace);
            const auto t0 = clock::now();
            candidates[c]->execute(probe_shape, args, workspace);
            best[c] = std::min(best[c], std::chrono::duration<double>(clock::now() - t0).count());
        }
        if (round + 1 >= policy.min_rounds
                && std::chrono::duration<double>(clock::now() - start).count() >= policy.min_seconds)
            break;
    }
    const double fused_us = best[0] * 1e6, plain_us = best[1] * 1e6;
    WeightsFormat winner;
    if (fused_held && plain_held) winner = plain_us * (1.0 + policy.tie_margin) < fused_us ? WeightsFormat::plain_ldigo : WeightsFormat::fused;
    else if (fused_held) winner = plain_us * second_copy_speedup < fused_us ? WeightsFormat::plain_ldigo : WeightsFormat::fused;
    else winner = fused_us * second_copy_speedup < plain_us ? WeightsFormat::fused : WeightsFormat::plain_ldigo;
    const bool slower = (winner == WeightsFormat::fused) == (fused_us > plain_us);
    char why[200];
    std::snprintf(why, sizeof why, "probe of %lld steps: fused %.1f us, plain_ldigo %.1f us%s",
                  static_cast<long long>(probe_shape.steps), fused_us, plain_us,
                  !slower ? "" : fused_held && plain_held ? "; within the tie margin"
                  : "; the faster one would need a second copy of the weights and is not faster by the margin");
    return {winner, fused_us, plain_us, why};
}

} // namespace mkldnn_rnn::detail
