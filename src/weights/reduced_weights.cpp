// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
#include "weights/reduced_weights.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace mkldnn_rnn::detail {
namespace {

// One torch.nn matrix as the blocked layouts see it: `gates` gates of `units` rows each (row of gate g,
// unit u: torch_gate(g) * units + u), over K columns.
struct TorchMatrix {
    Mode mode; // for the gate order; W_hr has one gate and no order
    int64_t gates, units, K;
    int64_t row(int64_t g, int64_t u) const { return torch_gate(mode, g) * units + u; }
};

// Element (g, u, k) of a reduced matrix with k grouped by `kg`; its row's scale is at scale_index.
int64_t reduced_index(const TorchMatrix& m, int64_t kg, int64_t g, int64_t u, int64_t k) {
    const int64_t groups = ceil_div(m.K, kg);
    return (((u / kLanes * groups + k / kg) * m.gates + g) * kLanes + u % kLanes) * kg + k % kg;
}
int64_t scale_index(const TorchMatrix& m, int64_t g, int64_t u) { return (u / kLanes * m.gates + g) * kLanes + u % kLanes; }

int64_t reduced_elements(const TorchMatrix& m, int64_t kg) {
    return blocks_of(m.units) * ceil_div(m.K, kg) * m.gates * kLanes * kg;
}

ReducedMatrix bf16_matrix(const TorchMatrix& m, const float* w) {
    ReducedMatrix r;
    r.K = m.K;
    r.values = AlignedArray<uint8_t>(reduced_elements(m, 2) * 2);
    auto* out = reinterpret_cast<uint16_t*>(r.values.data());
    for (int64_t g = 0; g < m.gates; ++g)
        for (int64_t u = 0; u < m.units; ++u)
            for (int64_t k = 0; k < m.K; ++k) out[reduced_index(m, 2, g, u, k)] = round_to_bf16(w[m.row(g, u) * m.K + k]);
    return r;
}

ReducedMatrix int8_matrix(const TorchMatrix& m, const Int8Matrix& w) {
    ReducedMatrix r;
    r.K = m.K;
    r.values = AlignedArray<uint8_t>(reduced_elements(m, 4));
    const int64_t lanes = blocks_of(m.units) * m.gates * kLanes;
    r.scales = FloatArray(lanes);
    r.compensation = AlignedArray<int32_t>(lanes);
    auto* out = reinterpret_cast<int8_t*>(r.values.data());
    for (int64_t g = 0; g < m.gates; ++g)
        for (int64_t u = 0; u < m.units; ++u) {
            const int64_t row = m.row(g, u), s = scale_index(m, g, u);
            int32_t sum = 0;
            for (int64_t k = 0; k < m.K; ++k) {
                const int8_t v = w.values[row * m.K + k];
                out[reduced_index(m, 4, g, u, k)] = v;
                sum += v;
            }
            r.scales.data()[s] = w.scales[row];
            r.compensation.data()[s] = 128 * sum;
        }
    return r;
}

// The three matrices of one (layer, direction).
TorchMatrix layer_matrix(const LayerDims& d) { return {d.mode, d.G, d.H, d.C}; }
TorchMatrix iter_matrix(const LayerDims& d) { return {d.mode, d.G, d.H, d.O}; }
TorchMatrix projection_matrix(const LayerDims& d) { return {Mode::LSTM, 1, d.P, d.H}; }

void set_biases(const LayerDims& d, const float* bias_ih, const float* bias_hh, ReducedWeights* r) {
    FloatArray ldgo(d.bias_gates() * d.H);
    fold_bias(d, bias_ih, bias_hh, ldgo.data());
    block_bias(d, ldgo.data(), &r->bias, &r->bias_hn);
    r->blocks = blocks_of(d.H);
    r->proj_blocks = d.P > 0 ? blocks_of(d.P) : 0;
}

// Element (g, u, k) of a reduced matrix in fp32.
float reduced_value(const ReducedWeights& r, const ReducedMatrix& rm, const TorchMatrix& m, int64_t g, int64_t u, int64_t k) {
    if (r.precision == Precision::bf16)
        return bf16_to_float(reinterpret_cast<const uint16_t*>(rm.values.data())[reduced_index(m, 2, g, u, k)]);
    return static_cast<float>(reinterpret_cast<const int8_t*>(rm.values.data())[reduced_index(m, 4, g, u, k)])
            * rm.scales.data()[scale_index(m, g, u)];
}

void to_torch(const ReducedWeights& r, const ReducedMatrix& rm, const TorchMatrix& m, float* w) {
    for (int64_t g = 0; g < m.gates; ++g)
        for (int64_t u = 0; u < m.units; ++u)
            for (int64_t k = 0; k < m.K; ++k) w[m.row(g, u) * m.K + k] = reduced_value(r, rm, m, g, u, k);
}

void to_int8(const ReducedMatrix& rm, const TorchMatrix& m, const MutableInt8Matrix& w) {
    const auto* values = reinterpret_cast<const int8_t*>(rm.values.data());
    for (int64_t g = 0; g < m.gates; ++g)
        for (int64_t u = 0; u < m.units; ++u) {
            const int64_t row = m.row(g, u);
            w.scales[row] = rm.scales.data()[scale_index(m, g, u)];
            for (int64_t k = 0; k < m.K; ++k) w.values[row * m.K + k] = values[reduced_index(m, 4, g, u, k)];
        }
}

} // namespace

