// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
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

// torch.nn's tensors of one (layer, direction), to be written: the arrays of LayerWeights, caller-owned.
struct MutableLayerWeights {
    float* weight_ih = nullptr;
    float* weight_hh = nullptr;
    float* bias_ih = nullptr;
    float* bias_hh = nullptr;
    float* weight_hr = nullptr;
};

// An int8 weight matrix in torch.nn's layout: weight[r][c] = values[r][c] * scales[r], one scale per row
// (a per-tensor quantization repeats its scale; zero points are 0: symmetric, as torch's dynamic
// quantization makes them). Row-major and contiguous, read during PackedRnn::pack_int8 only.
struct Int8Matrix {
    const int8_t* values = nullptr;
    const float* scales = nullptr;
};

// One (layer, direction) of an int8 model: LayerWeights with int8 matrices; the biases stay fp32.
struct Int8LayerWeights {
    Int8Matrix weight_ih, weight_hh;
    const float* bias_ih = nullptr;
    const float* bias_hh = nullptr;
    Int8Matrix weight_hr; // proj_size > 0 only
};

struct MutableInt8Matrix {
    int8_t* values = nullptr;
    float* scales = nullptr;
};

struct MutableInt8LayerWeights {
    MutableInt8Matrix weight_ih, weight_hh;
    float* bias_ih = nullptr;
    float* bias_hh = nullptr;
    MutableInt8Matrix weight_hr;
};

// The numbers the inner products run on (docs/precision.md). Reduced precision is opt-in, runs on the
// fused kernel (AVX-512; pack() refuses it elsewhere) and keeps fp32 wherever the cost is not in the
// weights: biases, the gate math, the cell state, every output and state a caller sees.
//   bf16  weights rounded to bfloat16 (nearest even); x and h rounded to bf16 before each product, as
//         oneDNN's bf16 RNN does; products accumulate in fp32 (VDPBF16PS).
//   int8  weights int8 with one scale per output row (symmetric, max |w| / 127); x and h quantized at
//         run time per row and step to uint8 with a symmetric scale (max |value| / 127, shifted by 128);
//         products accumulate in int32 (VPDPBUSD), exactly, and are scaled back to fp32.
enum class Precision { fp32, bf16, int8 };

// "fp32", "bf16", "int8".
const char* precision_name(Precision precision);

// The instructions the fused kernel's inner products use for `precision` on this CPU:
// "avx512_core_bf16" (VDPBF16PS), "avx512_core_vnni" (VPDPBUSD), "avx512_core" (fp32 FMA, and for bf16
// and int8 an exact-integer or fp32-FMA emulation of those instructions where the CPU lacks them), or
// "none" (no AVX-512: reduced precision is refused). MKLDNN_RNN_MAX_ISA (avx512_core, avx512_core_vnni,
// avx512_core_bf16; read once per process, like oneDNN's DNNL_MAX_CPU_ISA) caps it, so that the
// emulations are tested on CPUs that have the instructions.
const char* kernel_isa(Precision precision);

// Which implementation runs a layer, named by the weights layout it reads: oneDNN's RNN primitives
// with plain or with oneDNN's preferred weights, or mkldnn_rnn's own fused kernel (AVX-512).
// `automatic` decides once per shape class (see Decision), never per sequence length. The environment
// variable MKLDNN_RNN_IMPL (auto, plain_ldigo, onednn_preferred, fused), read by pack(), replaces
// `automatic` with a fixed choice for reproducible runs.
enum class WeightsFormat {
    automatic,        // decided per shape class on its first call, or by tune()
    plain_ldigo,      // oneDNN's plain ldigo/ldio layout
    onednn_preferred, // the layout oneDNN asks for (format_tag::any): a second copy of the weights, per
                      // layout oneDNN asks for; offered as a fixed choice only
    fused,            // the fused kernel: weights blocked by 16 hidden units, gate math fused into each
                      // step; needs AVX-512 (plain_ldigo runs on CPUs without it)
};

// "auto", "plain_ldigo", "onednn_preferred", "fused": the names MKLDNN_RNN_IMPL takes.
const char* weights_format_name(WeightsFormat format);

struct EngineOptions {
    // oneDNN primitives kept per (layer, direction, implementation), least recently used dropped. A
    // class needs at most 7 (sequence lengths run as chunks of 64, 32, ..., 1 steps) per padded batch
    // size and thread count: see docs/performance.md.
    std::size_t primitive_cache_capacity = 128;
    WeightsFormat weights_format = WeightsFormat::automatic;
    // Under `automatic`, an implementation whose layout is not yet held (a second copy of the weights)
    // is chosen only when it is at least this much faster on the class's probe.
    double second_copy_speedup = 1.5;
    // fp32 runs any implementation; bf16 and int8 run on the fused kernel only, with weights_format
    // `automatic` or `fused` (MKLDNN_RNN_IMPL applies to fp32 models only).
    Precision precision = Precision::fp32;
};

// How one shape class of one (layer, direction) is run. A class is the batch size rounded up to a
// power of two and the thread count: never the sequence length or the lengths pattern.
struct Decision {
    int64_t layer = 0;
    int64_t direction = 0;   // 0 forward, 1 reverse
    int64_t batch_class = 0; // batches in (batch_class / 2, batch_class]
    int64_t threads = 0;
    WeightsFormat implementation = WeightsFormat::plain_ldigo;
    double fused_us = 0, plain_us = 0; // the probe's times (0: not probed)
    std::string reason;                // why this implementation ("probe: ...", "fixed by ...", ...)
};

// This CPU as decisions depend on it: vendor, model name, family/model/stepping, the instruction
// sets the kernels dispatch on, and the logical cores. Decisions saved with a model are restored only
// on a CPU with the same signature.
std::string cpu_signature();

// Bytes the calling thread's workspace holds now (the buffers forward() carves per call, shared by every
// model on the thread). A buffer over 1 MiB that no call of the last 64 on the thread needed half of is
// released, so this follows the thread's recent calls, not its largest one.
std::size_t thread_workspace_bytes();

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

// A torch.nn.utils.rnn.PackedSequence: the rows of every step one after the other, step t holding
// batch_sizes[t] rows (the sequences still running, longest first). Contiguous fp32; batch_sizes int64.
struct PackedSequenceInput {
    const float* input = nullptr;         // [sum(batch_sizes), I]
    const int64_t* batch_sizes = nullptr; // [seq_len], positive, non-increasing
    int64_t seq_len = 0;                  // T >= 1: the longest sequence
    const float* h0 = nullptr;            // [L*D, batch_sizes[0], H_out], rows in the packed (sorted) order
    const float* c0 = nullptr;            // [L*D, batch_sizes[0], H] (LSTM only)
};
// Its output is packed the same way: output [sum(batch_sizes), D*H_out]; h_n and c_n as for SequenceOutput
// with N = batch_sizes[0], each sequence's state at its own last step.

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
    // decision on a CPU without AVX-512 is an error.
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
