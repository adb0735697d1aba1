// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
#include "policy/ladder.hpp"

#include <string>

#include "platform/environment.hpp"
#include "platform/isa.hpp"
#include "policy/probe.hpp"
#include "util/arg_error.hpp"
#include "util/workspace.hpp"

namespace mkldnn_rnn::detail {

EngineOptions resolve(const EngineOptions& options) {
    EngineOptions resolved = options;
    // Reduced precision has one implementation: the variable concerns fp32 models only.
    if (options.precision != Precision::fp32 || options.weights_format != WeightsFormat::automatic) return resolved;
    const std::string impl = impl_variable();
    if (impl.empty()) return resolved;
    for (WeightsFormat f : {WeightsFormat::automatic, WeightsFormat::plain_ldigo, WeightsFormat::onednn_preferred,
                            WeightsFormat::fused})
        if (impl == weights_format_name(f)) {
            resolved.weights_format = f;
            return resolved;
        }
    throw_arg_error("mkldnn_rnn::PackedRnn::pack", "environment MKLDNN_RNN_IMPL",
                    "auto, plain_ldigo, onednn_preferred or fused", impl);
}

WeightsFormat runnable(WeightsFormat format) {
    return format == WeightsFormat::fused && !fused_kernel_available() ? WeightsFormat::plain_ldigo : format;
}

Layout initial_layout(const EngineOptions& resolved) {
    const WeightsFormat f = runnable(resolved.weights_format);
    const bool blocked = f == WeightsFormat::fused || (f == WeightsFormat::automatic && fused_kernel_available());
    return blocked ? Layout::blocked : Layout::plain;
}

bool may_run_onednn(const EngineOptions& resolved) {
    return resolved.precision == Precision::fp32 && runnable(resolved.weights_format) != WeightsFormat::fused;
}

Layout layout_of(WeightsFormat implementation) {
    return implementation == WeightsFormat::fused ? Layout::blocked : Layout::plain;
}

Decision decide(const EngineOptions& resolved, const ShapeClass& cls, const Candidates& candidates,
        const StepShape& shape, const RnnCallArgs& args, Workspace& workspace) {
    Decision d;
    d.layer = cls.layer;
    d.direction = cls.direction;
    d.batch_class = cls.batch_class;
    d.threads = cls.threads;
    d.run_threads = cls.threads;
    if (resolved.precision != Precision::fp32) {
        d.implementation = WeightsFormat::fused;
        d.reason = std::string(precision_name(resolved.precision)) + " runs on the fused kernel ("
                + kernel_isa(resolved.precision) + ")";
    } else if (resolved.weights_format != WeightsFormat::automatic) {
        d.implementation = runnable(resolved.weights_format);
        d.reason = d.implementation == resolved.weights_format ? "fixed by EngineOptions or MKLDNN_RNN_IMPL"
                                                                : "fused fixed, but this CPU has no AVX2 + FMA";
    } else if (!fused_kernel_available()) {
        d.implementation = WeightsFormat::plain_ldigo;
        const ThreadsResult t = probe_threads(candidates.plain, shape, args, workspace);
        d.run_threads = t.run_threads;
        d.reason = "the only candidate: this CPU has no AVX2 + FMA for the fused kernel" + t.reason;
    } else {
        const ProbeResult r = probe(candidates.fused, candidates.fused_held, candidates.plain, candidates.plain_held,
                                    shape, args, workspace, resolved.second_copy_speedup);
        d.implementation = r.implementation;
        d.fused_us = r.fused_us;
        d.plain_us = r.plain_us;
        d.run_threads = r.run_threads;
        d.reason = r.reason;
        workspace.release_kernel_buffers(); // grown for the loser too
    }
    return d;
}

} // namespace mkldnn_rnn::detail
