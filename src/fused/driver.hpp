// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// What the fused kernel's driver (driver.inc) reads: one (layer, direction)'s weights as an inner
// product P sees them (inner_product_*.hpp), whatever copy they come from.
#pragma once

#include <algorithm>
#include <cstdint>

#include "weights/layouts.hpp"

namespace mkldnn_rnn::detail {

template <class P>
struct KernelWeights {
    typename P::Matrix layer, iter, projection; // W_ih, W_hh, W_hr (P > 0)
    int64_t layer_groups = 0, iter_groups = 0, projection_groups = 0; // ceil(K / P::kGroup) of each
    const float* bias = nullptr;    // [blocks][G][16]
    const float* bias_hn = nullptr; // [blocks][16]
    int64_t blocks = 0, proj_blocks = 0;
};

// Rows per pass of the input projection and of a step (rows whose step shares one pass over W_hh): G
// accumulators per row plus G weights of W vectors each, and two to spare, in the V vector registers of
// 16 lanes the ISA has (simd_*.hpp: 32 on AVX-512, 8 on AVX2, where a vector is two ymm). A step of
// more rows reads W_hh from L2 fewer times per step: 6 rather than 4 made fp32 LSTM 256 calls 10 %
// faster at batch 5 and 24 % at batch 6 on one thread (docs/performance.md, "The fused small-batch
// kernel"). GRU's projection takes 8 rows where 9 would fit, as measured on AVX-512.
constexpr int kMaxProjectRows = 12;
constexpr int kMaxStepRows = 6;
constexpr int rows_that_fit(int G, int W, int V, int most) {
    // With two ymm per vector (V = 8) the spare is one register, the broadcast operand: 6 rows of one
    // gate, 12 accumulators and 2 weights, is the 6x16 kernel of AVX2 GEMMs.
    const int rows = V >= 32 ? (V - 2 - G * W) / G : (2 * V - 1 - 2 * G * W) / (2 * G);
    return std::clamp(rows, 1, most);
}
// Gates per pass of a product of several rows (G: all of them). With 8 vectors (AVX2) it runs one gate per
// pass: a gate's weights are cache lines of their own in the blocked layout, so a pass reads only its
// own, and its rows share each weight up to 6 times (rows_that_fit(1, 1, 8)) instead of once with all 4
// LSTM gates in registers. The input projection's outputs are pre-activations, which need no gate
// beside another; a step's pass its sums through a buffer to the gate math. A single row keeps all
// gates in one pass (one gate per pass at one row ran a whole T=1 call at 0.68x).
constexpr int gates_per_pass(int G, int V) { return V >= 32 ? G : 1; }

constexpr int max_project_rows(int G, int W, int V) {
    return rows_that_fit(gates_per_pass(G, V), W, V, G == 3 && W == 1 ? 8 : kMaxProjectRows);
}
constexpr int max_step_rows(int G, int W, int V) { return rows_that_fit(gates_per_pass(G, V), W, V, kMaxStepRows); }

// A batch's rows in passes of at most max_rows, as even as they split: 7 rows in passes of 6 are 3 + 4,
// not 6 + 1, whose second pass would read all of W_hh for one row.
struct RowPasses {
    int64_t rows, passes;
    RowPasses(int64_t n, int max_rows) : rows(n), passes((n + max_rows - 1) / max_rows) {}
    int64_t begin(int64_t q) const { return rows * q / passes; }
    int size(int64_t q) const { return static_cast<int>(begin(q + 1) - begin(q)); }
};

// With fewer than 8 accumulator registers an inner product's sum is split into independent partial
// sums over alternate k, so that the 4-5 cycle latency of FMA (or VDPBF16PS, VPDPBUSD) is hidden; one
// row of an RNN is a single chain: splitting it made a whole RNN T=1 call 1.5x faster (AVX-512).
// `registers`: the accumulators' hardware registers (G x rows x the ISA's registers per vector).
constexpr int partial_sums(int registers) { return registers >= 8 ? 1 : registers >= 4 ? 2 : 4; }

// The input projection of a chunk of steps is computed before their recurrence, into at most this many
// bytes of the workspace: a whole sentence at the benchmark's shape, and bounded for T = 100k.
constexpr int64_t kProjectionBytes = 256 * 1024;

} // namespace mkldnn_rnn::detail
