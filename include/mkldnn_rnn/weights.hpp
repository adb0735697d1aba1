// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// A model's weights as the core takes them and gives them back: torch.nn's own arrays, fp32 or int8.
#pragma once

#include <cstdint>

namespace mkldnn_rnn {

// One (layer, direction) of a model, exactly as torch.nn stores it: contiguous row-major fp32 arrays,
// gates in PyTorch's order (LSTM i,f,g,o; GRU r,z,n). G = num_gates, H = hidden_size, P = proj_size.
//   weight_ih [G*H, layer_input_size]     weight_hh [G*H, P if P > 0 else H]
//   bias_ih   [G*H]  bias_hh [G*H]        (both nullptr when config.bias is false)
//   weight_hr [P, H]                      (LSTM with proj_size > 0 only; nullptr otherwise)
// The arrays are read during PackedRnn::pack only; nothing keeps a pointer to them.
struct LayerWeights {
    const float* weight_ih = nullptr;
    const float* weight_hh = nullptr;
    const float* bias_ih = nullptr;
    const float* bias_hh = nullptr;
    const float* weight_hr = nullptr;
};

// torch.nn's tensors of one (layer, direction), to be written: the arrays of LayerWeights, caller-owned.
struct MutableLayerWeights {
    float* weight_ih = nullptr;
    float* weight_hh = nullptr;
    float* bias_ih = nullptr;
    float* bias_hh = nullptr;
    float* weight_hr = nullptr;
};

// An int8 weight matrix in torch.nn's layout: weight[r][c] = values[r][c] * scales[r], one scale per row
// (a per-tensor quantization repeats its scale; zero points are 0: symmetric, as torch's dynamic
// quantization makes them). Row-major and contiguous, read during PackedRnn::pack_int8 only.
struct Int8Matrix {
    const int8_t* values = nullptr;
    const float* scales = nullptr;
};

// One (layer, direction) of an int8 model: LayerWeights with int8 matrices; the biases stay fp32.
struct Int8LayerWeights {
    Int8Matrix weight_ih, weight_hh;
    const float* bias_ih = nullptr;
    const float* bias_hh = nullptr;
    Int8Matrix weight_hr; // proj_size > 0 only
};

struct MutableInt8Matrix {
    int8_t* values = nullptr;
    float* scales = nullptr;
};

struct MutableInt8LayerWeights {
    MutableInt8Matrix weight_ih, weight_hh;
    float* bias_ih = nullptr;
    float* bias_hh = nullptr;
    MutableInt8Matrix weight_hr;
};

} // namespace mkldnn_rnn
