// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
#include "model_data.hpp"

#include <cmath>

namespace mkldnn_rnn::testing {
namespace {

std::vector<float> uniform(int64_t n, float bound, std::mt19937& gen) {
    std::uniform_real_distribution<float> dist(-bound, bound);
    std::vector<float> v(static_cast<std::size_t>(n));
    for (float& x : v) x = dist(gen);
    return v;
}

const float* data_or_null(const std::vector<float>& v) { return v.empty() ? nullptr : v.data(); }

} // namespace

std::vector<LayerWeights> ModelWeights::views() const {
    std::vector<LayerWeights> out(w_ih.size());
    for (std::size_t k = 0; k < out.size(); ++k)
        out[k] = {data_or_null(w_ih[k]), data_or_null(w_hh[k]), data_or_null(b_ih[k]), data_or_null(b_hh[k]),
                  data_or_null(w_hr[k])};
    return out;
}

ModelWeights random_weights(const RnnConfig& c, uint32_t seed) {
    std::mt19937 gen(seed);
    const float bound = 1.0f / std::sqrt(static_cast<float>(c.hidden_size));
    const int64_t GH = c.num_gates() * c.hidden_size;
    ModelWeights m{c, {}, {}, {}, {}, {}};
    for (int64_t layer = 0; layer < c.num_layers; ++layer) {
        for (int64_t d = 0; d < c.num_directions(); ++d) {
            m.w_ih.push_back(uniform(GH * c.layer_input_size(layer), bound, gen));
            m.w_hh.push_back(uniform(GH * c.output_size(), bound, gen));
            m.b_ih.push_back(c.bias ? uniform(GH, bound, gen) : std::vector<float>{});
            m.b_hh.push_back(c.bias ? uniform(GH, bound, gen) : std::vector<float>{});
            m.w_hr.push_back(c.proj_size > 0 ? uniform(c.proj_size * c.hidden_size, bound, gen)
                                             : std::vector<float>{});
        }
    }
    return m;
}

std::vector<float> random_floats(int64_t n, uint32_t seed) {
    std::mt19937 gen(seed);
    return uniform(n, 1.0f, gen);
}

} // namespace mkldnn_rnn::testing
