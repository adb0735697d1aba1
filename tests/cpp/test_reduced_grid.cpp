// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// bf16 and int8 (issue 12, "Accuracy, stated and tested"): the engine against the double reference run on
// the same rounded/quantized weights with the same operand rounding (reference.hpp), over the grid; and
// proof that the bounds (reduced_case.hpp) are tight enough to see the rounding scheme.
//
// What each part checks:
//  * Rounding (every case): the weights the core packs (torch_weights() for bf16, int8_weights() and
//    torch_weights() for int8) equal the test's own rounding/quantization of the fp32 weights, bit for bit;
//    the reference then runs on them (int8: values * scales, exact in double).
//  * Grid (ReducedGrid): mode (LSTM, LSTM proj, GRU, RNN_TANH, RNN_RELU) x layers {1,2} x bidirectional x
//    N {1,3,8} x T {1,7,40} x feed {dense, lengths (SequenceInput::lengths), packed (forward_packed)} x
//    precision at I=7, H=13, P=5 (K not a multiple of 4, one partial block of 16), with bias, layout
//    (time-major, batch-first), initial state (given, zeros) and weights format (automatic, fused)
//    alternating; plus the benchmark's sizes (250 -> 200, P=100: 13 blocks, the last partial) over mode x
//    layers x bidirectional x (N, T) in {(1,40), (8,7), (3,1)}, and over mode x N 4..13 at T=7 (the
//    vector step's row passes). Two comparisons per case:
//     - free-running: the reference runs on its own double state, at the "few flips" bound (reduced_case.hpp);
//     - teacher-forced (single-layer cases): each reference step starts from the engine's own previous
//       h (reference_forward_forced), so both round the same fp32 operands and must agree to fp32
//       rounding (tolerance.hpp's bound) at every step, whatever T.
//    Each case also runs twice and must give the same bits.
//  * Cells (ReducedCells): cell_forward at the fp32 bound (a cell's operands are its fp32 inputs).
//  * FirstStepExact: T=1, one layer: the fp32 bound; a reference without activation rounding breaks it.
//  * BoundsSeeTheRounding: the forced check is broken by a reference on the unrounded fp32 weights and by
//    one without operand rounding; the free-running bound by a reference 3 bits coarser (see there).
//
// CTest runs this binary natively (AMX where the CPU has it), with the AVX-512 emulations forced
// (MKLDNN_RNN_MAX_ISA=avx512_core), with bf16 on VDPBF16PS, (cells and first step only) capped at VNNI, on
// the AVX2 kernel (MKLDNN_RNN_MAX_ISA=avx2) and (cells and first step only) with int8 on AVX-VNNI: every
// kernel path meets the same bounds. Each leg whose ISA the CPU lacks is reported skipped (isa_leg.hpp).
// BoundsSeeTheRounding runs natively only (its power is the native run's to show).
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "reduced_case.hpp"
#include "tolerance.hpp"

