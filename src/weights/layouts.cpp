// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
#include "weights/layouts.hpp"

#include <cstring>

namespace mkldnn_rnn::detail {
namespace {


// Both directions of PyTorch [G*H][C] (row = gate*H + h) <-> oneDNN ldigo [C][G][H].
void to_ldigo(Mode mode, const float* w, int64_t C, int64_t G, int64_t H, float* out) {
    for (int64_t g = 0; g < G; ++g) {
        const float* gate = w + torch_gate(mode, g) * H * C;
        for (int64_t h = 0; h < H; ++h)
            for (int64_t c = 0; c < C; ++c) out[(c * G + g) * H + h] = gate[h * C + c];
    }
}

void from_ldigo(Mode mode, const float* ldigo, int64_t C, int64_t G, int64_t H, float* w) {
    for (int64_t g = 0; g < G; ++g) {
        float* gate = w + torch_gate(mode, g) * H * C;
        for (int64_t h = 0; h < H; ++h)
            for (int64_t c = 0; c < C; ++c) gate[h * C + c] = ldigo[(c * G + g) * H + h];
    }
}

// Both directions of ldigo [C][G][H] <-> [H/16][C][G][16] (lanes past H stay zero).
int64_t blocked_index(int64_t c, int64_t g, int64_t h, int64_t C, int64_t G) {
    return ((h / kLanes * C + c) * G + g) * kLanes + h % kLanes;
}

void block(const float* ldigo, int64_t C, int64_t G, int64_t H, float* out) {
    for (int64_t c = 0; c < C; ++c)
        for (int64_t g = 0; g < G; ++g)
            for (int64_t h = 0; h < H; ++h) out[blocked_index(c, g, h, C, G)] = ldigo[(c * G + g) * H + h];
}

void unblock(const float* blocked, int64_t C, int64_t G, int64_t H, float* ldigo) {
    for (int64_t c = 0; c < C; ++c)
        for (int64_t g = 0; g < G; ++g)
            for (int64_t h = 0; h < H; ++h) ldigo[(c * G + g) * H + h] = blocked[blocked_index(c, g, h, C, G)];
}

PlainWeights empty_plain(const LayerDims& d) {
    PlainWeights p;
    p.layer = FloatArray(d.C * d.G * d.H);
    p.iter = FloatArray(d.O * d.G * d.H);
    if (d.P > 0) p.projection = FloatArray(d.H * d.P);
    p.bias = FloatArray(d.bias_gates() * d.H);
    return p;
}

} // namespace

LayerDims::LayerDims(const RnnConfig& config, int64_t layer)
    : mode(config.mode), G(config.num_gates()), H(config.hidden_size), C(config.layer_input_size(layer)),
      P(config.proj_size), O(config.output_size()) {}

PlainWeights plain_from_torch(const LayerDims& d, const LayerWeights& w) {
    PlainWeights out = empty_plain(d);
    to_ldigo(d.mode, w.weight_ih, d.C, d.G, d.H, out.layer.data());
    to_ldigo(d.mode, w.weight_hh, d.O, d.G, d.H, out.iter.data());
    if (d.P > 0) // weight_hr [P][H] -> ldio [H][P]
        for (int64_t p = 0; p < d.P; ++p)
            for (int64_t h = 0; h < d.H; ++h) out.projection.data()[h * d.P + p] = w.weight_hr[p * d.H + h];
    fold_bias(d, w.bias_ih, w.bias_hh, out.bias.data());
    return out;
}

void fold_bias(const LayerDims& d, const float* bias_ih, const float* bias_hh, float* bias) {
    if (!bias_ih) return; // zeros, as the arrays were made
    for (int64_t g = 0; g < d.G; ++g) {
        const int64_t src = torch_gate(d.mode, g) * d.H;
        const bool apart = keeps_recurrent_bias_apart(d.mode, g);
        for (int64_t h = 0; h < d.H; ++h) bias[g * d.H + h] = bias_ih[src + h] + (apart ? 0.f : bias_hh[src + h]);
        if (apart)
            for (int64_t h = 0; h < d.H; ++h) bias[d.G * d.H + h] = bias_hh[src + h];
    }
}

void block_bias(const LayerDims& d, const float* ldgo, FloatArray* bias, FloatArray* bias_hn) {
    const int64_t blocks = blocks_of(d.H);
    *bias = FloatArray(blocks * d.G * kLanes);
    block(ldgo, 1, d.G, d.H, bias->data()); // ldgo [G][H] is ldigo with one channel
    *bias_hn = FloatArray(blocks * kLanes);
    if (linear_before_reset(d.mode))
        std::memcpy(bias_hn->data(), ldgo + d.G * d.H, static_cast<std::size_t>(d.H) * sizeof(float));
}

BlockedWeights blocked_from_plain(const LayerDims& d, const PlainWeights& p) {
    BlockedWeights b;
    b.blocks = blocks_of(d.H);
    b.layer = FloatArray(b.blocks * d.C * d.G * kLanes);
    block(p.layer.data(), d.C, d.G, d.H, b.layer.data());
    b.iter = FloatArray(b.blocks * d.O * d.G * kLanes);
    block(p.iter.data(), d.O, d.G, d.H, b.iter.data());
    if (d.P > 0) { // ldio [H][P] is ldigo with one gate
        b.proj_blocks = blocks_of(d.P);
        b.projection = FloatArray(b.proj_blocks * d.H * kLanes);
        block(p.projection.data(), d.H, 1, d.P, b.projection.data());
    }
    block_bias(d, p.bias.data(), &b.bias, &b.bias_hn);
    return b;
}

PlainWeights plain_from_blocked(const LayerDims& d, const BlockedWeights& b) {
    PlainWeights p = empty_plain(d);
    unblock(b.layer.data(), d.C, d.G, d.H, p.layer.data());
    unblock(b.iter.data(), d.O, d.G, d.H, p.iter.data());
    if (d.P > 0) unblock(b.projection.data(), d.H, 1, d.P, p.projection.data());
    unblock(b.bias.data(), 1, d.G, d.H, p.bias.data());
    if (linear_before_reset(d.mode))
        std::memcpy(p.bias.data() + d.G * d.H, b.bias_hn.data(), static_cast<std::size_t>(d.H) * sizeof(float));
    return p;
}

void torch_matrices_from_plain(const LayerDims& d, const PlainWeights& p, const MutableLayerWeights& out) {
    from_ldigo(d.mode, p.layer.data(), d.C, d.G, d.H, out.weight_ih);
    from_ldigo(d.mode, p.iter.data(), d.O, d.G, d.H, out.weight_hh);
    if (d.P > 0)
        for (int64_t p_ = 0; p_ < d.P; ++p_)
            for (int64_t h = 0; h < d.H; ++h) out.weight_hr[p_ * d.H + h] = p.projection.data()[h * d.P + p_];
}

} // namespace mkldnn_rnn::detail
