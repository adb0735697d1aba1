// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// The probe's policy (src/policy/probe.hpp) on two stand-in kernels of known speed (each execution spins for
// a fixed time): the faster wins within the margins, a decisive winner ends the probe after
// decisive_rounds, a close call runs min_rounds or more. Speeds are 2x apart or equal, so that the
// host's noise cannot change an outcome.
#include <chrono>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "policy/probe.hpp"
#include "util/workspace.hpp"

namespace mkldnn_rnn::detail {
namespace {

using ::testing::HasSubstr;

class SpinKernel final : public StepKernel {
public:
    explicit SpinKernel(double microseconds) : duration_(microseconds * 1e-6) {}
    void execute(const StepShape&, const RnnCallArgs&, Workspace&) const override {
        ++executions;
        const auto start = std::chrono::steady_clock::now();
        while (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < duration_) {
        }
    }
    mutable int executions = 0;

private:
    double duration_;
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

} // namespace
} // namespace mkldnn_rnn::detail
