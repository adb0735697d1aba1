// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// One forward pass of the engine and of the reference on the same seeded data, compared at the suite's
// tolerance: what every grid test, the format slices and the concurrency test are built on.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "model_data.hpp"
#include "reference.hpp"

namespace mkldnn_rnn::testing {

// none: no lengths; equal: all T; mixed: unsorted, including 1 and T; descending: sorted from T down to 1
// (the engine writes such batches in place, a path of its own).
enum class Lengths { none, equal, mixed, descending };

// Model sizes of a grid: input, hidden and projection.
struct Sizes {
    int64_t I, H, P;
};

// Every (mode, proj_size) torch.nn allows at these sizes.
std::vector<std::pair<Mode, int64_t>> mode_variants(const Sizes& s);

struct EngineCase {
    RnnConfig config;
    SequenceLayout layout = SequenceLayout::time_major;
    Lengths lengths = Lengths::none;
    int64_t N = 1, T = 1;
    bool with_state = false; // h0 (and c0) given, else zeros
    WeightsFormat format = WeightsFormat::automatic;

    std::string name() const; // e.g. LSTM_L2_bidir_bias_P5_bf_mixed_I7H13_N3_T5_state_auto
};

// The per-sequence lengths of a case: none → empty; equal → all T; mixed → unsorted values that
// include 1 and T (with N = 1: max(1, T / 2)); descending → T down to 1, ties when N > T (N = 1: 1).
std::vector<int64_t> case_lengths(const EngineCase& c);

// The inputs of a case, seeded by `seed`.
struct CaseData {
    std::vector<float> input, h0, c0;
    std::vector<int64_t> lengths;
};
CaseData case_data(const EngineCase& c, uint32_t seed);

// Engine outputs, sized for the case.
struct EngineResult {
    std::vector<float> output, h_n, c_n;
};
EngineResult run_engine(const PackedRnn& engine, const EngineCase& c, const CaseData& data);

// Every output bit-identical (the concurrency tests' criterion: same inputs, same bits).
bool same_bits(const EngineResult& a, const EngineResult& b);

// No NaN or infinity in v[begin, end) (the non-finite-input tests: which rows a bad value reached).
bool all_finite(const std::vector<float>& v, std::size_t begin, std::size_t end);

} // namespace mkldnn_rnn::testing
