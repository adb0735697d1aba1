// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// torch.classes.mkldnn_rnn.PackedWeights: a torch.nn recurrent model's weights, packed once for oneDNN
// (docs/torch_contract.md). It keeps the PyTorch-layout weights too, for state_dict and pickling.
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
    // proj_size, weights).
    using State = std::tuple<int64_t, std::string, int64_t, int64_t, int64_t, bool, bool, int64_t,
                             std::vector<at::Tensor>>;
    static constexpr int64_t state_version = 1;

    // `weights` in torch.nn's _flat_weights order. Every argument is checked with TORCH_CHECK; the
    // weights are copied to contiguous tensors owned by this object, then packed.
    PackedWeights(const std::string& mode, int64_t input_size, int64_t hidden_size, int64_t num_layers, bool bias,
                  bool bidirectional, int64_t proj_size, const std::vector<at::Tensor>& weights);

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
    // The tensors held, not copies: they are what the packed weights were made from, so callers must
    // not modify them in place.
    std::vector<at::Tensor> weights() const { return weights_; }

private:
    std::vector<at::Tensor> weights_;
    std::shared_ptr<const PackedRnn> packed_;
};

// Registers the class, its accessors and its pickling into the mkldnn_rnn library.
void register_packed_weights(torch::Library& m);

} // namespace mkldnn_rnn::torch_ext
