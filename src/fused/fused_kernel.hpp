// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// mkldnn_rnn's own step kernel for small batches (WeightsFormat::fused), in fp32, bf16 and int8.
//
// At batch 1 a recurrent step is a matrix-vector product, bound by how fast a core reads W_hh; oneDNN
// 2.6's RNN drivers spend more per step than that read costs (docs/performance.md). This kernel:
//  * keeps the weights blocked by 16 hidden units with the gates of a unit side by side,
//    [H/16][channels][gates][16] (bf16 and int8 group 2 and 4 channels per lane: weights/reduced_weights.hpp),
//    so one block's gate pre-activations are G (4 for LSTM) vector accumulators and the gate math runs
//    on them in registers, fused into the product;
//  * computes the input projection W_ih x + b of a chunk of steps before their recurrence, each weight
//    loaded once for up to 24 / G rows of (step, batch);
//  * splits the hidden blocks between the OpenMP threads, each thread keeping its share of W_hh in its
//    own core's cache, with one barrier per step (h of the whole layer feeds the next step).
// It covers LSTM (with proj_size: h = W_hr (o * tanh(c)) after a second barrier per step), GRU
// (linear-before-reset, as oneDNN and torch.nn) and RNN, at any batch, on CPUs with AVX2 + FMA or AVX-512; the engine
// decides per shape class where fp32 runs (policy/decision_table.hpp), and runs bf16 and int8 here always.
//
// The parts, as oneDNN's src/cpu/rnn/ splits them: the driver (driver.hpp, driver.inc), the gate math once
// for every dtype (cell_math.inc), one inner product per dtype with its emulation beside it
// (inner_product_{f32,bf16,int8}.inc), all written once against a vector of 16 lanes (simd_avx512.hpp,
// simd_avx2.hpp) and compiled per ISA (kernel.inc), and the one table of variants the CPU's features pick
// from (variants.hpp, platform/isa.hpp).
#pragma once

#include "engine/step_kernel.hpp"
#include "fused/variants.hpp"
#include "weights/weight_store.hpp"

namespace mkldnn_rnn::detail {

// One (layer, direction) on the fused kernel, at any steps, batch and strides: it reads its weights'
// blocked (fp32) or reduced copy (weights/weight_store.hpp) and its dims from each call. Its variants
// (variants.hpp) are chosen once, from the weights' precision and this CPU: one for a call on the
// calling thread alone, one for a call given a team.
class FusedKernel final : public StepKernel {
public:
    FusedKernel(const WeightStore& weights, bool reverse);
    void execute(const StepShape& shape, const RnnCallArgs& args, Workspace& workspace) const override;

private:
    const WeightStore& weights_;
    bool reverse_;
    const FusedVariant* alone_;
    const FusedVariant* team_;
};

} // namespace mkldnn_rnn::detail
