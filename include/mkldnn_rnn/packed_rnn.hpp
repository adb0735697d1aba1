// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "mkldnn_rnn/config.hpp"

namespace mkldnn_rnn {

// One (layer, direction) of a model, exactly as torch.nn stores it: contiguous row-major fp32 arrays,
// gates in PyTorch's order (LSTM i,f,g,o; GRU r,z,n). G = num_gates, H = hidden_size, P = proj_size.
//   weight_ih [G*H, layer_input_size]     weight_hh [G*H, P if P > 0 else H]
//   bias_ih   [G*H]  bias_hh [G*H]        (both nullptr when config.bias is false)
//   weight_hr [P, H]                      (LSTM with proj_size > 0 only; nullptr otherwise)
// The arrays are read during PackedRnn::pack only; nothing keeps a pointer to them.
struct LayerWeights {
    const float* weight_ih = nullptr;
    const float* weight_hh = nullptr;
    const float* bias_ih = nullptr;
    const float* bias_hh = nullptr;
    const float* weight_hr = nullptr;
};

// Which implementation runs a layer, named by the weights layout it reads: oneDNN's RNN primitives
// with plain or with oneDNN's preferred weights (at our shapes 2-3x apart, the winner depending on the
// shape and the thread count; docs/performance.md), or mkldnn_rnn's own fused small-batch kernel.
// `automatic` times the candidates on the first call of each shape and keeps the winner (see
// src/autotune.hpp). The environment variable MKLDNN_RNN_IMPL (auto, plain_ldigo, onednn_preferred,
// fused), read by pack(), replaces `automatic` with a fixed choice for reproducible runs.
enum class WeightsFormat {
    automatic,        // measured per shape on first use
    plain_ldigo,      // oneDNN's plain ldigo/ldio layout, packed once at pack() time
    onednn_preferred, // the layout oneDNN asks for (format_tag::any), reordered once per layout seen
    fused,            // the fused kernel: weights blocked by 16 hidden units, gate math fused into each
                      // step; needs AVX-512 (plain_ldigo runs on CPUs without it)
};

struct EngineOptions {
    // Distinct (shape, direction, threads) primitives kept per model; least recently used are dropped.
    std::size_t primitive_cache_capacity = 128;
    WeightsFormat weights_format = WeightsFormat::automatic;
};

// Layout of a sequence tensor: time-major [T, N, C] or batch-first [N, T, C].
enum class SequenceLayout { time_major, batch_first };

// A batch of sequences. All arrays are contiguous fp32 (lengths: int64) and must not overlap outputs.
// L = num_layers, D = num_directions, H_out = config.output_size(), I = config.input_size.
struct SequenceInput {
    const float* input = nullptr;   // [T, N, I] or [N, T, I], see layout
    int64_t seq_len = 0;            // T >= 1
    int64_t batch = 0;              // N >= 1
    SequenceLayout layout = SequenceLayout::time_major;
    const float* h0 = nullptr;      // [L*D, N, H_out]; nullptr means zeros
    const float* c0 = nullptr;      // [L*D, N, H] (LSTM only); nullptr means zeros
    // Optional [N] valid lengths, each in [1, T], in any order: PackedSequence semantics. Output rows
    // at t >= lengths[n] are zero; h_n/c_n hold each sequence's state at its own last step; the
    // reverse direction starts at each sequence's own last step. nullptr means every length is T.
    const int64_t* lengths = nullptr;
};

// Destinations of a forward pass. Any of them may be nullptr when the caller does not need it.
struct SequenceOutput {
    float* output = nullptr; // [T, N, D*H_out] or [N, T, D*H_out], same layout as the input
    float* h_n = nullptr;    // [L*D, N, H_out]
    float* c_n = nullptr;    // [L*D, N, H] (LSTM only)
};

// One step of an LSTMCell / GRUCell / RNNCell (a model with num_layers 1, unidirectional, no projection).
struct CellInput {
    const float* input = nullptr; // [N, I]
    int64_t batch = 0;            // N >= 1
    const float* hx = nullptr;    // [N, H]; nullptr means zeros
    const float* cx = nullptr;    // [N, H] (LSTM only); nullptr means zeros
};

struct CellOutput {
    float* h = nullptr; // [N, H], required
    float* c = nullptr; // [N, H], LSTM only (required for LSTM, nullptr otherwise)
};

// A model's weights packed once into oneDNN's formats, plus the primitives built for the shapes seen.
// Immutable after pack(): forward() and cell_forward() may be called concurrently from any number of
// threads. After the first call with a given shape (and lengths pattern) on a thread, a call performs no
// heap allocation, no weight reorder and no primitive creation of its own (oneDNN's primitives still
// allocate inside their execute(); the fused kernel does not: WeightsFormat).
class PackedRnn {
public:
    // weights: config.num_layers * config.num_directions() entries, ordered as torch.nn's
    // _flat_weights: (layer 0, forward), (layer 0, reverse), (layer 1, forward), ...
    static std::shared_ptr<const PackedRnn> pack(const RnnConfig& config,
            const std::vector<LayerWeights>& weights, const EngineOptions& options = {});

    ~PackedRnn();
    PackedRnn(const PackedRnn&) = delete;
    PackedRnn& operator=(const PackedRnn&) = delete;

    const RnnConfig& config() const;
    const EngineOptions& options() const;

    void forward(const SequenceInput& input, const SequenceOutput& output) const;
    void cell_forward(const CellInput& input, const CellOutput& output) const;

    // Primitives currently cached (never more than options().primitive_cache_capacity).
    std::size_t cached_primitive_count() const;

    struct Impl;

private:
    explicit PackedRnn(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

} // namespace mkldnn_rnn
