// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// The only interface to oneDNN. Everything oneDNN (primitive descriptors, memory descriptors, reorders,
// execute) lives behind it, in backend.cpp, with the differences between oneDNN 2.x and 3.x in
// api_version.hpp. Nothing here includes dnnl.hpp.
#pragma once

#include <cstdint>
#include <memory>

#include "mkldnn_rnn/config.hpp"
#include "engine/step_kernel.hpp"
#include "weights/layouts.hpp"

namespace mkldnn_rnn::detail {

// Threads the calling thread's next oneDNN execution will use (torch.set_num_threads sets it too).
int backend_max_threads();

// For its lifetime, the calling thread's oneDNN executions use at most `threads` threads (OpenMP's
// nthreads ICV of this thread, which oneDNN reads at each execution; restored after): a class decided
// to run on fewer threads than the caller allows (Decision::run_threads).
class ThreadCap {
public:
    explicit ThreadCap(int threads);
    ~ThreadCap();
    ThreadCap(const ThreadCap&) = delete;
    ThreadCap& operator=(const ThreadCap&) = delete;

private:
    int previous_ = 0; // 0: nothing was changed
};

// oneDNN generates its GEMM kernels, which its RNN primitives run on, the first time a GEMM runs in the
// process: 67 ms on the Xeon of docs/performance.md, where making a primitive takes under 1 ms and its
// first execution 1-3 ms. PackedRnn::pack() calls this (once per process) for models that may run on
// oneDNN, so that model loading pays it, not the first call of a shape class.
void warm_backend();

// Everything one oneDNN RNN primitive is made for: exact steps and batch, dense sequence arguments
// ([steps, batch, C] in, [steps, batch, O] out) and states ([batch, channels]).
struct PrimitiveDims {
    Mode mode = Mode::LSTM;
    bool reverse = false;
    bool plain_weights = true; // false: the weights layout oneDNN prefers (format_tag::any)
    int threads = 1;
    int64_t steps = 0, batch = 0, C = 0, H = 0, P = 0;
};

// The weight arrays one execution reads, in the layouts its primitive was created for.
struct WeightPointers {
    const float* layer = nullptr;
    const float* iter = nullptr;
    const float* bias = nullptr;
    const float* projection = nullptr;
    std::shared_ptr<const void> owner; // keeps the arrays alive for the execution (PreferredLayouts)
};

// A created forward-inference primitive. execute() is safe to call concurrently: each execution takes
// its own set of memory objects from a pool (grown only when more executions overlap than ever before)
// and its scratchpad from the calling thread's workspace.
class RnnPrimitive {
public:
    explicit RnnPrimitive(const PrimitiveDims& dims);
    ~RnnPrimitive();
    void execute(const RnnCallArgs& args, const WeightPointers& weights, Workspace& workspace) const;
    // Makes the memory objects of one execution ahead, so that the first one allocates nothing of ours.
    void prepare_slot() const;
    struct Impl;
    const Impl& impl() const { return *impl_; }

private:
    std::unique_ptr<Impl> impl_;
};

// The weights in the layouts that primitives created with format_tag::any ask for, each reordered once
// from the plain copy: a handful at most (oneDNN's choice depends on whether steps == 1 and on the ISA),
// bounded all the same.
class PreferredLayouts {
public:
    PreferredLayouts();
    ~PreferredLayouts();
    WeightPointers for_primitive(const RnnPrimitive& primitive, const PlainWeights& plain) const;
    std::size_t bytes() const;
    void clear(); // the layouts in use by an execution live on until it ends
    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

} // namespace mkldnn_rnn::detail
