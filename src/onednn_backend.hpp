// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// The only interface to oneDNN. Everything version-specific (oneDNN 2.x's op descriptors, memory
// descriptors, reorders, execute) lives behind it, in onednn_backend.cpp, so a port to oneDNN 3.x
// touches that one file. Nothing here includes dnnl.hpp.
#pragma once

#include <cstdint>
#include <memory>

#include "mkldnn_rnn/config.hpp"
#include "step_kernel.hpp"
#include "weight_packing.hpp"

namespace mkldnn_rnn::detail {

// One (layer, direction)'s weights in oneDNN memory: the plain layout packed at pack() time, and copies
// in whatever other layouts primitives asked for, each reordered once on first use (bounded).
class LayerWeightsMemory {
public:
    LayerWeightsMemory(const RnnConfig& config, int64_t layer, const PlainLayerWeights& plain);
    ~LayerWeightsMemory();

    // The plain arrays packed at construction: weights_layer and weights_iter in ldigo
    // ([channels][gates][hidden]), bias in ldgo ([bias_gates(config)][hidden]), the LSTM projection in
    // ldio ([hidden][proj_size]; nullptr without proj_size).
    struct Plain {
        const float* layer;
        const float* iter;
        const float* bias;
        const float* projection;
    };
    Plain plain() const;

    struct Impl;
    Impl& impl() const { return *impl_; }

private:
    std::unique_ptr<Impl> impl_;
};

// Threads the calling thread's next oneDNN execution will use (torch.set_num_threads sets it too).
int backend_max_threads();

// A created forward-inference primitive with its memory descriptors. execute() is safe to call
// concurrently: each execution takes its own set of memory objects from a pool (grown only when more
// executions overlap than ever before) and its scratchpad from the calling thread's workspace.
class RnnPrimitive final : public StepKernel {
public:
    explicit RnnPrimitive(const PrimitiveKey& key);
    ~RnnPrimitive() override;
    void execute(const RnnCallArgs& args, const LayerPack& weights, Workspace& workspace) const override;
    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

} // namespace mkldnn_rnn::detail
