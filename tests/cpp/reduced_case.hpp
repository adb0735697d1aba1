// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// What the bf16 and int8 tests (issue 12, "Accuracy, stated and tested") share: the test's own rounding and
// quantization of the weights, checked against what the core packed; the reference's operand hooks and the
// error unit of the "few flips" bound; one case of engine against reference (RpCase, run_case); packed-
// sequence feeds; and the table of the largest errors seen, printed at the end of the binary (WorstReport).
//
// The free-running bound, in units of one rounding flip of the case's largest operand:
//   M     = the largest |operand| any product of the reference saw (x, h, unprojected h), at least 1e-3
//   unit  = M / 127 (int8: one activation quantization step) or M * 2^-7 (bf16: one ulp at M's binade,
//           the most one bf16 flip of an operand can cost)
//   |engine - reference| <= unit * (1.5 + 0.1 * sqrt(T * num_layers))   for output, h_n and c_n.
// Engine and reference agree until the engine's fp32 state and the reference's double state round an
// operand differently (a flip: one unit times a weight, |w| <= 1/sqrt(H), through gates of slope <= 1);
// the contracting recurrences keep the effect of a flip to about one unit, and later flips add up as a
// random walk along the dependency chain (T * num_layers). Measured (printed at the end; five seeds, via
// MKLDNN_RNN_TEST_SEED_SALT): at most 0.6 units for int8 and 0.3 for bf16, against a bound of >= 1.6.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine_case.hpp"
#include "reference.hpp"

namespace mkldnn_rnn::testing {

// The grid's bound (see the header comment); measured maxima are printed at the end of the run.
constexpr double kBaseUnits[] = {0, 1.5, 1.5}; // by Precision: fp32 unused, bf16, int8
constexpr double kPerStepUnits[] = {0, 0.1, 0.1};

// The seed of a named case. MKLDNN_RNN_TEST_SEED_SALT (a number) draws other weights and inputs: how the
// bounds' margins were probed.
uint32_t seed_of(const std::string& name);
const float* data_or_null(const std::vector<float>& v);

// ---- the test's own quantization of the weights, independent of the core, and the core's ----

// One (layer, direction) entry's int8 weights: values [rows][cols] row-major, one scale per row.
struct Int8Layer {
    std::vector<int8_t> ih, hh, hr;
    std::vector<float> s_ih, s_hh, s_hr;
};

// quantize_weight_rows (reference.hpp) of every weight matrix of `m`.
std::vector<Int8Layer> expected_int8(const ModelWeights& m);

// What the core's int8_weights() gives for every entry.
struct CoreInt8 {
    std::vector<Int8Layer> q;
    std::vector<std::vector<float>> b_ih, b_hh;
};
CoreInt8 core_int8_weights(const PackedRnn& engine);

// The reference's weights from the core's int8 model: values * scales exactly, fp32 biases.
ExactWeights exact_from_int8(const RnnConfig& c, const CoreInt8& w);

// Equal floats bit for bit (the first difference named).
::testing::AssertionResult same_floats(const std::string& what, const std::vector<float>& got,
                                       const std::vector<float>& want);

// The reference's weights for `engine` after checking the core's rounding of `model` against the test's:
// bf16: torch_weights() equal the test's rounding of the fp32 weights, biases as given; int8: int8_weights()
// equal the test's quantization (scales of all-zero rows not compared), torch_weights() equal values *
// scales rounded to fp32, biases as given.
::testing::AssertionResult reference_weights(const PackedRnn& engine, const ModelWeights& model, ExactWeights* out);

// ---- operand rounding and the error unit ----

// The reference's operand hook for `p`, recording the largest |operand| into *largest.
OperandHook hook_for(Precision p, double* largest);

// Makes the reference's operand hook; it records the largest |operand| into its argument.
using HookFactory = std::function<OperandHook(double* largest)>;

// One unit of the free-running bound for the largest |operand| seen (the header comment).
double unit_of(Precision p, double largest);

// The free-running bound of a case, in units: base + per_step * sqrt(T * num_layers).
double grid_bound(Precision p, const EngineCase& c);

// Mean |error| accumulator (in units) over every compared element.
struct MeanError {
    double sum = 0;
    std::size_t count = 0;
    double value() const { return count ? sum / static_cast<double>(count) : 0.0; }
};

// |got - want| <= bound everywhere; the largest error in units is returned through *units.
::testing::AssertionResult within(const char* what, const std::vector<float>& got, const std::vector<double>& want,
                                  double unit, double bound_units, double* units, MeanError* mean = nullptr);

// ---- measured errors, printed at the end ----

// Records an error under `key` if it is the largest in units seen under that key.
void note(const std::string& key, double units, double abs, const std::string& where);

// Prints the largest error of every key once all tests ran (register with AddGlobalTestEnvironment).
class WorstReport : public ::testing::Environment {
public:
    void TearDown() override;
};

// ---- cases ----

enum class Feed { dense, lengths, packed };

struct RpCase {
    Precision precision = Precision::bf16;
    EngineCase e;
    Feed feed = Feed::dense;
    std::string name() const; // e.g. bf16_packed_LSTM_L2_bidir_bias_P5_bf_mixed_I7H13_N3_T5_state_auto
};

// A padded batch with lengths as a PackedSequence: sequences sorted by length (stable, longest first), the
// states' rows in that order (row j is sequence order[j]).
struct Packed {
    std::vector<int64_t> order, batch_sizes;
    std::vector<float> input, h0, c0;
    int64_t rows = 0;
};
Packed pack_sequence(const EngineCase& c, const CaseData& d);
EngineResult run_packed(const PackedRnn& engine, const EngineCase& c, const Packed& p);

// PackedRnn::pack of `model` at precision `p`, in the case's weights format.
std::shared_ptr<const PackedRnn> pack_reduced(const EngineCase& c, Precision p, const ModelWeights& model);

// Elements beyond the teacher-forced bound (counted, not asserted) and the worst err / bound.
struct ForcedCheck {
    std::size_t bad = 0, count = 0;
    double worst = 0; // largest err / bound
    std::string first;
    void add(const char* what, const std::vector<float>& got, const std::vector<double>& want, double allowance);
};

struct Outcome {
    double units = 0; // largest |engine - reference| in units (free-running reference)
    double mean = 0;  // mean |engine - reference| in units
    double unit = 0;
    bool forced = false; // the teacher-forced comparison ran (single-layer models)
    ForcedCheck fc;
};

// Runs one case: engine and reference, compared at `bound_units` (free-running) and, for single-layer
// models, teacher-forced at the fp32 bound. The reference runs on the core's weights (checked against the
// test's rounding) with the precision's operand rounding, unless `override_weights` or `make_hook` say
// otherwise; then nothing is expected and only the outcome is returned.
Outcome run_case(const RpCase& rc, double bound_units, const ExactWeights* override_weights = nullptr,
                 const HookFactory& make_hook = nullptr);

} // namespace mkldnn_rnn::testing
