// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
#include "api_checks.hpp"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "arg_check.hpp"

namespace mkldnn_rnn::detail {
namespace {

constexpr const char* pack_fn = "mkldnn_rnn::PackedRnn::pack";
constexpr const char* forward_fn = "mkldnn_rnn::PackedRnn::forward";
constexpr const char* cell_fn = "mkldnn_rnn::PackedRnn::cell_forward";

// A pointer argument that must be given exactly when `required` is true.
void check_presence(const char* where, const std::string& name, const void* p, bool required, const char* why) {
    if (required && !p) throw_arg_error(where, name, std::string("a pointer (") + why + ")", "nullptr");
    if (!required && p) throw_arg_error(where, name, std::string("nullptr (") + why + ")", "a pointer");
}

// The bytes an array argument spans, for the overlap check.
struct Span {
    const char* name;
    const void* data;
    int64_t floats;

    bool overlaps(const Span& o) const {
        if (!data || !o.data) return false;
        const auto* a = static_cast<const char*>(data);
        const auto* b = static_cast<const char*>(o.data);
        return a < b + o.floats * sizeof(float) && b < a + floats * sizeof(float);
    }
};

// Outputs are written while inputs are still being read, and outputs are written in pieces: any overlap
// would make the result depend on the engine's schedule, so it is rejected rather than left undefined.
void check_no_overlap(const char* where, const Span (&inputs)[3], const Span (&outputs)[3]) {
    for (int o = 0; o < 3; ++o) {
        for (const Span& in : inputs)
            if (outputs[o].overlaps(in))
                throw_arg_error(where, outputs[o].name, std::string("memory disjoint from ") + in.name,
                                "an overlapping array");
        for (int p = o + 1; p < 3; ++p)
            if (outputs[o].overlaps(outputs[p]))
                throw_arg_error(where, outputs[o].name, std::string("memory disjoint from ") + outputs[p].name,
                                "an overlapping array");
    }
}

} // namespace

void check_pack_args(const RnnConfig& config, const std::vector<LayerWeights>& weights,
        const EngineOptions& options) {
    config.validate();
    if (options.primitive_cache_capacity < 1)
        throw_arg_error(pack_fn, "options.primitive_cache_capacity", "at least 1", options.primitive_cache_capacity);
    switch (options.weights_format) {
        case WeightsFormat::automatic: case WeightsFormat::plain_ldigo: case WeightsFormat::onednn_preferred:
        case WeightsFormat::fused: break;
        default: throw_arg_error(pack_fn, "options.weights_format", "automatic, plain_ldigo, onednn_preferred or fused",
                                 static_cast<int>(options.weights_format));
    }
    const int64_t expected = config.num_layers * config.num_directions();
    if (static_cast<int64_t>(weights.size()) != expected)
        throw_arg_error(pack_fn, "weights", std::to_string(expected) + " entries (num_layers * num_directions)",
                        weights.size());
    // Packing allocates and indexes each weight array by the product of its extents: a product that
    // overflows int64 would wrap to a small buffer and be written past its end.
    const int64_t gate_rows = checked_mul(pack_fn, "num_gates * hidden_size", config.num_gates(), config.hidden_size);
    for (int64_t layer = 0; layer < config.num_layers; ++layer) {
        const int64_t columns = config.layer_input_size(layer);
        checked_mul(pack_fn, "weight_ih size (num_gates * hidden_size * layer input size)", gate_rows, columns);
    }
    checked_mul(pack_fn, "weight_hh size (num_gates * hidden_size * output size)", gate_rows, config.output_size());
    checked_mul(pack_fn, "weight_hr size (proj_size * hidden_size)", config.proj_size, config.hidden_size);
    const bool lstm_projection = config.proj_size > 0;
    for (std::size_t k = 0; k < weights.size(); ++k) {
        const std::string entry = "weights[" + std::to_string(k) + "].";
        const LayerWeights& w = weights[k];
        check_presence(pack_fn, entry + "weight_ih", w.weight_ih, true, "always required");
        check_presence(pack_fn, entry + "weight_hh", w.weight_hh, true, "always required");
        const char* bias_why = config.bias ? "config.bias is true" : "config.bias is false";
        check_presence(pack_fn, entry + "bias_ih", w.bias_ih, config.bias, bias_why);
        check_presence(pack_fn, entry + "bias_hh", w.bias_hh, config.bias, bias_why);
        check_presence(pack_fn, entry + "weight_hr", w.weight_hr, lstm_projection,
                       lstm_projection ? "config.proj_size > 0" : "config.proj_size is 0");
    }
}

EngineOptions with_environment(const EngineOptions& options) {
    EngineOptions resolved = options;
    const char* env = std::getenv("MKLDNN_RNN_IMPL");
    if (options.weights_format != WeightsFormat::automatic || !env || !*env || std::strcmp(env, "auto") == 0)
        return resolved;
    if (std::strcmp(env, "plain_ldigo") == 0) resolved.weights_format = WeightsFormat::plain_ldigo;
    else if (std::strcmp(env, "onednn_preferred") == 0) resolved.weights_format = WeightsFormat::onednn_preferred;
    else if (std::strcmp(env, "fused") == 0) resolved.weights_format = WeightsFormat::fused;
    else throw_arg_error(pack_fn, "environment MKLDNN_RNN_IMPL", "auto, plain_ldigo, onednn_preferred or fused", env);
    return resolved;
}

void check_forward_args(const RnnConfig& config, const SequenceInput& in, const SequenceOutput& out) {
    const int64_t T = in.seq_len, N = in.batch;
    if (!in.input) throw_arg_error(forward_fn, "input", "a pointer to [T, N, input_size] floats", "nullptr");
    if (T < 1) throw_arg_error(forward_fn, "seq_len", "at least 1", T);
    if (N < 1) throw_arg_error(forward_fn, "batch", "at least 1", N);
    if (in.layout != SequenceLayout::time_major && in.layout != SequenceLayout::batch_first)
        throw_arg_error(forward_fn, "layout", "time_major or batch_first", static_cast<int>(in.layout));
    const bool lstm = config.mode == Mode::LSTM;
    if (!lstm && in.c0) throw_arg_error(forward_fn, "c0", std::string("nullptr for mode ") + mode_name(config.mode)
                                        + " (cell state is LSTM only)", "a pointer");
    if (!lstm && out.c_n)
        throw_arg_error(forward_fn, "output.c_n", std::string("nullptr for mode ") + mode_name(config.mode)
                        + " (cell state is LSTM only)", "a pointer");
    if (in.lengths)
        for (int64_t n = 0; n < N; ++n)
            if (in.lengths[n] < 1 || in.lengths[n] > T)
                throw_arg_error(forward_fn, "lengths[" + std::to_string(n) + "]",
                                "a value in [1, " + std::to_string(T) + "] (seq_len)", in.lengths[n]);

    const int64_t states = config.num_layers * config.num_directions();
    const int64_t TN = checked_mul(forward_fn, "seq_len * batch", T, N);
    const int64_t h_floats = checked_mul(forward_fn, "h0", checked_mul(forward_fn, "h0", states, N), config.output_size());
    const int64_t c_floats = checked_mul(forward_fn, "c0", checked_mul(forward_fn, "c0", states, N), config.hidden_size);
    const Span inputs[3] = {{"input", in.input, checked_mul(forward_fn, "input", TN, config.input_size)},
                            {"h0", in.h0, h_floats},
                            {"c0", in.c0, c_floats}};
    const Span outputs[3] = {
            {"output.output", out.output, checked_mul(forward_fn, "output", TN, config.num_directions() * config.output_size())},
            {"output.h_n", out.h_n, h_floats},
            {"output.c_n", out.c_n, c_floats}};
    check_no_overlap(forward_fn, inputs, outputs);
}

void check_cell_args(const RnnConfig& config, const CellInput& in, const CellOutput& out) {
    if (config.num_layers != 1 || config.bidirectional || config.proj_size != 0)
        throw_arg_error(cell_fn, "config", "a cell (num_layers 1, unidirectional, proj_size 0)", config.to_string());
    if (!in.input) throw_arg_error(cell_fn, "input", "a pointer to [batch, input_size] floats", "nullptr");
    if (in.batch < 1) throw_arg_error(cell_fn, "batch", "at least 1", in.batch);
    if (!out.h) throw_arg_error(cell_fn, "output.h", "a pointer to [batch, hidden_size] floats", "nullptr");
    const bool lstm = config.mode == Mode::LSTM;
    if (lstm && !out.c) throw_arg_error(cell_fn, "output.c", "a pointer (LSTM cells return c)", "nullptr");
    if (!lstm && out.c)
        throw_arg_error(cell_fn, "output.c", std::string("nullptr (mode ") + mode_name(config.mode)
                        + " has no cell state)", "a pointer");
    if (!lstm && in.cx)
        throw_arg_error(cell_fn, "cx", std::string("nullptr (mode ") + mode_name(config.mode) + " has no cell state)",
                        "a pointer");

    const int64_t I = config.input_size, H = config.hidden_size;
    const int64_t state = checked_mul(cell_fn, "batch * hidden_size", in.batch, H);
    const Span inputs[3] = {{"input", in.input, checked_mul(cell_fn, "batch * input_size", in.batch, I)},
                            {"hx", in.hx, state},
                            {"cx", in.cx, state}};
    const Span outputs[3] = {{"output.h", out.h, state}, {"output.c", out.c, state}, {"", nullptr, 0}};
    check_no_overlap(cell_fn, inputs, outputs);
}

} // namespace mkldnn_rnn::detail
