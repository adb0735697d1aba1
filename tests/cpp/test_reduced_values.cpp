// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// bf16 and int8 at the edges of their values (issue 12), and the bits int8 must keep across kernels.
//
//  * ReducedValues: operand rows of tiny/subnormal values (int8's 127 / m overflows) stay finite and
//    contribute nothing; a non-finite input row changes no other sequence; N = 33; weight_bytes() of bf16
//    and int8 about 1/2 and 1/4 of fp32's.
//  * Int8Dump: with MKLDNN_RNN_TEST_INT8_DUMP=<file>, writes the int8 outputs of a few models. CTest runs
//    this binary natively and with the AVX-512 emulation forced (MKLDNN_RNN_MAX_ISA=avx512_core), and on
//    AVX2 with AVX-VNNI and with the emulation (avx2_vnni, avx2), each dumping to a file of its own, and
//    test_reduced_precision_int8_bits{,_avx2} compare each pair byte for byte (int8 products are exact
//    integers, so the emulation must give the same bits where the gate math around it is the same ISA's).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "reduced_case.hpp"

namespace mkldnn_rnn::testing {
namespace {

// ---- values at the edges ----

// Operand rows at the bottom of the float range: int8's inv = 127 / m overflows to infinity once m < ~3.7e-37
// (and 0 * inf is NaN), bf16's VDPBF16PS flushes subnormals. Either way such a row contributes (almost)
// nothing: the result must be finite and match the reference run with that row zeroed, at the grid's bound.
TEST(ReducedValues, TinyOperandRows) {
    for (Precision p : {Precision::bf16, Precision::int8})
        for (float tiny : {1e-30f, 1e-37f, 1e-39f /* subnormal */, 1e-45f /* the smallest subnormal */}) {
            SCOPED_TRACE(std::string(precision_name(p)) + " tiny " + std::to_string(tiny));
            EngineCase e;
            e.config = {Mode::LSTM, 7, 13, 1, true, false, 0};
            e.N = 3;
            e.T = 4;
            const ModelWeights model = random_weights(e.config, 5);
            const auto engine = pack_reduced(e, p, model);
            ExactWeights weights;
            ASSERT_TRUE(reference_weights(*engine, model, &weights));
            CaseData d = case_data(e, 6);
            CaseData zeroed = d;
            // Sequence 1 at t = 0: a row of tiny values (one exact zero among them).
            for (int64_t i = 0; i < 7; ++i) {
                d.input[(0 * e.N + 1) * 7 + i] = i == 3 ? 0.0f : (i % 2 ? tiny : -tiny);
                zeroed.input[(0 * e.N + 1) * 7 + i] = 0.0f;
            }
            const EngineResult r = run_engine(*engine, e, d);
            EXPECT_TRUE(all_finite(r.output, 0, r.output.size()));
            double largest = 0, units = 0;
            const ReferenceResult ref = reference_forward(weights, hook_for(p, &largest), zeroed.input, e.T, e.N, e.layout,
                                                          zeroed.h0, zeroed.c0, zeroed.lengths);
            EXPECT_TRUE(within("output", r.output, ref.output, unit_of(p, largest), grid_bound(p, e), &units));
        }
}

// A non-finite input row poisons only its own sequence (docs/errors.md), at reduced precision too: the other
// sequences of the batch keep finite outputs equal to a run without the bad row. (Whether the bad sequence
// itself turns non-finite, as in torch.nn, is printed, not asserted: quantizing NaN is not specified.)
TEST(ReducedValues, NonFiniteRowStaysInItsSequence) {
    for (Precision p : {Precision::bf16, Precision::int8})
        for (float bad : {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()}) {
            SCOPED_TRACE(std::string(precision_name(p)) + " " + std::to_string(bad));
            EngineCase e;
            e.config = {Mode::GRU, 7, 13, 1, true, true, 0};
            e.N = 3;
            e.T = 5;
            const ModelWeights model = random_weights(e.config, 7);
            const auto engine = pack_reduced(e, p, model);
            const CaseData clean = case_data(e, 8);
            CaseData d = clean;
            d.input[(2 * e.N + 1) * 7 + 4] = bad; // t = 2, sequence 1
            const EngineResult a = run_engine(*engine, e, clean), b = run_engine(*engine, e, d);
            const int64_t W = 2 * 13;
            bool own_poisoned = false;
            for (int64_t t = 0; t < e.T; ++t)
                for (int64_t n = 0; n < e.N; ++n) {
                    const std::size_t begin = static_cast<std::size_t>((t * e.N + n) * W), end = begin + W;
                    if (n == 1) {
                        own_poisoned |= !all_finite(b.output, begin, end);
                        continue;
                    }
                    EXPECT_TRUE(std::equal(a.output.begin() + begin, a.output.begin() + end, b.output.begin() + begin))
                            << "sequence " << n << " step " << t << " changed";
                }
            std::printf("[ non-finite ] %s input %g: its own sequence %s\n", precision_name(p), static_cast<double>(bad),
                        own_poisoned ? "turns non-finite (as torch.nn)" : "stays finite");
        }
}

// Batches past the kernels' small-batch paths: N = 33 (odd, over 32), all modes, lengths, both precisions.
TEST(ReducedValues, WideBatch) {
    for (Precision p : {Precision::bf16, Precision::int8})
        for (const auto& mode : mode_variants({7, 13, 5})) {
            RpCase rc;
            rc.precision = p;
            rc.feed = Feed::lengths;
            rc.e.config = {mode.first, 7, 13, 1, true, true, mode.second};
            rc.e.N = 33;
            rc.e.T = 6;
            rc.e.lengths = Lengths::mixed;
            rc.e.with_state = true;
            SCOPED_TRACE(rc.name());
            const Outcome o = run_case(rc, grid_bound(p, rc.e));
            note(std::string(precision_name(p)) + " N=33", o.units, o.units * o.unit, rc.name());
        }
}

// The point of reduced precision is fewer weight bytes: bf16 holds about half of fp32's, int8 about a
// quarter (plus fp32 biases and per-row scales). Printed; asserted loosely (bf16 < 0.6x, int8 < 0.4x).
TEST(ReducedValues, WeightBytes) {
    const RnnConfig c{Mode::LSTM, 250, 200, 1, true, false, 0};
    const ModelWeights m = random_weights(c, 3);
    std::map<Precision, std::size_t> bytes;
    for (Precision p : {Precision::fp32, Precision::bf16, Precision::int8}) {
        EngineOptions options;
        options.precision = p;
        options.weights_format = WeightsFormat::fused;
        const auto engine = PackedRnn::pack(c, m.views(), options);
        EngineCase e;
        e.config = c;
        e.T = 3;
        run_engine(*engine, e, case_data(e, 1));
        bytes[p] = engine->weight_bytes();
    }
    std::printf("[ weight bytes ] LSTM 250->200 fused: fp32 %zu, bf16 %zu (%.2fx), int8 %zu (%.2fx)\n", bytes[Precision::fp32],
                bytes[Precision::bf16], double(bytes[Precision::bf16]) / double(bytes[Precision::fp32]), bytes[Precision::int8],
                double(bytes[Precision::int8]) / double(bytes[Precision::fp32]));
    EXPECT_LT(double(bytes[Precision::bf16]), 0.6 * double(bytes[Precision::fp32]));
    EXPECT_LT(double(bytes[Precision::int8]), 0.4 * double(bytes[Precision::fp32]));
}

// ---- int8 bits across processes: native vs fallback ----

TEST(ReducedPrecision, Int8Dump) {
    const char* path = std::getenv("MKLDNN_RNN_TEST_INT8_DUMP");
    if (!path || !*path) GTEST_SKIP() << "MKLDNN_RNN_TEST_INT8_DUMP not set";
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    ASSERT_TRUE(out.good()) << path;
    const auto write = [&](const std::vector<float>& v) {
        out.write(reinterpret_cast<const char*>(v.data()), static_cast<std::streamsize>(v.size() * sizeof(float)));
    };
    for (const auto& mode : mode_variants({250, 200, 100}))
        for (int64_t layers : {1, 2}) {
            EngineCase e;
            e.config = {mode.first, 250, 200, layers, true, layers == 2, mode.second};
            e.N = 3;
            e.T = 11;
            e.with_state = true;
            e.lengths = Lengths::mixed;
            const ModelWeights model = random_weights(e.config, 21);
            const auto engine = pack_reduced(e, Precision::int8, model);
            const CaseData data = case_data(e, 22);
            const EngineResult r = run_engine(*engine, e, data);
            write(r.output);
            write(r.h_n);
            write(r.c_n);
            const EngineResult p = run_packed(*engine, e, pack_sequence(e, data));
            write(p.output);
            write(p.h_n);
        }
    std::printf("[ dump ] int8 outputs written to %s (MKLDNN_RNN_MAX_ISA=%s, kernel %s)\n", path,
                std::getenv("MKLDNN_RNN_MAX_ISA") ? std::getenv("MKLDNN_RNN_MAX_ISA") : "(unset)", kernel_isa(Precision::int8));
}

} // namespace
} // namespace mkldnn_rnn::testing
