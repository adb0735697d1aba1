// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// The probe's policy (src/policy/probe.hpp) on two stand-in kernels of known speed (each execution spins for
// a fixed time): the faster wins within the margins, a decisive winner ends the probe after
// decisive_rounds, a close call runs min_rounds or more; on more than one thread the winner then races
// itself on one thread, which it runs on only where that is faster by the margin. Speeds are 2x apart or
// equal, so that the host's noise cannot change an outcome.
#include <chrono>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "policy/probe.hpp"
#include "util/workspace.hpp"

namespace mkldnn_rnn::detail {
namespace {

using ::testing::HasSubstr;

// Spins `microseconds` per execution, or `one_thread_microseconds` when given one thread (default: the same).
class SpinKernel final : public StepKernel {
public:
    explicit SpinKernel(double microseconds, double one_thread_microseconds = -1)
        : duration_(microseconds * 1e-6),
          one_thread_(one_thread_microseconds < 0 ? duration_ : one_thread_microseconds * 1e-6) {}
    void execute(const StepShape& shape, const RnnCallArgs&, Workspace&) const override {
        ++executions;
        if (shape.threads == 1) ++one_thread_executions;
        const double duration = shape.threads == 1 ? one_thread_ : duration_;
        const auto start = std::chrono::steady_clock::now();
        while (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < duration) {
        }
    }
    mutable int executions = 0, one_thread_executions = 0;

private:
    double duration_, one_thread_;
};

struct Outcome {
    ProbeResult result;
    int fused_executions, plain_executions;
};

Outcome run_probe(double fused_us, bool fused_held, double plain_us, bool plain_held) {
    const SpinKernel fused(fused_us), plain(plain_us);
    StepShape shape;
    shape.steps = 20;
    shape.batch = 1;
    shape.threads = 1; // no race of thread counts
    const ProbeResult r = probe(fused, fused_held, plain, plain_held, shape, RnnCallArgs{},
                                Workspace::for_this_thread(), 1.5);
    return {r, fused.executions, plain.executions};
}

constexpr ProbePolicy kPolicy;
constexpr int kDecisiveExecutions = 1 + 2 * kPolicy.decisive_rounds; // the untimed first, then 2 per round
constexpr int kCloseExecutions = 1 + 2 * kPolicy.min_rounds;
static_assert(kPolicy.decisive_rounds < kPolicy.min_rounds, "a decisive probe must end sooner");

TEST(Probe, DecisiveWinnerEndsAfterDecisiveRounds) {
    const Outcome o = run_probe(100, true, 300, true);
    EXPECT_EQ(o.result.implementation, WeightsFormat::fused);
    EXPECT_EQ(o.fused_executions, kDecisiveExecutions);
    EXPECT_EQ(o.plain_executions, kDecisiveExecutions);
}

TEST(Probe, CloseCallRunsAtLeastMinRounds) {
    const Outcome o = run_probe(200, true, 200, true);
    EXPECT_EQ(o.result.implementation, WeightsFormat::fused); // a tie goes to the fused kernel
    EXPECT_GE(o.fused_executions, kCloseExecutions);
    EXPECT_EQ(o.fused_executions, o.plain_executions);
}

TEST(Probe, SecondCopyWinsOnlyByTheMargin) {
    // plain_ldigo is faster but not held: 1.5x is needed, 1.1x is not enough.
    const Outcome slow = run_probe(220, true, 200, false);
    EXPECT_EQ(slow.result.implementation, WeightsFormat::fused);
    EXPECT_THAT(slow.result.reason, HasSubstr("not faster by the margin"));
    const Outcome fast = run_probe(400, true, 100, false);
    EXPECT_EQ(fast.result.implementation, WeightsFormat::plain_ldigo);
    EXPECT_EQ(fast.fused_executions, kDecisiveExecutions);
}

TEST(Probe, TimesAreTheBestRuns) {
    const Outcome o = run_probe(300, true, 100, true);
    EXPECT_EQ(o.result.implementation, WeightsFormat::plain_ldigo);
    EXPECT_GE(o.result.fused_us, 300.0);
    EXPECT_GE(o.result.plain_us, 100.0);
    EXPECT_LT(o.result.plain_us, o.result.fused_us);
}

TEST(Probe, OneThreadRunsOnlyWhereFasterByTheMargin) {
    StepShape shape;
    shape.steps = 20;
    shape.batch = 1;
    shape.threads = 2;
    const SpinKernel slower_team(300, 100), same(200, 200), faster_team(100, 300);
    const ThreadsResult one = probe_threads(slower_team, shape, RnnCallArgs{}, Workspace::for_this_thread());
    EXPECT_EQ(one.run_threads, 1);
    EXPECT_THAT(one.reason, HasSubstr("runs on 1"));
    EXPECT_EQ(slower_team.one_thread_executions, kDecisiveExecutions); // half of the race's executions
    EXPECT_EQ(probe_threads(same, shape, RnnCallArgs{}, Workspace::for_this_thread()).run_threads, 2); // a tie: the team
    EXPECT_EQ(probe_threads(faster_team, shape, RnnCallArgs{}, Workspace::for_this_thread()).run_threads, 2);
    // One thread asked: nothing to race.
    shape.threads = 1;
    const SpinKernel alone(100);
    EXPECT_EQ(probe_threads(alone, shape, RnnCallArgs{}, Workspace::for_this_thread()).run_threads, 1);
    EXPECT_EQ(alone.executions, 0);
}

TEST(Probe, TheWinnerRacesItselfOnOneThread) {
    StepShape shape;
    shape.steps = 20;
    shape.batch = 1;
    shape.threads = 2;
    // plain_ldigo wins on the team (100 against 300 us) and runs faster still on one thread (40 us).
    const SpinKernel fused(300), plain(100, 40);
    const ProbeResult r = probe(fused, true, plain, true, shape, RnnCallArgs{}, Workspace::for_this_thread(), 1.5);
    EXPECT_EQ(r.implementation, WeightsFormat::plain_ldigo);
    EXPECT_EQ(r.run_threads, 1);
    EXPECT_EQ(fused.one_thread_executions, 0); // the loser is not raced again
    EXPECT_GT(plain.one_thread_executions, 0);
    EXPECT_THAT(r.reason, HasSubstr("runs on 1"));
}

} // namespace
} // namespace mkldnn_rnn::detail
