// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// What the engine runs: one (layer, direction) of a model over one range of steps. A kernel takes the
// range's dims at call time (steps, batch, strides, threads) and holds nothing per shape that grows with
// them: the fused kernel holds nothing at all; the oneDNN kernel a bounded cache of primitives
// (onednn/onednn_kernel.hpp). Which kernel runs a range is decided per shape class (policy/decision_table.hpp).
#pragma once

#include <cstddef>
#include <cstdint>

namespace mkldnn_rnn::detail {

class Workspace;

// One range of steps. Sequence arguments are [steps, batch, channels] with these strides (channels
// contiguous); states are dense [batch, channels].
struct StepShape {
    int64_t steps = 0, batch = 0;
    int64_t src_stride_t = 0, src_stride_n = 0;
    int64_t dst_stride_t = 0, dst_stride_n = 0;
    int threads = 1; // OpenMP threads the execution may use
};

// Data pointers of one execution. Sources and destinations never alias, so executing twice on the
// same arguments gives the same result (the probe relies on it).
struct RnnCallArgs {
    const float* src_layer = nullptr;
    const float* src_iter = nullptr;
    const float* src_iter_c = nullptr; // LSTM only
    float* dst_layer = nullptr;
    float* dst_iter = nullptr;
    float* dst_iter_c = nullptr; // LSTM only
};

class StepKernel {
public:
    virtual ~StepKernel() = default;
    // Safe to call concurrently from several threads, each with its own workspace.
    virtual void execute(const StepShape& shape, const RnnCallArgs& args, Workspace& workspace) const = 0;
    // Builds ahead whatever execute() would build for batches in [min_batch, max_batch] at `threads`.
    virtual void prepare(int64_t /*min_batch*/, int64_t /*max_batch*/, int /*threads*/) const {}
    // Drops whatever was built (no decision runs this kernel any more); execute() builds it again.
    virtual void release() const {}
    // oneDNN primitives held.
    virtual std::size_t cached_primitives() const { return 0; }
};

} // namespace mkldnn_rnn::detail
