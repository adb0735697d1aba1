// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// torch.classes.mkldnn_rnn.PackedWeights: a torch.nn recurrent model's weights, packed once
// (docs/torch_contract.md). It keeps no PyTorch-layout copy: weights() rebuilds torch.nn's tensors from
// the packed copy, exactly, for state_dict and pickling. Pickled with it: the engine's decisions and
// the CPU they were made on, restored on a CPU with the same signature, and the precision with the
// reduced weights exactly as packed (state version 3 and later: bf16 matrices as bf16 tensors, int8 matrices as
// int8 tensors with their per-row scales), so that saving and loading changes no bit.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include <ATen/core/Tensor.h>
#include <ATen/core/ivalue.h>
#include <torch/custom_class.h>
#include <torch/library.h>

#include "mkldnn_rnn/mkldnn_rnn.hpp"

namespace mkldnn_rnn::torch_ext {

class PackedWeights : public torch::CustomClassHolder {
public:
    // The pickled state: (version, mode, input_size, hidden_size, num_layers, bias, bidirectional,
    // proj_size, weights, cpu_signature, decisions, precision, scales). Version 1 (release 0.1.0) ends at
    // weights, version 2 at decisions. decisions: 6 ints per decision, (layer, direction, batch_class,
    // threads, implementation, run_threads), the implementation as WeightsFormat's value; version 3 has 5
    // (no run_threads: the class's threads). precision: "fp32", "bf16" or
    // "int8". weights in _flat_weights order: fp32 tensors for fp32; for bf16 the matrices as bfloat16
    // (the values packed, exactly) and the biases fp32; for int8 the matrices' int8 values and the fp32
    // biases, with scales holding one fp32 tensor [rows] per matrix (w_ih, w_hh, [w_hr] per layer and
    // direction); scales is empty for fp32 and bf16.
    using State = std::tuple<int64_t, std::string, int64_t, int64_t, int64_t, bool, bool, int64_t,
                             std::vector<at::Tensor>, std::string, std::vector<int64_t>, std::string,
                             std::vector<at::Tensor>>;
    static constexpr int64_t state_version = 4;

    // An fp32 model (TorchScript's PackedWeights(...)). `weights` in torch.nn's _flat_weights order,
    // float32. Every argument is checked with TORCH_CHECK; the weights are read during packing only.
    PackedWeights(const std::string& mode, int64_t input_size, int64_t hidden_size, int64_t num_layers, bool bias,
                  bool bidirectional, int64_t proj_size, const std::vector<at::Tensor>& weights);
    // Takes an engine packed already (the factories below).
    explicit PackedWeights(std::shared_ptr<const PackedRnn> packed) : packed_(std::move(packed)) {}

    // PackedWeights.from_float: a model of `precision` ("fp32", "bf16", "int8") from float32 (or bfloat16,
    // widened exactly) weights in _flat_weights order; bf16 rounds the matrices to bfloat16, int8 quantizes
    // each output row (symmetric, max |w| / 127). The biases stay fp32.
    static c10::intrusive_ptr<PackedWeights> from_float(const std::string& mode, int64_t input_size,
            int64_t hidden_size, int64_t num_layers, bool bias, bool bidirectional, int64_t proj_size,
            const std::vector<at::Tensor>& weights, const std::string& precision);
    // PackedWeights.from_int8: an int8 model from quantized weights, taken exactly: `weights` in
    // _flat_weights order with the matrices int8 (torch.int8: w = value * scale of its row, zero point 0)
    // and the biases float32; `scales` one float32 tensor [rows] per matrix, in the matrices' order.
    static c10::intrusive_ptr<PackedWeights> from_int8(const std::string& mode, int64_t input_size,
            int64_t hidden_size, int64_t num_layers, bool bias, bool bidirectional, int64_t proj_size,
            const std::vector<at::Tensor>& weights, const std::vector<at::Tensor>& scales);

    // Checks a state of unknown origin field by field: a corrupt state is an error, never a crash.
    static c10::intrusive_ptr<PackedWeights> from_state(const c10::IValue& state);
    State state() const;

    const RnnConfig& config() const { return packed_->config(); }
    const PackedRnn& engine() const { return *packed_; }

    std::string mode() const { return mode_name(config().mode); }
    int64_t input_size() const { return config().input_size; }
    int64_t hidden_size() const { return config().hidden_size; }
    int64_t num_layers() const { return config().num_layers; }
    bool bias() const { return config().bias; }
    bool bidirectional() const { return config().bidirectional; }
    int64_t proj_size() const { return config().proj_size; }
    // "fp32", "bf16" or "int8".
    std::string precision() const { return precision_name(packed_->precision()); }
    // torch.nn's tensors, in _flat_weights order, rebuilt from the packed copy (new tensors each call):
    // fp32 as given, bf16 as rounded, int8 as value * scale (float32 each).
    std::vector<at::Tensor> weights() const;
    // An int8 model's weights exactly as packed, in from_int8's form: (weights with int8 matrices and
    // float32 biases, scales). An error for other precisions.
    std::tuple<std::vector<at::Tensor>, std::vector<at::Tensor>> int8_weights() const;

    // The engine's decisions: (layer, direction, batch_class, threads, run_threads, implementation, reason) each.
    std::vector<std::tuple<int64_t, int64_t, int64_t, int64_t, int64_t, std::string, std::string>> decisions() const;
    // PackedRnn::tune: decide and build for batches up to max_batch at the current thread count.
    void tune(int64_t max_batch) const;
    int64_t cached_primitive_count() const { return static_cast<int64_t>(packed_->cached_primitive_count()); }
    int64_t weight_bytes() const { return static_cast<int64_t>(packed_->weight_bytes()); }

private:
    std::shared_ptr<const PackedRnn> packed_;
};

// Registers the class, its accessors and its pickling into the mkldnn_rnn library.
void register_packed_weights(torch::Library& m);

} // namespace mkldnn_rnn::torch_ext
