// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
#include "weight_packing.hpp"

namespace mkldnn_rnn::detail {
namespace {

// PyTorch gate index feeding oneDNN gate g.
int64_t pytorch_gate(Mode mode, int64_t g) {
    static constexpr int64_t gru_order[3] = {1, 0, 2}; // oneDNN z,r,n <- PyTorch r,z,n
    return mode == Mode::GRU ? gru_order[g] : g;
}

// PyTorch weight [G*H, C] (row = gate*H + h) -> oneDNN ldigo [C][G][H].
std::vector<float> to_ldigo(Mode mode, const float* w, int64_t C, int64_t G, int64_t H) {
    std::vector<float> out(static_cast<size_t>(C * G * H));
    for (int64_t g = 0; g < G; ++g) {
        const float* src_gate = w + pytorch_gate(mode, g) * H * C;
        for (int64_t h = 0; h < H; ++h)
            for (int64_t c = 0; c < C; ++c) out[(c * G + g) * H + h] = src_gate[h * C + c];
    }
    return out;
}

} // namespace

int64_t bias_gates(const RnnConfig& config) {
    return config.mode == Mode::GRU ? 4 : config.num_gates();
}

PlainLayerWeights to_onednn_plain(const RnnConfig& config, int64_t layer, const LayerWeights& weights) {
    const int64_t G = config.num_gates(), H = config.hidden_size, P = config.proj_size;
    PlainLayerWeights out;
    out.layer = to_ldigo(config.mode, weights.weight_ih, config.layer_input_size(layer), G, H);
    out.iter = to_ldigo(config.mode, weights.weight_hh, config.output_size(), G, H);

    if (P > 0) { // weight_hr [P][H] -> ldio [H][P]
        out.projection.resize(static_cast<size_t>(H * P));
        for (int64_t p = 0; p < P; ++p)
            for (int64_t h = 0; h < H; ++h) out.projection[h * P + p] = weights.weight_hr[p * H + h];
    }

    out.bias.assign(static_cast<size_t>(bias_gates(config) * H), 0.f);
    if (config.bias) {
        for (int64_t g = 0; g < G; ++g) {
            const int64_t src = pytorch_gate(config.mode, g) * H;
            const bool gru_n = config.mode == Mode::GRU && g == 2; // n keeps its two biases apart
            for (int64_t h = 0; h < H; ++h)
                out.bias[g * H + h] = weights.bias_ih[src + h] + (gru_n ? 0.f : weights.bias_hh[src + h]);
        }
        if (config.mode == Mode::GRU)
            for (int64_t h = 0; h < H; ++h) out.bias[3 * H + h] = weights.bias_hh[2 * H + h];
    }
    return out;
}

} // namespace mkldnn_rnn::detail
