// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// What each cell is, in one place: its gates, oneDNN's gate order against torch.nn's, the gates of
// oneDNN's bias, and GRU's linear-before-reset rule. Every layout, kernel and check reads these; a new
// cell starts here.
//
//   torch.nn     LSTM i,f,g,o    GRU r,z,n      RNN one gate
//   oneDNN       LSTM i,f,g,o    GRU z,r,n      RNN one gate        (torch_gate() maps them)
//
// GRU is linear-before-reset, as torch.nn and oneDNN's lbr_gru: n = tanh(W_in x + b_in + r * (W_hn h +
// b_hn)). The reset gate scales the recurrent part of n with its own bias, so b_hn cannot be folded into
// b_in: oneDNN's bias has a fourth gate for it, and the fused kernel starts n's recurrent sum from b_hn.
#pragma once

#include <cstdint>

#include "mkldnn_rnn/config.hpp"

namespace mkldnn_rnn::detail {

constexpr int gate_count(Mode mode) { return mode == Mode::LSTM ? 4 : mode == Mode::GRU ? 3 : 1; }

constexpr bool linear_before_reset(Mode mode) { return mode == Mode::GRU; }

// The gate (in oneDNN's order) whose recurrent part the reset gate scales: GRU's n.
constexpr int kResetScaledGate = 2;

// Gates of oneDNN's bias ldgo: a linear-before-reset cell adds b_hn, kept apart, as the last.
constexpr int bias_gate_count(Mode mode) { return gate_count(mode) + (linear_before_reset(mode) ? 1 : 0); }

// The torch.nn gate feeding oneDNN's gate g.
constexpr int64_t torch_gate(Mode mode, int64_t g) {
    constexpr int64_t gru_order[3] = {1, 0, 2}; // oneDNN z,r,n <- torch.nn r,z,n
    return mode == Mode::GRU ? gru_order[g] : g;
}

// Whether oneDNN's gate g of this cell keeps b_ih and b_hh apart (b_hh goes to the last bias gate).
constexpr bool keeps_recurrent_bias_apart(Mode mode, int64_t g) {
    return linear_before_reset(mode) && g == kResetScaledGate;
}

} // namespace mkldnn_rnn::detail
