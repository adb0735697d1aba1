// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// bf16 and int8 inner products on AMX tiles (TDPBF16PS, TDPBUSD) for the fused kernel: up to 16 rows at once.
//
// AMX multiplies a 16-row tile of bf16 pairs by a 16-column one per instruction: on the Xeon of
// docs/precision.md ~15x the multiply-adds of AVX-512 FMA per cycle on 16 rows, and still ~1.1x FMA's
// on one row, where a step is bound by reading W_hh and reads half the bytes. The bf16 weights' layout
// and int8 weights' layouts (weights/reduced_weights.hpp) are AMX's own: one k group of a block's gate is a row
// of a B tile (16 lanes x 2 bf16, or x 4 int8), so tiles load straight from them with a stride and
// nothing is repacked.
//
// A thread keeps its tile configuration between calls: releasing the tiles at the end of every call
// (TILERELEASE) made a whole T=1 LSTM call ~25 us slower here, more than the call itself.
#pragma once

#include <cstddef>
#include <cstdint>

#include "mkldnn_rnn/types.hpp"

namespace mkldnn_rnn::detail {

// The CPU has AMX for `precision` (AMX-BF16, AMX-INT8) and the kernel granted this process the tile
// state (Linux's ARCH_REQ_XCOMP_PERM, asked once). False under MKLDNN_RNN_MAX_ISA below avx512_core_amx.
bool amx_available(Precision precision);

// Rows of one tile.
constexpr int kAmxRows = 16;

// Where a gate's sums start: `rows` rows `stride` bytes apart (stride 0: the same row for all), or
// zeros (rows == nullptr).
struct TileStart {
    const float* rows = nullptr;
    std::size_t stride = 0;
};

// One hidden block's G gates (G <= 4) of `rows` (1..16) rows:
//   out[r][g * 16 + lane] = start[g][r][lane] + sum_k x[r][k] * W[k][g][lane],
// with W one block of the bf16 layout ([groups][G][16][2], groups = ceil(K / 2)), x rows of bf16 pairs
// `x_stride` bytes apart (zero past K up to a whole 32 values), out rows `out_stride` bytes apart.
void amx_bf16_product(const uint16_t* w, int64_t groups, int G, const TileStart* start, const void* x,
                      std::size_t x_stride, int rows, float* out, std::size_t out_stride);

// The same for int8 ([groups][G][16][4], groups = ceil(K / 4); x rows of uint8 quads, q + 128): the exact
// int32 sums sum_k (q[r][k] + 128) * W[k][g][lane], from zero (inner_product_int8.hpp scales them).
void amx_int8_product(const int8_t* w, int64_t groups, int G, const void* x, std::size_t x_stride, int rows,
                      int32_t* out, std::size_t out_stride);

} // namespace mkldnn_rnn::detail
