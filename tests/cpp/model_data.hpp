// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// Seeded random models and inputs in PyTorch's layout, shared by the engine tests and the reference.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "mkldnn_rnn/mkldnn_rnn.hpp"

namespace mkldnn_rnn::testing {

// One model's weights as torch.nn holds them: per (layer, direction), in _flat_weights order.
struct ModelWeights {
    RnnConfig config;
    std::vector<std::vector<float>> w_ih, w_hh, b_ih, b_hh, w_hr; // empty vectors where absent

    // Pointers for PackedRnn::pack (nullptr for absent arrays); valid while *this lives.
    std::vector<LayerWeights> views() const;
};

// Weights uniform in [-1/sqrt(H), 1/sqrt(H)], as torch.nn initialises them.
ModelWeights random_weights(const RnnConfig& config, uint32_t seed);

// n floats uniform in [-1, 1].
std::vector<float> random_floats(int64_t n, uint32_t seed);

} // namespace mkldnn_rnn::testing
