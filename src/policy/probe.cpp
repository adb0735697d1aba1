// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
#include "policy/probe.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <limits>

namespace mkldnn_rnn::detail {
namespace {

// A race of two (kernel, shape) runs, interleaved: the best time of each, in seconds. `decisive(a, b)`
// ends it after policy.decisive_rounds; otherwise it runs min_rounds and min_seconds, at most max_rounds.
template <class Decisive>
void race(const StepKernel* const (&kernels)[2], const StepShape (&shapes)[2], const RnnCallArgs& args,
        Workspace& workspace, const ProbePolicy& policy, Decisive&& decisive, double (&best)[2]) {
    using clock = std::chrono::steady_clock;
    best[0] = best[1] = std::numeric_limits<double>::infinity();
    for (int c = 0; c < 2; ++c) kernels[c]->execute(shapes[c], args, workspace); // builds, copies, warms
    const auto start = clock::now();
    for (int round = 0; round < policy.max_rounds; ++round) {
        for (int c = 0; c < 2; ++c) {
            kernels[c]->execute(shapes[c], args, workspace);
            const auto t0 = clock::now();
            kernels[c]->execute(shapes[c], args, workspace);
            best[c] = std::min(best[c], std::chrono::duration<double>(clock::now() - t0).count());
        }
        const int rounds = round + 1;
        if (rounds >= policy.decisive_rounds && decisive(best[0], best[1])) break;
        if (rounds >= policy.min_rounds
                && std::chrono::duration<double>(clock::now() - start).count() >= policy.min_seconds)
            break;
    }
}

StepShape probe_shape_of(const StepShape& shape) {
    StepShape s = shape;
    s.steps = std::min(shape.steps, kProbeSteps);
    return s;
}

} // namespace

ThreadsResult probe_threads(const StepKernel& kernel, const StepShape& shape, const RnnCallArgs& args,
        Workspace& workspace, const ProbePolicy& policy) {
    const StepShape all = probe_shape_of(shape);
    if (all.threads <= 1) return {static_cast<int>(std::max(all.threads, 1)), ""};
    StepShape one = all;
    one.threads = 1;
    // One thread wins only by the margin: the caller asked for the team, and a tie gives it.
    const auto one_wins = [&](double all_s, double one_s) { return one_s * (1.0 + policy.fewer_threads_margin) < all_s; };
    const auto decisive = [&](double all_s, double one_s) {
        const double shrink = 1.0 / (1.0 + policy.decisive_margin);
        const bool w = one_wins(all_s, one_s);
        return w == (w ? one_wins(all_s * shrink, one_s) : one_wins(all_s, one_s * shrink));
    };
    const StepKernel* const kernels[2] = {&kernel, &kernel};
    const StepShape shapes[2] = {all, one};
    double best[2];
    race(kernels, shapes, args, workspace, policy, decisive, best);
    const bool one_thread = one_wins(best[0], best[1]);
    char why[120];
    std::snprintf(why, sizeof why, "; on %d threads %.1f us, on 1 %.1f us: %s", all.threads, best[0] * 1e6,
                  best[1] * 1e6, one_thread ? "runs on 1" : "runs on all");
    return {one_thread ? 1 : all.threads, why};
}

ProbeResult probe(const StepKernel& fused, bool fused_held, const StepKernel& plain, bool plain_held,
        const StepShape& shape, const RnnCallArgs& args, Workspace& workspace, double second_copy_speedup,
        const ProbePolicy& policy) {
    const StepShape probe_shape = probe_shape_of(shape);
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
    const StepKernel* const kernels[2] = {&fused, &plain};
    const StepShape shapes[2] = {probe_shape, probe_shape};
    double best[2];
    race(kernels, shapes, args, workspace, policy, decisive, best);
    const double fused_us = best[0] * 1e6, plain_us = best[1] * 1e6;
    const WeightsFormat winner = pick(fused_us, plain_us);
    const bool slower = (winner == WeightsFormat::fused) == (fused_us > plain_us);
    // Then the winner on one thread against the caller's team (probe_threads).
    const ThreadsResult threads = probe_threads(winner == WeightsFormat::fused ? fused : plain, shape, args, workspace, policy);
    char why[200];
    std::snprintf(why, sizeof why, "probe of %lld steps: fused %.1f us, plain_ldigo %.1f us%s",
                  static_cast<long long>(probe_shape.steps), fused_us, plain_us,
                  !slower ? "" : fused_held && plain_held ? "; within the tie margin"
                  : "; the faster one would need a second copy of the weights and is not faster by the margin");
    return {winner, fused_us, plain_us, threads.run_threads, why + threads.reason};
}

} // namespace mkldnn_rnn::detail
