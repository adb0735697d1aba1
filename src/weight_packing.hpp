// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// PyTorch's per-layer weight layout -> oneDNN's plain RNN layouts. Pure C++: no oneDNN here, so the
// gate permutation and bias folding are testable and stay put when oneDNN's API changes.
#pragma once

#include <cstdint>
#include <vector>

#include "mkldnn_rnn/config.hpp"
#include "mkldnn_rnn/packed_rnn.hpp"

namespace mkldnn_rnn::detail {

// One (layer, direction) in oneDNN's plain layouts (G = gates, H = hidden, C = layer input, O = H_out):
//   layer      ldigo [C][G][H]     iter ldigo [O][G][H]
//   projection ldio  [H][P]        (empty without proj_size)
//   bias       ldgo  [bias_gates][H]; LSTM: bias_ih + bias_hh; GRU (linear-before-reset):
//              {z_ih + z_hh, r_ih + r_hh, n_ih, n_hh}; RNN: bias_ih + bias_hh; zeros without bias.
// oneDNN's gate order differs from PyTorch's only for GRU: oneDNN z,r,n; PyTorch r,z,n.
struct PlainLayerWeights {
    std::vector<float> layer;
    std::vector<float> iter;
    std::vector<float> projection;
    std::vector<float> bias;
};

// Gates in oneDNN's bias: GRU has a fourth for the recurrent n bias, applied before the reset gate.
int64_t bias_gates(const RnnConfig& config);

PlainLayerWeights to_onednn_plain(const RnnConfig& config, int64_t layer, const LayerWeights& weights);

} // namespace mkldnn_rnn::detail
