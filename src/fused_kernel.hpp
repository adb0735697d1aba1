// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// mkldnn_rnn's own step kernel for small batches (WeightsFormat::fused).
//
// At batch 1 a recurrent step is a matrix-vector product, bound by how fast a core reads W_hh; oneDNN
// 2.6's RNN drivers spend more per step than that read costs (docs/performance.md). This kernel:
//  * keeps the weights blocked by 16 hidden units with the gates of a unit side by side,
//    [H/16][channels][gates][16], so one block's gate pre-activations are four (LSTM) vector
//    accumulators and the gate math runs on them in registers, fused into the product;
//  * computes the input projection W_ih x + b of a chunk of steps before their recurrence, each weight
//    loaded once for up to 24 / gates rows of (step, batch);
//  * splits the hidden blocks between the OpenMP threads, each thread keeping its share of W_hh in its
//    own core's cache, with one barrier per step (h of the whole layer feeds the next step).
// It covers LSTM (with proj_size: h = W_hr (o * tanh(c)) after a second barrier per step), GRU
// (linear-before-reset, as oneDNN and torch.nn) and RNN, at any batch, on CPUs with AVX-512; the
// autotuner offers it where that batch is small.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>

#include "mkldnn_rnn/config.hpp"
#include "step_kernel.hpp"

namespace mkldnn_rnn::detail {

// True when this CPU can run the fused kernel (AVX-512); it runs every configuration.
bool fused_kernel_available();

// Batches up to this size are worth measuring the fused kernel on; above it oneDNN's GEMM-based
// drivers amortise their per-step cost and win.
constexpr int64_t fused_kernel_max_tuned_batch = 16;

// One (layer, direction)'s weights blocked for the fused kernel, made from oneDNN's plain copy on the
// first call that needs them (a model that never runs the fused kernel never pays their memory).
class FusedWeights {
public:
    FusedWeights(const RnnConfig& config, int64_t layer);
    ~FusedWeights();
    struct Blocked;
    const Blocked& get(const LayerWeightsMemory& plain) const;

private:
    Mode mode_;
    int64_t src_channels_, hidden_, proj_size_;
    mutable std::once_flag once_;
    mutable std::unique_ptr<Blocked> blocked_;
};

class FusedKernel final : public StepKernel {
public:
    explicit FusedKernel(const PrimitiveKey& key) : key_(key) {}
    void execute(const RnnCallArgs& args, const LayerPack& weights, Workspace& workspace) const override;

private:
    PrimitiveKey key_;
};

} // namespace mkldnn_rnn::detail
