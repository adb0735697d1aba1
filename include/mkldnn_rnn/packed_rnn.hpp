// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// PackedRnn: a model's weights packed once, and its forward passes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "mkldnn_rnn/config.hpp"
#include "mkldnn_rnn/sequences.hpp"
#include "mkldnn_rnn/types.hpp"
#include "mkldnn_rnn/weights.hpp"

namespace mkldnn_rnn {

// A model's weights packed once, the decisions of which implementation runs each shape class, and the
// kernels built for them. forward() and cell_forward() may be called concurrently from any number of
// threads. Once a shape class has been served on a thread (or tune() has run), a call no longer than
// one already served on it performs no heap allocation, no weight reorder and no primitive creation
// of its own, whatever its sequence length or lengths pattern (oneDNN's primitives still allocate
// inside their execute(); the fused kernel does not).
class PackedRnn {
public:
    // weights: config.num_layers * config.num_directions() entries, ordered as torch.nn's
    // _flat_weights: (layer 0, forward), (layer 0, reverse), (layer 1, forward), ...
    // With options.precision bf16 or int8 the fp32 weights are rounded or quantized here (per output row).
    static std::shared_ptr<const PackedRnn> pack(const RnnConfig& config,
            const std::vector<LayerWeights>& weights, const EngineOptions& options = {});
    // An int8 model from weights quantized already (e.g. by torch's quantize_dynamic), taken exactly as
    // given. options.precision must be int8 or the default fp32 (either way the model is int8).
    static std::shared_ptr<const PackedRnn> pack_int8(const RnnConfig& config,
            const std::vector<Int8LayerWeights>& weights, const EngineOptions& options = {});

    ~PackedRnn();
    PackedRnn(const PackedRnn&) = delete;
    PackedRnn& operator=(const PackedRnn&) = delete;

    const RnnConfig& config() const;
    const EngineOptions& options() const;

    void forward(const SequenceInput& input, const SequenceOutput& output) const;
    void forward_packed(const PackedSequenceInput& input, const SequenceOutput& output) const;
    void cell_forward(const CellInput& input, const CellOutput& output) const;

    // Decides every shape class of batches up to max_batch at the calling thread's thread count, and
    // builds each class's kernels (all its chunk primitives where oneDNN runs it), so that no later
    // call of those classes decides or builds anything.
    void tune(int64_t max_batch) const;
    // The decisions made so far, in (layer, direction, threads, batch_class) order.
    std::vector<Decision> decisions() const;
    // Takes decisions made earlier (e.g. saved with a model) instead of deciding those classes afresh.
    // Checked: layer, direction, batch_class (a power of two), threads and implementation; a fused
    // decision on a CPU without the fused kernel (kernel_isa() "none") is an error.
    void restore_decisions(const std::vector<Decision>& decisions) const;

    // oneDNN primitives currently cached, over every (layer, direction, implementation).
    std::size_t cached_primitive_count() const;
    // Bytes of the weight copies currently held (with the kept torch.nn biases and, under
    // onednn_preferred, the reordered copies).
    std::size_t weight_bytes() const;
    // torch.nn's tensors of entry `index` (in pack()'s order), rebuilt exactly from the packed copy: fp32
    // as given, bf16 as rounded; int8 as values * scales, each product rounded to fp32.
    void torch_weights(std::size_t index, const MutableLayerWeights& out) const;
    // An int8 model's weights of entry `index`, exactly as packed (values, scales and fp32 biases).
    void int8_weights(std::size_t index, const MutableInt8LayerWeights& out) const;
    Precision precision() const;

    struct Impl;

private:
    explicit PackedRnn(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

} // namespace mkldnn_rnn
