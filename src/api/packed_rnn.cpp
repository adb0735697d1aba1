// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// PackedRnn's public methods: each checks its arguments (argument_checks.hpp) and delegates to the
// engine's model (src/engine/model.hpp).
#include "mkldnn_rnn/packed_rnn.hpp"

#include <utility>

#include "api/argument_checks.hpp"
#include "engine/model.hpp"
#include "platform/isa.hpp"

namespace mkldnn_rnn {

PackedRnn::PackedRnn(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PackedRnn::~PackedRnn() = default;

std::shared_ptr<const PackedRnn> PackedRnn::pack(const RnnConfig& config, const std::vector<LayerWeights>& weights,
        const EngineOptions& options) {
    detail::check_pack_args(config, weights, options);
    return std::shared_ptr<const PackedRnn>(new PackedRnn(detail::make_model(config, weights, options)));
}

std::shared_ptr<const PackedRnn> PackedRnn::pack_int8(const RnnConfig& config, const std::vector<Int8LayerWeights>& weights,
        const EngineOptions& options) {
    detail::check_pack_int8_args(config, weights, options);
    return std::shared_ptr<const PackedRnn>(new PackedRnn(detail::make_int8_model(config, weights, options)));
}

Precision PackedRnn::precision() const { return impl_->options.precision; }
const RnnConfig& PackedRnn::config() const { return impl_->config; }
const EngineOptions& PackedRnn::options() const { return impl_->options; }

std::size_t PackedRnn::cached_primitive_count() const {
    std::size_t n = 0;
    for (const auto& slot : impl_->layers) n += slot->plain.cached_primitives() + slot->preferred.cached_primitives();
    return n;
}

std::size_t PackedRnn::weight_bytes() const {
    std::size_t n = 0;
    for (const auto& slot : impl_->layers) n += slot->store.bytes() + slot->preferred.reordered_weight_bytes();
    return n;
}

void PackedRnn::torch_weights(std::size_t index, const MutableLayerWeights& out) const {
    detail::check_torch_weights_args(impl_->config, index, out);
    impl_->layers[index]->store.torch_weights(out);
}

void PackedRnn::int8_weights(std::size_t index, const MutableInt8LayerWeights& out) const {
    detail::check_int8_weights_args(impl_->config, impl_->options.precision, index, out);
    impl_->layers[index]->store.int8_weights(out);
}

void PackedRnn::forward(const SequenceInput& input, const SequenceOutput& output) const {
    detail::check_forward_args(impl_->config, input, output);
    impl_->run(input, output);
}

void PackedRnn::forward_packed(const PackedSequenceInput& input, const SequenceOutput& output) const {
    detail::check_forward_packed_args(impl_->config, input, output);
    impl_->run(input, output);
}

void PackedRnn::cell_forward(const CellInput& input, const CellOutput& output) const {
    detail::check_cell_args(impl_->config, input, output);
    SequenceInput step;
    step.input = input.input;
    step.seq_len = 1;
    step.batch = input.batch;
    step.h0 = input.hx;
    step.c0 = input.cx;
    // One step: the layer output is the new h, and c comes back as the final cell state.
    impl_->run(step, SequenceOutput{output.h, nullptr, output.c});
}

void PackedRnn::tune(int64_t max_batch) const {
    detail::check_tune_args(max_batch);
    impl_->tune(max_batch);
}

std::vector<Decision> PackedRnn::decisions() const { return impl_->decisions.all(); }

void PackedRnn::restore_decisions(const std::vector<Decision>& decisions) const {
    for (std::size_t i = 0; i < decisions.size(); ++i)
        detail::check_restored_decision(impl_->config, impl_->options.precision, decisions[i], i,
                                        detail::fused_kernel_available());
    impl_->restore(decisions);
}

} // namespace mkldnn_rnn