uint16_t round_to_bf16(float value) {
    uint32_t bits;
    std::memcpy(&bits, &value, sizeof(bits));
    if (std::isnan(value)) return static_cast<uint16_t>((bits | 0x00400000u) >> 16); // quiet, never inf
    bits += 0x7fffu + ((bits >> 16) & 1u);
    return static_cast<uint16_t>(bits >> 16);
}

float bf16_to_float(uint16_t value) {
    const uint32_t bits = static_cast<uint32_t>(value) << 16;
    float f;
    std::memcpy(&f, &bits, sizeof(f));
    return f;
}

void quantize_rows(const float* w, int64_t rows, int64_t cols, int8_t* values, float* scales) {
    for (int64_t r = 0; r < rows; ++r) {
        const float* row = w + r * cols;
        float max_abs = 0.f;
        for (int64_t c = 0; c < cols; ++c) max_abs = std::max(max_abs, std::fabs(row[c]));
        const float scale = max_abs > 0.f ? max_abs / 127.f : 1.f;
        scales[r] = scale;
        for (int64_t c = 0; c < cols; ++c)
            values[r * cols + c] = static_cast<int8_t>(std::clamp(std::nearbyint(row[c] / scale), -127.f, 127.f));
    }
}

namespace {

// A reduced copy of one (layer, direction) from torch.nn's arrays, each matrix made by `matrix`.
template <typename Layer, typename MakeMatrix>
ReducedWeights reduced_from_torch(const LayerDims& d, Precision precision, const Layer& w, MakeMatrix&& matrix) {
    ReducedWeights r;
    r.precision = precision;
    r.layer = matrix(layer_matrix(d), w.weight_ih);
    r.iter = matrix(iter_matrix(d), w.weight_hh);
    if (d.P > 0) r.projection = matrix(projection_matrix(d), w.weight_hr);
    set_biases(d, w.bias_ih, w.bias_hh, &r);
    return r;
}

} // namespace

ReducedWeights bf16_from_torch(const LayerDims& d, const LayerWeights& w) {
    return reduced_from_torch(d, Precision::bf16, w, bf16_matrix);
}

ReducedWeights int8_from_torch(const LayerDims& d, const Int8LayerWeights& w) {
    return reduced_from_torch(d, Precision::int8, w, int8_matrix);
}

void torch_matrices_from_reduced(const LayerDims& d, const ReducedWeights& r, const MutableLayerWeights& out) {
    to_torch(r, r.layer, layer_matrix(d), out.weight_ih);
    to_torch(r, r.iter, iter_matrix(d), out.weight_hh);
    if (d.P > 0) to_torch(r, r.projection, projection_matrix(d), out.weight_hr);
}

void int8_matrices_from_reduced(const LayerDims& d, const ReducedWeights& r, const MutableInt8LayerWeights& out) {
    to_int8(r.layer, layer_matrix(d), out.weight_ih);
    to_int8(r.iter, iter_matrix(d), out.weight_hh);
    if (d.P > 0) to_int8(r.projection, projection_matrix(d), out.weight_hr);
}

} // namespace mkldnn_rnn::detail
