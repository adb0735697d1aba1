// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// What the engine runs: one (layer, direction) of a model over one range of steps, on a given shape.
// Two implementations stand behind this interface, and the autotuner (autotune.hpp) picks between them
// per shape: oneDNN's RNN primitives (onednn_backend.hpp, in either weights format) and mkldnn_rnn's
// own fused small-batch kernel (fused_kernel.hpp). Nothing here depends on oneDNN.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "mkldnn_rnn/config.hpp"
#include "mkldnn_rnn/packed_rnn.hpp"

namespace mkldnn_rnn::detail {

class Workspace;
class LayerWeightsMemory;
class FusedWeights;

enum class Direction : int32_t { left_to_right, right_to_left };

// Everything that determines one step kernel: cell, direction, implementation, threads, sizes and the
// strides of the sequence arguments (states are always dense [batch, channels]). Four int32 and then
// int64 fields: no padding bytes, so the key hashes and compares as raw memory.
struct PrimitiveKey {
    int32_t mode = 0;
    int32_t direction = 0;
    int32_t weights_format = 0;
    int32_t threads = 0; // OpenMP threads the kernel will run with (oneDNN sizes its work by it)
    int64_t steps = 0, batch = 0;
    int64_t src_channels = 0, hidden = 0, proj = 0;
    int64_t src_stride_t = 0, src_stride_n = 0; // src_layer [steps, batch, src_channels]
    int64_t dst_stride_t = 0, dst_stride_n = 0; // dst_layer [steps, batch, H_out]

    bool operator==(const PrimitiveKey& o) const;
};

struct PrimitiveKeyHash {
    std::size_t operator()(const PrimitiveKey& key) const;
};

// Data pointers of one execution; layouts are those named by the kernel's key. Sources and
// destinations never alias, so executing twice on the same arguments gives the same result.
struct RnnCallArgs {
    const float* src_layer = nullptr;
    const float* src_iter = nullptr;
    const float* src_iter_c = nullptr; // LSTM only
    float* dst_layer = nullptr;
    float* dst_iter = nullptr;
    float* dst_iter_c = nullptr; // LSTM only
};

// One (layer, direction)'s weights, in every form a kernel reads.
struct LayerPack {
    LayerPack(std::unique_ptr<LayerWeightsMemory> onednn, std::unique_ptr<FusedWeights> fused);
    ~LayerPack();
    std::unique_ptr<LayerWeightsMemory> onednn; // plain ldigo, packed at pack(), plus layouts oneDNN asked for
    std::unique_ptr<FusedWeights> fused;        // the fused kernel's blocked copy, made on its first use
};

class StepKernel {
public:
    virtual ~StepKernel() = default;
    // Safe to call concurrently from several threads, each with its own workspace.
    virtual void execute(const RnnCallArgs& args, const LayerPack& weights, Workspace& workspace) const = 0;
};

// The kernel that key.weights_format names: a oneDNN primitive for plain_ldigo and onednn_preferred;
// the fused kernel for `fused` where the CPU has it (fused_kernel_available), else the plain_ldigo primitive.
std::shared_ptr<const StepKernel> make_step_kernel(const PrimitiveKey& key);

} // namespace mkldnn_rnn::detail
