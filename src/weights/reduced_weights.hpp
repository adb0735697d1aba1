// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// The bf16 and int8 copies of one (layer, direction)'s weights (Precision, packed_rnn.hpp): the fused
// kernel's blocked layout (layouts.hpp) with k grouped by what one instruction multiplies per lane,
//   bf16  [blocks][ceil(K / 2)][G][16][2]  VDPBF16PS: a pair of k per fp32 lane;
//   int8  [blocks][ceil(K / 4)][G][16][4]  VPDPBUSD: a quad of k per int32 lane;
// k past K and units past H (or P) are zero weights. The biases stay fp32, blocked as in BlockedWeights.
// Both hold torch.nn's matrices exactly (bf16 as rounded, int8 as values and row scales), so neither
// keeps an fp32 copy.
#pragma once

#include <cstddef>
#include <cstdint>

#include "mkldnn_rnn/types.hpp"
#include "mkldnn_rnn/weights.hpp"
#include "weights/layouts.hpp"

namespace mkldnn_rnn::detail {

// k per lane group: 2 for bf16, 4 for int8.
constexpr int64_t k_group(Precision precision) { return precision == Precision::bf16 ? 2 : 4; }

// One weight matrix of G gates of `units` outputs over K inputs.
struct ReducedMatrix {
    int64_t K = 0;
    AlignedArray<uint8_t> values;             // bf16 (uint16_t) or int8 elements, laid out as above
    FloatArray scales;                        // int8: [blocks][G][16], the scale of each output row
    AlignedArray<int32_t> compensation;       // int8: [blocks][G][16], 128 * sum_k values: the kernel's
                                              // operands are uint8, v + 128 (fused/fused_kernel.hpp)
    std::size_t bytes() const { return values.bytes() + scales.bytes() + compensation.bytes(); }
};

struct ReducedWeights {
    Precision precision = Precision::bf16;
    int64_t blocks = 0, proj_blocks = 0; // as BlockedWeights
    ReducedMatrix layer, iter;           // W_ih (K = C), W_hh (K = O)
    ReducedMatrix projection;            // W_hr (K = H, units P); empty without proj_size
    FloatArray bias, bias_hn;            // as BlockedWeights
    std::size_t bytes() const {
        return layer.bytes() + iter.bytes() + projection.bytes() + bias.bytes() + bias_hn.bytes();
    }
};

// fp32 -> bf16, round to nearest even; a NaN stays a (quiet) NaN.
uint16_t round_to_bf16(float value);
float bf16_to_float(uint16_t value);

// Symmetric per-row int8 quantization of a row-major [rows][cols] matrix: scale = max |w| / 127 (1 for a
// row of zeros), values = w / scale rounded to nearest even, in [-127, 127].
void quantize_rows(const float* w, int64_t rows, int64_t cols, int8_t* values, float* scales);

// torch.nn's fp32 weights rounded to bf16.
ReducedWeights bf16_from_torch(const LayerDims& dims, const LayerWeights& weights);
// An int8 model's weights, exactly as given.
ReducedWeights int8_from_torch(const LayerDims& dims, const Int8LayerWeights& weights);

// torch.nn's weight matrices (weight_ih, weight_hh, weight_hr when P > 0) in fp32: bf16 exactly, int8 as
// values * scales. The biases are kept beside (weight_store.hpp); out's bias pointers are ignored.
void torch_matrices_from_reduced(const LayerDims& dims, const ReducedWeights& reduced, const MutableLayerWeights& out);
// An int8 copy's matrices exactly (values and scales); out's bias pointers are ignored.
void int8_matrices_from_reduced(const LayerDims& dims, const ReducedWeights& reduced, const MutableInt8LayerWeights& out);

} // namespace mkldnn_rnn::detail
