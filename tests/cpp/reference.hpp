// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// The independent reference: PyTorch's documented equations of LSTM (with projection), GRU and
// RNN tanh/relu as plain loops in double precision. It shares nothing with src/ but the public structs.
//
// Reduced precision (docs/precision.md): the same loops on weights given exactly in double (bf16 values,
// or int8 values times their fp32 row scales, both exact in double) with an operand hook applied to each
// operand row of each inner product -- the layer input x, the previous hidden state h, and for LSTM
// proj_size the unprojected h before W_hr -- once per step and batch row, before the product. Biases,
// gate math, the cell state and every output stay in double.
#pragma once

#include <cstdint>
#include <functional>
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

// ---- reduced precision ----

// A model's weights in double, in ModelWeights' layout (empty vectors where absent).
struct ExactWeights {
    RnnConfig config;
    std::vector<std::vector<double>> w_ih, w_hh, b_ih, b_hh, w_hr;
};

// fp32 weights as they are (exact in double).
ExactWeights exact_weights(const ModelWeights& model);

// The operand rounding of an inner product: called on a copy of each operand row (x, h, unprojected h)
// right before its product; it may change the values in place (it never changes the size).
using OperandHook = std::function<void(std::vector<double>& row)>;

// The same equations as reference_forward, on `model`, with `hook` (empty: no rounding) applied to every
// operand row of every product.
ReferenceResult reference_forward(const ExactWeights& model, const OperandHook& hook, const std::vector<float>& input,
                                  int64_t T, int64_t N, SequenceLayout layout, const std::vector<float>& h0,
                                  const std::vector<float>& c0, const std::vector<int64_t>& lengths);
ReferenceResult reference_cell(const ExactWeights& model, const OperandHook& hook, const std::vector<float>& input,
                               int64_t N, const std::vector<float>& hx, const std::vector<float>& cx);

// Teacher-forced: as reference_forward, but each step's previous hidden state (the operand of W_hh and the
// state GRU blends) is the engine's own, read from `forced_output` (the engine's output in the layout of the
// input, padded with anything past each length); the first step of each sequence starts from h0. The cell
// state stays the reference's own (it is never rounded). So every operand the reference rounds is an fp32
// value the engine rounded too, and the two agree to fp32 rounding at every step, whatever T: no rounding
// flip can separate them, except inside a step (the unprojected h before W_hr of an LSTM with proj_size).
// Single-layer models only (a lower layer's outputs are not observable).
ReferenceResult reference_forward_forced(const ExactWeights& model, const OperandHook& hook,
                                         const std::vector<float>& input, int64_t T, int64_t N, SequenceLayout layout,
                                         const std::vector<float>& h0, const std::vector<float>& c0,
                                         const std::vector<int64_t>& lengths, const std::vector<float>& forced_output);

// fp32 -> bfloat16, round to nearest even (NaN kept a NaN), returned as the fp32 it is exactly.
float round_to_bf16(float value);

// The bf16 operand rounding: each value rounded to fp32 (the engine's operands are fp32), then to bf16.
void round_row_to_bf16(std::vector<double>& row);

// The int8 operand quantization of one row, as the engine does it in fp32 arithmetic:
//   v_k = float(row_k); m = max_k |v_k|; m == 0: all 0; else inv = 127.f / m, q_k = nearbyint(v_k * inv)
//   clamped to [-127, 127], scale = m / 127.f; the row becomes q_k * scale (exact in double).
void quantize_row_int8(std::vector<double>& row);

// The int8 weight quantization of a row-major [rows, cols] fp32 matrix, per output row r:
//   scale_r = max_c |w[r][c]| / 127.f; q = nearbyint(w / scale_r) (fp32 division) clamped to [-127, 127];
//   an all-zero row: q = 0 and scale_r = 0 (any scale reproduces it).
void quantize_weight_rows(const std::vector<float>& w, int64_t rows, int64_t cols, std::vector<int8_t>& values,
                          std::vector<float>& scales);

// values[r][c] * scales[r] in double (exact): an int8 matrix as the reference multiplies it.
std::vector<double> dequantize_exact(const std::vector<int8_t>& values, const std::vector<float>& scales, int64_t cols);

} // namespace mkldnn_rnn::testing
