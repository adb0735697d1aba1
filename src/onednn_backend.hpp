// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// The only interface to oneDNN. Everything version-specific (oneDNN 2.x's op descriptors, memory
// descriptors, reorders, execute) lives behind it, in onednn_backend.cpp, so a port to oneDNN 3.x
// touches that one file. Nothing here includes dnnl.hpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include "mkldnn_rnn/config.hpp"
#include "mkldnn_rnn/packed_rnn.hpp"
#include "weight_packing.hpp"

namespace mkldnn_rnn::detail {

class Workspace;

enum class Direction : int32_t { left_to_right, right_to_left };

// Everything that determines one oneDNN RNN primitive: cell, direction, weights format, threads, sizes
// and the strides of the sequence arguments (states are always dense [batch, channels]). Four int32 and
// then int64 fields: no padding bytes, so the key hashes and compares as raw memory.
struct PrimitiveKey {
    int32_t mode = 0;
    int32_t direction = 0;
    int32_t weights_format = 0;
    int32_t threads = 0; // OpenMP threads the primitive will run with (oneDNN sizes its work by it)
    int64_t steps = 0, batch = 0;
    int64_t src_channels = 0, hidden = 0, proj = 0;
    int64_t src_stride_t = 0, src_stride_n = 0; // src_layer [steps, batch, src_channels]
    int64_t dst_stride_t = 0, dst_stride_n = 0; // dst_layer [steps, batch, H_out]

    bool operator==(const PrimitiveKey& o) const;
};

struct PrimitiveKeyHash {
    std::size_t operator()(const PrimitiveKey& key) const;
};

// One (layer, direction)'s weights in oneDNN memory: the plain layout packed at pack() time, and copies
// in whatever other layouts primitives asked for, each reordered once on first use (bounded).
class LayerWeightsMemory {
public:
    LayerWeightsMemory(const RnnConfig& config, int64_t layer, const PlainLayerWeights& plain);
    ~LayerWeightsMemory();
    struct Impl;
    Impl& impl() const { return *impl_; }

private:
    std::unique_ptr<Impl> impl_;
};

// Threads the calling thread's next oneDNN execution will use (torch.set_num_threads sets it too).
int backend_max_threads();

// Data pointers of one execution; layouts are those named by the primitive's key.
struct RnnCallArgs {
    const float* src_layer = nullptr;
    const float* src_iter = nullptr;
    const float* src_iter_c = nullptr; // LSTM only
    float* dst_layer = nullptr;
    float* dst_iter = nullptr;
    float* dst_iter_c = nullptr; // LSTM only
};

// A created forward-inference primitive with its memory descriptors. execute() is safe to call
// concurrently: each execution takes its own set of memory objects from a pool (grown only when more
// executions overlap than ever before) and its scratchpad from the calling thread's workspace.
class RnnPrimitive {
public:
    explicit RnnPrimitive(const PrimitiveKey& key);
    ~RnnPrimitive();
    void execute(const RnnCallArgs& args, const LayerWeightsMemory& weights, Workspace& workspace) const;
    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

} // namespace mkldnn_rnn::detail
