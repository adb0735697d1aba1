// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// The independent reference: PyTorch's documented equations of LSTM (with projection), GRU and
// RNN tanh/relu as plain loops in double precision. It shares nothing with src/ but the public structs.
#pragma once

#include <cstdint>
#include <vector>

#include "model_data.hpp"

namespace mkldnn_rnn::testing {

struct ReferenceResult {
    std::vector<double> output; // same layout as the input: [T, N, D*H_out] or [N, T, D*H_out]
    std::vector<double> h_n;    // [L*D, N, H_out]
    std::vector<double> c_n;    // [L*D, N, H] (LSTM), empty otherwise
};

// What PackedRnn::forward computes, with PackedSequence semantics for `lengths` (empty: all T).
// h0/c0 empty mean zeros.
ReferenceResult reference_forward(const ModelWeights& model, const std::vector<float>& input, int64_t T, int64_t N,
                                  SequenceLayout layout, const std::vector<float>& h0, const std::vector<float>& c0,
                                  const std::vector<int64_t>& lengths);

// One cell step: input [N, I], hx/cx [N, H] (empty: zeros). Returns h (and c for LSTM) as in
// ReferenceResult::h_n / c_n with L*D = 1.
ReferenceResult reference_cell(const ModelWeights& model, const std::vector<float>& input, int64_t N,
                               const std::vector<float>& hx, const std::vector<float>& cx);

} // namespace mkldnn_rnn::testing
