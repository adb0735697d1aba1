// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
#include "api/argument_checks.hpp"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>

#include "platform/isa.hpp"
#include "util/arg_error.hpp"

namespace mkldnn_rnn::detail {
namespace {

constexpr const char* pack_fn = "mkldnn_rnn::PackedRnn::pack";
constexpr const char* forward_fn = "mkldnn_rnn::PackedRnn::forward";
constexpr const char* cell_fn = "mkldnn_rnn::PackedRnn::cell_forward";
constexpr const char* packed_fn = "mkldnn_rnn::PackedRnn::forward_packed";
constexpr const char* restore_fn = "mkldnn_rnn::PackedRnn::restore_decisions";
constexpr const char* tune_fn = "mkldnn_rnn::PackedRnn::tune";
constexpr const char* pack_int8_fn = "mkldnn_rnn::PackedRnn::pack_int8";

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

// The arrays of one (layer, direction), given exactly where the config has them: pack()'s inputs and
// torch_weights()'s outputs. `prefix` names them ("weights[3]." or "out.").
// `matrix` follows the matrices' names: ".values" for int8 matrices, whose scales are checked apart.
void check_layer_arrays(const char* where, const std::string& prefix, const RnnConfig& config, const void* weight_ih,
        const void* weight_hh, const void* bias_ih, const void* bias_hh, const void* weight_hr, const char* matrix = "") {
    check_presence(where, prefix + "weight_ih" + matrix, weight_ih, true, "always required");
    check_presence(where, prefix + "weight_hh" + matrix, weight_hh, true, "always required");
    const char* bias_why = config.bias ? "config.bias is true" : "config.bias is false";
    check_presence(where, prefix + "bias_ih", bias_ih, config.bias, bias_why);
    check_presence(where, prefix + "bias_hh", bias_hh, config.bias, bias_why);
    const bool projection = config.proj_size > 0;
    check_presence(where, prefix + "weight_hr" + matrix, weight_hr, projection,
                   projection ? "config.proj_size > 0" : "config.proj_size is 0");
}

// The scales of an int8 layer's matrices, given exactly where the config has them.
template <typename Layer>
void check_scale_arrays(const char* where, const std::string& prefix, const RnnConfig& config, const Layer& w) {
    const bool projection = config.proj_size > 0;
    check_presence(where, prefix + "weight_ih.scales", w.weight_ih.scales, true, "always required");
    check_presence(where, prefix + "weight_hh.scales", w.weight_hh.scales, true, "always required");
    check_presence(where, prefix + "weight_hr.scales", w.weight_hr.scales, projection,
                   projection ? "config.proj_size > 0" : "config.proj_size is 0");
}

// What forward and forward_packed share: c0 and c_n are LSTM's only, and no output overlaps an input
// (rows: of the input and output sequences, T * N padded or sum(batch_sizes) packed).
void check_states_and_spans(const char* where, const RnnConfig& config, int64_t rows, int64_t N, const float* input,
        const float* h0, const float* c0, const SequenceOutput& out) {
    if (config.mode != Mode::LSTM && c0)
        throw_arg_error(where, "c0", std::string("nullptr for mode ") + mode_name(config.mode)
                        + " (cell state is LSTM only)", "a pointer");
    if (config.mode != Mode::LSTM && out.c_n)
        throw_arg_error(where, "output.c_n", std::string("nullptr for mode ") + mode_name(config.mode)
                        + " (cell state is LSTM only)", "a pointer");
    const int64_t states = config.num_layers * config.num_directions();
    const int64_t h_floats = checked_mul(where, "h0", checked_mul(where, "h0", states, N), config.output_size());
    const int64_t c_floats = checked_mul(where, "c0", checked_mul(where, "c0", states, N), config.hidden_size);
    const Span inputs[3] = {{"input", input, checked_mul(where, "input", rows, config.input_size)},
                            {"h0", h0, h_floats},
                            {"c0", c0, c_floats}};
    const Span outputs[3] = {
            {"output.output", out.output, checked_mul(where, "output", rows, config.num_directions() * config.output_size())},
            {"output.h_n", out.h_n, h_floats},
            {"output.c_n", out.c_n, c_floats}};
    check_no_overlap(where, inputs, outputs);
}

} // namespace

namespace {

// What pack() and pack_int8() share: the options, the number of entries, and sizes whose products fit.
void check_options_and_sizes(const char* where, const RnnConfig& config, std::size_t entries,
        const EngineOptions& options) {
    config.validate();
    if (!(options.second_copy_speedup >= 1.0))
        throw_arg_error(where, "options.second_copy_speedup", "a factor of at least 1", options.second_copy_speedup);
    if (options.primitive_cache_capacity < 1)
        throw_arg_error(where, "options.primitive_cache_capacity", "at least 1", options.primitive_cache_capacity);
    switch (options.weights_format) {
        case WeightsFormat::automatic: case WeightsFormat::plain_ldigo: case WeightsFormat::onednn_preferred:
        case WeightsFormat::fused: break;
        default: throw_arg_error(where, "options.weights_format", "automatic, plain_ldigo, onednn_preferred or fused",
                                 static_cast<int>(options.weights_format));
    }
    switch (options.precision) {
        case Precision::fp32: case Precision::bf16: case Precision::int8: break;
        default: throw_arg_error(where, "options.precision", "fp32, bf16 or int8", static_cast<int>(options.precision));
    }
    if (options.precision != Precision::fp32) {
        const std::string name = precision_name(options.precision);
        if (options.weights_format != WeightsFormat::automatic && options.weights_format != WeightsFormat::fused)
            throw_arg_error(where, "options.weights_format",
                            "automatic or fused for precision " + name + " (reduced precision runs on the fused kernel)",
                            weights_format_name(options.weights_format));
        if (isa_for(options.precision) == Isa::none)
            throw_arg_error(where, "options.precision", "fp32 on this CPU (" + name + " runs on the fused kernel, "
                            "which needs AVX2 + FMA)", name);
    }
    // int8 sums (q + 128) * w over K in int32: 255 * 128 * K stays below 2^31 up to K = 65536.
    if (options.precision == Precision::int8) {
        constexpr int64_t max_k = 65536;
        for (int64_t layer = 0; layer < config.num_layers; ++layer)
            if (config.layer_input_size(layer) > max_k)
                throw_arg_error(where, "config", "layer input sizes of at most 65536 for int8 (int32 sums)",
                                config.to_string());
        if (config.hidden_size > max_k)
            throw_arg_error(where, "config.hidden_size", "at most 65536 for int8 (int32 sums)", config.hidden_size);
    }
    const int64_t expected = config.num_layers * config.num_directions();
    if (static_cast<int64_t>(entries) != expected)
        throw_arg_error(where, "weights", std::to_string(expected) + " entries (num_layers * num_directions)", entries);
    // Packing allocates and indexes each weight array by the product of its extents: a product that
    // overflows int64 would wrap to a small buffer and be written past its end.
    const int64_t gate_rows = checked_mul(where, "num_gates * hidden_size", config.num_gates(), config.hidden_size);
    for (int64_t layer = 0; layer < config.num_layers; ++layer) {
        const int64_t columns = config.layer_input_size(layer);
        checked_mul(where, "weight_ih size (num_gates * hidden_size * layer input size)", gate_rows, columns);
    }
    checked_mul(where, "weight_hh size (num_gates * hidden_size * output size)", gate_rows, config.output_size());
    checked_mul(where, "weight_hr size (proj_size * hidden_size)", config.proj_size, config.hidden_size);
}

// Every scale of one int8 matrix: finite and positive (a zero scale would make every weight 0; the
// kernel multiplies by it, so inf or NaN would reach every output).
void check_scales(const char* where, const std::string& name, const float* scales, int64_t rows) {
    for (int64_t r = 0; r < rows; ++r)
        if (!(scales[r] > 0.f && scales[r] <= std::numeric_limits<float>::max()))
            throw_arg_error(where, name + ".scales[" + std::to_string(r) + "]", "a finite positive scale", scales[r]);
}

} // namespace

void check_pack_args(const RnnConfig& config, const std::vector<LayerWeights>& weights,
        const EngineOptions& options) {
    check_options_and_sizes(pack_fn, config, weights.size(), options);
    for (std::size_t k = 0; k < weights.size(); ++k) {
        const LayerWeights& w = weights[k];
        check_layer_arrays(pack_fn, "weights[" + std::to_string(k) + "].", config, w.weight_ih, w.weight_hh, w.bias_ih,
                           w.bias_hh, w.weight_hr);
    }
}

void check_pack_int8_args(const RnnConfig& config, const std::vector<Int8LayerWeights>& weights,
        const EngineOptions& options) {
    if (options.precision != Precision::fp32 && options.precision != Precision::int8) {
        const std::string given = options.precision == Precision::bf16 ? std::string("bf16")
                                                                       : std::to_string(static_cast<int>(options.precision));
        throw_arg_error(pack_int8_fn, "options.precision", "int8 or fp32 (the default; the model is int8 either way)",
                        given);
    }
    EngineOptions int8 = options;
    int8.precision = Precision::int8;
    check_options_and_sizes(pack_int8_fn, config, weights.size(), int8);
    const int64_t gate_rows = config.num_gates() * config.hidden_size;
    for (std::size_t k = 0; k < weights.size(); ++k) {
        const Int8LayerWeights& w = weights[k];
        const std::string at = "weights[" + std::to_string(k) + "].";
        check_layer_arrays(pack_int8_fn, at, config, w.weight_ih.values, w.weight_hh.values, w.bias_ih, w.bias_hh,
                           w.weight_hr.values, ".values");
        check_scale_arrays(pack_int8_fn, at, config, w);
        check_scales(pack_int8_fn, at + "weight_ih", w.weight_ih.scales, gate_rows);
        check_scales(pack_int8_fn, at + "weight_hh", w.weight_hh.scales, gate_rows);
        if (config.proj_size > 0) check_scales(pack_int8_fn, at + "weight_hr", w.weight_hr.scales, config.proj_size);
    }
}

void check_forward_args(const RnnConfig& config, const SequenceInput& in, const SequenceOutput& out) {
    const int64_t T = in.seq_len, N = in.batch;
    if (!in.input) throw_arg_error(forward_fn, "input", "a pointer to [T, N, input_size] floats", "nullptr");
    if (T < 1) throw_arg_error(forward_fn, "seq_len", "at least 1", T);
    if (N < 1) throw_arg_error(forward_fn, "batch", "at least 1", N);
    if (in.layout != SequenceLayout::time_major && in.layout != SequenceLayout::batch_first)
        throw_arg_error(forward_fn, "layout", "time_major or batch_first", static_cast<int>(in.layout));
    if (in.lengths)
        for (int64_t n = 0; n < N; ++n)
            if (in.lengths[n] < 1 || in.lengths[n] > T)
                throw_arg_error(forward_fn, "lengths[" + std::to_string(n) + "]",
                                "a value in [1, " + std::to_string(T) + "] (seq_len)", in.lengths[n]);

    check_states_and_spans(forward_fn, config, checked_mul(forward_fn, "seq_len * batch", T, N), N, in.input, in.h0,
                           in.c0, out);
}

int64_t check_forward_packed_args(const RnnConfig& config, const PackedSequenceInput& in, const SequenceOutput& out) {
    if (!in.input) throw_arg_error(packed_fn, "input", "a pointer to [sum(batch_sizes), input_size] floats", "nullptr");
    if (in.seq_len < 1) throw_arg_error(packed_fn, "seq_len", "at least 1 (the length of batch_sizes)", in.seq_len);
    if (!in.batch_sizes) throw_arg_error(packed_fn, "batch_sizes", "a pointer to seq_len int64 values", "nullptr");
    int64_t rows = 0;
    for (int64_t t = 0; t < in.seq_len; ++t) {
        const int64_t b = in.batch_sizes[t];
        const int64_t before = t == 0 ? b : in.batch_sizes[t - 1];
        if (b < 1 || b > before)
            throw_arg_error(packed_fn, "batch_sizes[" + std::to_string(t) + "]",
                            t == 0 ? std::string("a positive value")
                                   : "a value in [1, " + std::to_string(before) + "] (positive and non-increasing)", b);
        rows += b; // no overflow: each of at most seq_len terms is at most batch_sizes[0]
    }
    check_states_and_spans(packed_fn, config, rows, in.batch_sizes[0], in.input, in.h0, in.c0, out);
    return rows;
}

void check_torch_weights_args(const RnnConfig& config, std::size_t index, const MutableLayerWeights& out) {
    constexpr const char* fn = "mkldnn_rnn::PackedRnn::torch_weights";
    const std::size_t entries = static_cast<std::size_t>(config.num_layers * config.num_directions());
    if (index >= entries)
        throw_arg_error(fn, "index", "an entry in [0, " + std::to_string(entries) + ") (num_layers * num_directions)", index);
    check_layer_arrays(fn, "out.", config, out.weight_ih, out.weight_hh, out.bias_ih, out.bias_hh, out.weight_hr);
}

void check_int8_weights_args(const RnnConfig& config, Precision precision, std::size_t index,
        const MutableInt8LayerWeights& out) {
    constexpr const char* fn = "mkldnn_rnn::PackedRnn::int8_weights";
    if (precision != Precision::int8)
        throw_arg_error(fn, "this model", "an int8 model (pack_int8, or pack with precision int8)",
                        std::string("a ") + precision_name(precision) + " model");
    const std::size_t entries = static_cast<std::size_t>(config.num_layers * config.num_directions());
    if (index >= entries)
        throw_arg_error(fn, "index", "an entry in [0, " + std::to_string(entries) + ") (num_layers * num_directions)", index);
    check_layer_arrays(fn, "out.", config, out.weight_ih.values, out.weight_hh.values, out.bias_ih, out.bias_hh,
                       out.weight_hr.values, ".values");
    check_scale_arrays(fn, "out.", config, out);
}

void check_tune_args(int64_t max_batch) {
    if (max_batch < 1 || max_batch > (int64_t{1} << 20))
        throw_arg_error(tune_fn, "max_batch", "a batch size in [1, 1048576]", max_batch);
}

void check_restored_decision(const RnnConfig& config, Precision precision, const Decision& d, std::size_t index,
        bool fused_available) {
    const std::string at = "decisions[" + std::to_string(index) + "].";
    if (d.layer < 0 || d.layer >= config.num_layers)
        throw_arg_error(restore_fn, at + "layer", "a layer in [0, " + std::to_string(config.num_layers) + ")", d.layer);
    if (d.direction < 0 || d.direction >= config.num_directions())
        throw_arg_error(restore_fn, at + "direction", "a direction in [0, " + std::to_string(config.num_directions()) + ")",
                        d.direction);
    if (d.batch_class < 1 || d.batch_class > (int64_t{1} << 40) || (d.batch_class & (d.batch_class - 1)) != 0)
        throw_arg_error(restore_fn, at + "batch_class", "a power of two", d.batch_class);
    if (d.threads < 1 || d.threads > 4096) throw_arg_error(restore_fn, at + "threads", "a count in [1, 4096]", d.threads);
    if (d.run_threads < 0 || d.run_threads > d.threads)
        throw_arg_error(restore_fn, at + "run_threads", "a count in [0, threads = " + std::to_string(d.threads) + "]",
                        d.run_threads);
    const WeightsFormat f = d.implementation;
    if (f != WeightsFormat::plain_ldigo && f != WeightsFormat::onednn_preferred && f != WeightsFormat::fused)
        throw_arg_error(restore_fn, at + "implementation", "plain_ldigo, onednn_preferred or fused", static_cast<int>(f));
    if (precision != Precision::fp32 && f != WeightsFormat::fused)
        throw_arg_error(restore_fn, at + "implementation",
                        std::string("fused for a ") + precision_name(precision) + " model (its only implementation)",
                        weights_format_name(f));
    if (f == WeightsFormat::fused && !fused_available)
        throw_arg_error(restore_fn, at + "implementation", "an implementation this CPU runs (fused needs AVX2 + FMA)", "fused");
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