namespace mkldnn_rnn::testing {
namespace {

// ---- the grid ----

std::string worst_key(const RpCase& rc) {
    std::string mode = mode_name(rc.e.config.mode);
    if (rc.e.config.proj_size > 0) mode += "_proj";
    return std::string(precision_name(rc.precision)) + " " + mode + " T=" + std::to_string(rc.e.T)
           + (rc.e.config.hidden_size > 100 ? " large" : " small");
}

std::vector<RpCase> grid() {
    std::vector<RpCase> cases;
    int k = 0;
    const auto add = [&](Precision p, const Sizes& s, std::pair<Mode, int64_t> mode, int64_t layers, bool bidir,
                         int64_t N, int64_t T, Feed feed) {
        RpCase rc;
        rc.precision = p;
        rc.feed = feed;
        EngineCase& c = rc.e;
        c.config = {mode.first, s.I, s.H, layers, k % 2 == 0, bidir, mode.second};
        c.layout = (k / 3) % 2 ? SequenceLayout::batch_first : SequenceLayout::time_major;
        c.with_state = (k / 5) % 2 == 1;
        c.format = (k / 7) % 2 ? WeightsFormat::fused : WeightsFormat::automatic;
        c.lengths = feed == Feed::dense ? Lengths::none : Lengths::mixed;
        c.N = N;
        c.T = T;
        ++k;
        cases.push_back(rc);
    };
    const Sizes small{7, 13, 5}, large{250, 200, 100};
    for (Precision p : {Precision::bf16, Precision::int8})
        for (const auto& mode : mode_variants(small))
            for (int64_t layers : {1, 2})
                for (bool bidir : {false, true})
                    for (int64_t N : {1, 3, 8})
                        for (int64_t T : {1, 7, 40})
                            for (Feed feed : {Feed::dense, Feed::lengths, Feed::packed})
                                add(p, small, mode, layers, bidir, N, T, feed);
    // The benchmark's sizes: 13 blocks of 16 hidden units (the last one partial), K = 250 and 400.
    int f = 0;
    for (Precision p : {Precision::bf16, Precision::int8})
        for (const auto& mode : mode_variants(large))
            for (int64_t layers : {1, 2})
                for (bool bidir : {false, true})
                    for (auto [N, T] : {std::pair<int64_t, int64_t>{1, 40}, {8, 7}, {3, 1}})
                        add(p, large, mode, layers, bidir, N, T, static_cast<Feed>(f++ % 3));
    // The vector step's row passes (fused_driver.hpp's RowPasses, 5 or 6 rows at most): batches 4..13.
    for (Precision p : {Precision::bf16, Precision::int8})
        for (const auto& mode : mode_variants(large))
            for (int64_t N = 4; N <= 13; ++N) add(p, large, mode, 1, false, N, 7, static_cast<Feed>(f++ % 3));
    return cases;
}

class ReducedGrid : public ::testing::TestWithParam<RpCase> {};

TEST_P(ReducedGrid, MatchesReference) {
    const RpCase& rc = GetParam();
    const double bound = grid_bound(rc.precision, rc.e);
    const Outcome o = run_case(rc, bound);
    note(worst_key(rc), o.units, o.units * o.unit, rc.name());
    note(std::string("MEAN ") + precision_name(rc.precision), o.mean, o.mean * o.unit, rc.name() + " (mean units)");
    if (o.forced) note(std::string("FORCED ") + precision_name(rc.precision), o.fc.worst, 0, rc.name() + " (fraction of the fp32 bound)");
    note(std::string("ALL ") + precision_name(rc.precision), o.units / bound, o.units * o.unit, rc.name() + " (fraction of bound)");
}

INSTANTIATE_TEST_SUITE_P(Grid, ReducedGrid, ::testing::ValuesIn(grid()),
                         [](const ::testing::TestParamInfo<RpCase>& info) { return info.param.name(); });

// ---- cells ----

struct CellCase {
    Precision precision;
    Mode mode;
    bool bias, with_state;
    int64_t N, I, H;
    std::string name() const {
        return std::string(precision_name(precision)) + "_" + mode_name(mode) + (bias ? "_bias" : "_nobias")
               + (with_state ? "_state" : "_zero") + "_N" + std::to_string(N) + "_I" + std::to_string(I) + "H" + std::to_string(H);
    }
};

std::vector<CellCase> cell_grid() {
    std::vector<CellCase> cases;
    for (Precision p : {Precision::bf16, Precision::int8})
        for (Mode mode : {Mode::LSTM, Mode::GRU, Mode::RNN_TANH, Mode::RNN_RELU})
            for (bool bias : {true, false})
                for (bool with_state : {true, false})
                    for (int64_t N : {1, 3, 8})
                        for (auto [I, H] : {std::pair<int64_t, int64_t>{7, 13}, {250, 200}})
                            cases.push_back({p, mode, bias, with_state, N, I, H});
    return cases;
}

class ReducedCells : public ::testing::TestWithParam<CellCase> {};

// A cell step sees exact fp32 operands (x, hx), so engine and reference round them identically: the
// results agree to fp32 rounding (tolerance.hpp's bound), not merely to a few quantization steps.
TEST_P(ReducedCells, MatchesReference) {
    const CellCase& c = GetParam();
    const RnnConfig config{c.mode, c.I, c.H, 1, c.bias, false, 0};
    const uint32_t seed = seed_of(c.name());
    const ModelWeights model = random_weights(config, seed);
    EngineOptions options;
    options.precision = c.precision;
    const auto engine = PackedRnn::pack(config, model.views(), options);
    ExactWeights weights;
    ASSERT_TRUE(reference_weights(*engine, model, &weights));
    const bool lstm = c.mode == Mode::LSTM;
    const std::vector<float> x = random_floats(c.N * c.I, seed + 1);
    const std::vector<float> hx = c.with_state ? random_floats(c.N * c.H, seed + 2) : std::vector<float>{};
    const std::vector<float> cx = c.with_state && lstm ? random_floats(c.N * c.H, seed + 3) : std::vector<float>{};
    std::vector<float> h(c.N * c.H, -1.0f), cell(lstm ? c.N * c.H : 0, -1.0f);
    engine->cell_forward({x.data(), c.N, data_or_null(hx), data_or_null(cx)}, {h.data(), lstm ? cell.data() : nullptr});
    double largest = 0;
    const ReferenceResult ref = reference_cell(weights, hook_for(c.precision, &largest), x, c.N, hx, cx);
    EXPECT_TRUE(close_to_reference("h", h, ref.h_n));
    EXPECT_TRUE(close_to_reference("c", cell, ref.c_n));
}

INSTANTIATE_TEST_SUITE_P(Cells, ReducedCells, ::testing::ValuesIn(cell_grid()),
                         [](const ::testing::TestParamInfo<CellCase>& info) { return info.param.name(); });

// ---- the bounds can fail ----

std::vector<RpCase> first_step_cases() {
    std::vector<RpCase> cases;
    for (Precision p : {Precision::bf16, Precision::int8})
        for (Mode mode : {Mode::LSTM, Mode::GRU, Mode::RNN_TANH, Mode::RNN_RELU})
            for (bool bidir : {false, true})
                for (bool state : {false, true})
                    for (int64_t N : {1, 8})
                        for (auto [I, H] : {std::pair<int64_t, int64_t>{7, 13}, {250, 200}}) {
                            RpCase rc;
                            rc.precision = p;
                            rc.e.config = {mode, I, H, 1, true, bidir, 0};
                            rc.e.N = N;
                            rc.e.T = 1;
                            rc.e.with_state = state;
                            rc.e.layout = N == 8 ? SequenceLayout::batch_first : SequenceLayout::time_major;
                            cases.push_back(rc);
                        }
    return cases;
}

// One layer, no projection, T = 1: every operand is an fp32 input (x, h0), so engine and reference round or
// quantize exactly the same values and only fp32 accumulation separates them: tolerance.hpp's fp32 bound.
// The same comparison against a reference that skips the activation rounding (weights still rounded) must
// fail for every precision: what the grid matches is the stated scheme, not merely something close.
TEST(ReducedPrecision, FirstStepExact) {
    std::map<Precision, int> violated;
    std::map<Precision, double> worst_without;
    for (const RpCase& rc : first_step_cases()) {
        SCOPED_TRACE(rc.name());
        const EngineCase& c = rc.e;
        const uint32_t seed = seed_of(rc.name());
        const ModelWeights model = random_weights(c.config, seed);
        const auto engine = pack_reduced(c, rc.precision, model);
        ExactWeights weights;
        ASSERT_TRUE(reference_weights(*engine, model, &weights));
        const CaseData data = case_data(c, seed + 10);
        const EngineResult got = run_engine(*engine, c, data);
        double largest = 0;
        const ReferenceResult ref = reference_forward(weights, hook_for(rc.precision, &largest), data.input, c.T, c.N,
                                                      c.layout, data.h0, data.c0, data.lengths);
        EXPECT_TRUE(close_to_reference("output", got.output, ref.output));
        EXPECT_TRUE(close_to_reference("h_n", got.h_n, ref.h_n));
        EXPECT_TRUE(close_to_reference("c_n", got.c_n, ref.c_n));
        const ReferenceResult unrounded = reference_forward(weights, OperandHook{}, data.input, c.T, c.N, c.layout,
                                                            data.h0, data.c0, data.lengths);
        for (std::size_t i = 0; i < got.output.size(); ++i) {
            const double err = std::fabs(got.output[i] - unrounded.output[i]);
            worst_without[rc.precision] = std::max(worst_without[rc.precision], err);
            if (!(err <= kAbsTol + kRelTol * std::fabs(unrounded.output[i]))) {
                ++violated[rc.precision];
                break;
            }
        }
    }
    for (Precision p : {Precision::bf16, Precision::int8}) {
        EXPECT_GT(violated[p], 0) << precision_name(p) << ": the engine matches a reference without activation rounding";
        std::printf("[ sensitivity ] %s T=1: a reference without activation rounding is off by up to %.3g; %d cases "
                    "beyond the fp32 bound\n", precision_name(p), worst_without[p], violated[p]);
    }
}

// The bounds must see the rounding, each at the precision it is built for.
//  * Teacher-forced (single layer): a reference on the unrounded fp32 weights, and one without the operand
//    rounding, must each break the fp32 bound in some case of each precision: the forced check tells the
//    stated scheme from anything near it.
//  * Free-running (the "few flips" bound): a deliberately coarser reference -- operands rounded to 5
//    significant bits instead of bf16's 8, or quantized to 15 levels instead of 127 -- must break it in some
//    case of each precision. (Against the unrounded fp32 model the free-running error stays within a
//    couple of flips -- printed -- which is why the forced check exists.)
TEST(ReducedPrecision, BoundsSeeTheRounding) {
    const HookFactory record_only = [](double* largest) {
        return OperandHook([largest](std::vector<double>& row) {
            for (double v : row) *largest = std::max(*largest, std::fabs(v));
        });
    };
    const auto coarse = [](Precision p) {
        return HookFactory([p](double* largest) {
            return OperandHook([p, largest](std::vector<double>& row) {
                double m = 0;
                for (double v : row) m = std::max(m, std::fabs(v));
                *largest = std::max(*largest, m);
                for (double& v : row) {
                    if (v == 0 || m == 0) continue;
                    if (p == Precision::int8) {
                        v = std::nearbyint(v * 15.0 / m) * (m / 15.0);
                    } else {
                        int e = 0;
                        const double f = std::frexp(v, &e); // v = f * 2^e, |f| in [0.5, 1)
                        v = std::ldexp(std::nearbyint(std::ldexp(f, 5)), e - 5);
                    }
                }
            });
        });
    };
    struct Count {
        int cases = 0, forced_cases = 0, fp32_forced = 0, noround_forced = 0, coarse_free = 0;
        double fp32_free_units = 0, coarse_free_units = 1e300;
    };
    std::map<Precision, Count> n;
    for (Precision p : {Precision::bf16, Precision::int8})
        for (const Sizes& sz : {Sizes{7, 13, 5}, Sizes{250, 200, 100}})
            for (const auto& mode : mode_variants(sz))
                for (int64_t layers : {1, 2})
                    for (int64_t T : {7, 40}) {
                        if (sz.H > 100 && (layers > 1 || T > 7)) continue; // the large sizes once: runtime
                        RpCase rc;
                        rc.precision = p;
                        rc.e.config = {mode.first, sz.I, sz.H, layers, true, true, mode.second};
                        rc.e.N = 3;
                        rc.e.T = T;
                        rc.e.with_state = true;
                        const ModelWeights model = random_weights(rc.e.config, seed_of(rc.name()));
                        const ExactWeights fp32 = exact_weights(model);
                        const double bound = grid_bound(p, rc.e);
                        Count& k = n[p];
                        ++k.cases;
                        const Outcome of = run_case(rc, bound, &fp32, record_only);
                        const Outcome on = run_case(rc, bound, nullptr, record_only);
                        const Outcome oc = run_case(rc, bound, nullptr, coarse(p));
                        k.fp32_free_units = std::max(k.fp32_free_units, of.units);
                        k.coarse_free_units = std::min(k.coarse_free_units, oc.units);
                        if (oc.units > bound) ++k.coarse_free;
                        if (std::getenv("MKLDNN_RNN_TEST_VERBOSE"))
                            std::printf("[ sensitivity case ] %-62s free: ok-bound %.2f, fp32 %.2f, coarse %.2f units; "
                                        "forced: fp32 %zu, no rounding %zu elements beyond\n", rc.name().c_str(), bound,
                                        of.units, oc.units, of.fc.bad, on.fc.bad);
                        if (of.forced) {
                            ++k.forced_cases;
                            if (of.fc.bad > 0) ++k.fp32_forced;
                            if (on.fc.bad > 0) ++k.noround_forced;
                        }
                    }
    for (Precision p : {Precision::bf16, Precision::int8}) {
        const Count& k = n[p];
        const char* name = precision_name(p);
        EXPECT_GT(k.fp32_forced, 0) << name << ": the forced check does not tell the model from its fp32 original";
        EXPECT_GT(k.noround_forced, 0) << name << ": the forced check does not see the operand rounding";
        EXPECT_GT(k.coarse_free, 0) << name << ": the free-running bound does not see a 3-bit coarser rounding";
        std::printf("[ sensitivity ] %s teacher-forced: fp32 weights break the bound in %d of %d cases, no operand "
                    "rounding in %d of %d\n", name, k.fp32_forced, k.forced_cases, k.noround_forced, k.forced_cases);
        std::printf("[ sensitivity ] %s free-running: a coarser reference breaks the bound in %d of %d cases (smallest "
                    "error %.2f units); the fp32 model is off by up to %.2f units\n", name, k.coarse_free, k.cases,
                    k.coarse_free_units, k.fp32_free_units);
    }
}

} // namespace
} // namespace mkldnn_rnn::testing
