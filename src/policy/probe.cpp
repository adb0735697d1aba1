// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
#include "policy/probe.hpp"

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
    const auto pick = [&](double fused_s, double plain_s) {
        if (fused_held && plain_held)
            return plain_s * (1.0 + policy.tie_margin) < fused_s ? WeightsFormat::plain_ldigo : WeightsFormat::fused;
        if (fused_held) return plain_s * second_copy_speedup < fused_s ? WeightsFormat::plain_ldigo : WeightsFormat::fused;
        return fused_s * second_copy_speedup < plain_s ? WeightsFormat::fused : WeightsFormat::plain_ldigo;
    };
    // Decisive: the loser's time could fall by decisive_margin without changing the winner.
    const auto decisive = [&](double fused_s, double plain_s) {
        const WeightsFormat w = pick(fused_s, plain_s);
        const double shrink = 1.0 / (1.0 + policy.decisive_margin);
        return w == (w == WeightsFormat::fused ? pick(fused_s, plain_s * shrink) : pick(fused_s * shrink, plain_s));
    };
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
        const int rounds = round + 1;
        if (rounds >= policy.decisive_rounds && decisive(best[0], best[1])) break;
        if (rounds >= policy.min_rounds
                && std::chrono::duration<double>(clock::now() - start).count() >= policy.min_seconds)
            break;
    }
    const double fused_us = best[0] * 1e6, plain_us = best[1] * 1e6;
    const WeightsFormat winner = pick(fused_us, plain_us);
    const bool slower = (winner == WeightsFormat::fused) == (fused_us > plain_us);
    char why[200];
    std::snprintf(why, sizeof why, "probe of %lld steps: fused %.1f us, plain_ldigo %.1f us%s",
                  static_cast<long long>(probe_shape.steps), fused_us, plain_us,
                  !slower ? "" : fused_held && plain_held ? "; within the tie margin"
                  : "; the faster one would need a second copy of the weights and is not faster by the margin");
    return {winner, fused_us, plain_us, why};
}

} // namespace mkldnn_rnn::detail
