// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// A packed model's slots and decisions (model.hpp): making them at pack(), deciding a class on its first
// call through the policy's ladder, and tuning or restoring decisions ahead of calls.
#include "engine/model.hpp"

#include <stdexcept>
#include <string>

#include "onednn/backend.hpp"
#include "policy/decision_log.hpp"
#include "policy/ladder.hpp"
#include "policy/probe.hpp"
#include "policy/retention.hpp"

namespace mkldnn_rnn::detail {

const StepKernel& LayerSlot::kernel(WeightsFormat implementation) const {
    switch (implementation) {
        case WeightsFormat::fused: return fused;
        case WeightsFormat::onednn_preferred: return preferred;
        case WeightsFormat::plain_ldigo: return plain;
        case WeightsFormat::automatic: break;
    }
    throw std::logic_error(std::string("mkldnn_rnn: no kernel runs the implementation ")
                           + weights_format_name(implementation));
}

std::unique_ptr<PackedRnn::Impl> make_model(const RnnConfig& config, const std::vector<LayerWeights>& weights,
        const EngineOptions& options) {
    auto model = std::make_unique<PackedRnn::Impl>(config, resolve(options));
    // One copy, in the layout the model will most likely run on; the other is made if a class needs it.
    const Layout initial = initial_layout(model->options);
    if (may_run_onednn(model->options)) warm_backend();
    const int64_t D = config.num_directions();
    model->layers.reserve(weights.size());
    for (std::size_t k = 0; k < weights.size(); ++k)
        model->layers.push_back(std::make_unique<LayerSlot>(config, static_cast<int64_t>(k) / D, k % D == 1, weights[k],
                model->options.primitive_cache_capacity, initial, model->options.precision));
    return model;
}

std::unique_ptr<PackedRnn::Impl> make_int8_model(const RnnConfig& config, const std::vector<Int8LayerWeights>& weights,
        const EngineOptions& options) {
    EngineOptions int8 = options;
    int8.precision = Precision::int8;
    auto model = std::make_unique<PackedRnn::Impl>(config, int8);
    const int64_t D = config.num_directions();
    model->layers.reserve(weights.size());
    for (std::size_t k = 0; k < weights.size(); ++k)
        model->layers.push_back(std::make_unique<LayerSlot>(config, static_cast<int64_t>(k) / D, k % D == 1, weights[k],
                model->options.primitive_cache_capacity));
    return model;
}

} // namespace mkldnn_rnn::detail

namespace mkldnn_rnn {

void PackedRnn::Impl::record(const Decision& d) const {
    decisions.record(d);
    const detail::LayerSlot& s = slot(d.layer, d.direction);
    const detail::Retention keep = detail::retention(decisions, d.layer, d.direction);
    s.store.retain(keep.plain_copy, keep.blocked_copy);
    if (!keep.plain_primitives) s.plain.release();
    if (!keep.preferred_primitives) s.preferred.release();
    detail::log_decision(config.mode, d);
}

detail::Choice PackedRnn::Impl::implementation(int64_t layer, int64_t direction, const detail::StepShape& shape,
        const detail::RnnCallArgs& args, detail::Workspace& workspace) const {
    const detail::ShapeClass cls{layer, direction, detail::batch_class(shape.batch), shape.threads};
    detail::Choice found;
    if (decisions.find(cls, &found)) return found;
    const detail::LayerSlot& s = slot(layer, direction);
    const detail::Candidates candidates{s.fused, s.store.resident(detail::Layout::blocked), s.plain,
                                        s.store.resident(detail::Layout::plain)};
    const Decision d = detail::decide(options, cls, candidates, shape, args, workspace);
    record(d);
    return {d.implementation, static_cast<int>(d.run_threads)};
}

void PackedRnn::Impl::tune(int64_t max_batch) const {
    const int threads = detail::backend_max_threads();
    const int64_t T = detail::kProbeSteps, L = config.num_layers, D = config.num_directions();
    for (int64_t cls = 1; cls < 2 * max_batch; cls *= 2) {
        // A call at the class's largest batch decides each (layer, direction) of the class ...
        const std::vector<float> input(static_cast<std::size_t>(T * cls * config.input_size), 0.f);
        std::vector<float> output(static_cast<std::size_t>(T * cls * D * config.output_size()));
        SequenceInput in;
        in.input = input.data();
        in.seq_len = T;
        in.batch = cls;
        run(in, SequenceOutput{output.data(), nullptr, nullptr});
        // ... and where oneDNN runs it, every primitive it can need is built.
        for (int64_t l = 0; l < L; ++l)
            for (int64_t d = 0; d < D; ++d) {
                detail::Choice c;
                if (decisions.find({l, d, cls, threads}, &c) && c.implementation != WeightsFormat::fused)
                    slot(l, d).kernel(c.implementation).prepare(cls / 2 + 1, cls, c.run_threads);
            }
    }
}

void PackedRnn::Impl::restore(const std::vector<Decision>& restored) const {
    for (Decision d : restored) {
        d.reason = "restored: " + d.reason;
        if (d.run_threads == 0) d.run_threads = d.threads; // a list saved before run_threads existed
        // The layout it reads first, so that retain() can drop the one no decision reads; a reduced
        // model's one copy is what fused reads.
        const detail::LayerSlot& s = slot(d.layer, d.direction);
        if (s.store.precision() == Precision::fp32) {
            if (detail::layout_of(d.implementation) == detail::Layout::blocked) s.store.blocked();
            else s.store.plain();
        }
        record(d);
    }
}

} // namespace mkldnn_rnn
