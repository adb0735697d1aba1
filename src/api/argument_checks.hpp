// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// Argument checks of the public API, kept apart from the engine so that every rule and message is in
// one place. Each throws mkldnn_rnn::Error "<function>: <argument>: expected <what>, got <given>".
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "mkldnn_rnn/config.hpp"
#include "mkldnn_rnn/sequences.hpp"
#include "mkldnn_rnn/types.hpp"
#include "mkldnn_rnn/weights.hpp"

namespace mkldnn_rnn::detail {

void check_pack_args(const RnnConfig& config, const std::vector<LayerWeights>& weights,
        const EngineOptions& options);

void check_pack_int8_args(const RnnConfig& config, const std::vector<Int8LayerWeights>& weights,
        const EngineOptions& options);

void check_forward_args(const RnnConfig& config, const SequenceInput& input, const SequenceOutput& output);

// Returns the number of rows, sum(batch_sizes), once batch_sizes is checked.
int64_t check_forward_packed_args(const RnnConfig& config, const PackedSequenceInput& input, const SequenceOutput& output);

void check_tune_args(int64_t max_batch);

void check_torch_weights_args(const RnnConfig& config, std::size_t index, const MutableLayerWeights& out);

void check_int8_weights_args(const RnnConfig& config, Precision precision, std::size_t index,
        const MutableInt8LayerWeights& out);

void check_restored_decision(const RnnConfig& config, Precision precision, const Decision& decision, std::size_t index,
        bool fused_available);

void check_cell_args(const RnnConfig& config, const CellInput& input, const CellOutput& output);

} // namespace mkldnn_rnn::detail
