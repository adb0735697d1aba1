// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// The layouts one (layer, direction)'s weights can be held in, and the exact conversions between them.
// Pure C++, no oneDNN: the gate permutation and bias folding are testable and stay put when oneDNN's
// API changes.
//
//   torch.nn      weight_ih [G*H][C], weight_hh [G*H][O], bias_ih/bias_hh [G*H], weight_hr [P][H];
//                 gates LSTM i,f,g,o; GRU r,z,n; RNN one.
//   plain         oneDNN's ldigo/ldio/ldgo (PlainWeights): read by oneDNN's RNN primitives.
//   blocked       [H/16][C][G][16] (BlockedWeights): read by the fused kernel (fused/fused_kernel.hpp).
//
// plain and blocked are permutations of the same floats (blocked pads H to 16 with zeros), so either
// rebuilds the other and torch.nn's weight matrices exactly. The biases are not: oneDNN's LSTM bias is
// bias_ih + bias_hh, so torch.nn's two vectors are kept beside (weight_store.hpp).
#pragma once

#include <cstdint>

#include "mkldnn_rnn/config.hpp"
#include "mkldnn_rnn/weights.hpp"
#include "util/aligned_array.hpp"
#include "util/round_up.hpp"
#include "weights/cell_traits.hpp"

namespace mkldnn_rnn::detail {

// The sizes of one (layer, direction). G gates, H hidden, C input channels, P projection (0: none),
// O = the width of h (P when projecting, else H).
struct LayerDims {
    LayerDims(const RnnConfig& config, int64_t layer);
    Mode mode;
    int64_t G, H, C, P, O;
    // Gates in oneDNN's bias (cell_traits.hpp: GRU's fourth is b_hn).
    int64_t bias_gates() const { return bias_gate_count(mode); }
};

// oneDNN's plain layouts; oneDNN's gate order differs from PyTorch's only for GRU (z,r,n).
struct PlainWeights {
    FloatArray layer;      // ldigo [C][G][H]
    FloatArray iter;       // ldigo [O][G][H]
    FloatArray projection; // ldio [H][P]; empty without proj_size
    FloatArray bias;       // ldgo [bias_gates][H]: LSTM and RNN b_ih + b_hh; GRU {z_ih + z_hh, r_ih + r_hh,
                           // n_ih, n_hh}; zeros without bias
    std::size_t bytes() const { return layer.bytes() + iter.bytes() + projection.bytes() + bias.bytes(); }
};

// The fused kernel's layout: 16 hidden units per block with a unit's gates side by side, so one block's
// gate pre-activations are G vector accumulators.
struct BlockedWeights {
    int64_t blocks = 0;      // ceil(H / 16); lanes past H are zero weights
    int64_t proj_blocks = 0; // ceil(P / 16), LSTM with projection only
    FloatArray layer;        // [blocks][C][G][16]
    FloatArray iter;         // [blocks][O][G][16]
    FloatArray bias;         // [blocks][G][16]: the plain bias's first G gates
    FloatArray bias_hn;      // [blocks][16]: GRU's b_hn (zeros otherwise)
    FloatArray projection;   // [proj_blocks][H][16]: W_hr
    std::size_t bytes() const {
        return layer.bytes() + iter.bytes() + bias.bytes() + bias_hn.bytes() + projection.bytes();
    }
};

constexpr int64_t kLanes = 16; // the blocked layouts' hidden units per block: one AVX-512 register of fp32

inline int64_t blocks_of(int64_t units) { return ceil_div(units, kLanes); }

// oneDNN's bias ldgo [bias_gates][H] from torch.nn's two vectors (nullptr: no bias, `bias` is left as is).
void fold_bias(const LayerDims& dims, const float* bias_ih, const float* bias_hh, float* bias);
// The blocked layout's bias and bias_hn (see BlockedWeights) from oneDNN's ldgo bias.
void block_bias(const LayerDims& dims, const float* ldgo, FloatArray* bias, FloatArray* bias_hn);

PlainWeights plain_from_torch(const LayerDims& dims, const LayerWeights& weights);
BlockedWeights blocked_from_plain(const LayerDims& dims, const PlainWeights& plain);
PlainWeights plain_from_blocked(const LayerDims& dims, const BlockedWeights& blocked);
// torch.nn's weight_ih, weight_hh and weight_hr (when P > 0) into out's arrays; the biases are not
// in the plain layout (see above) and out's bias pointers are ignored.
void torch_matrices_from_plain(const LayerDims& dims, const PlainWeights& plain, const MutableLayerWeights& out);

} // namespace mkldnn_rnn::detail
