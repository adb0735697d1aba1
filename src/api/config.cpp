// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
#include "mkldnn_rnn/config.hpp"

#include <sstream>

#include "util/arg_error.hpp"
#include "weights/cell_traits.hpp"

namespace mkldnn_rnn {

void RnnConfig::validate() const {
    constexpr const char* where = "mkldnn_rnn::RnnConfig::validate";
    using detail::throw_arg_error;
    switch (mode) {
        case Mode::LSTM: case Mode::GRU: case Mode::RNN_TANH: case Mode::RNN_RELU: break;
        default: throw_arg_error(where, "mode", "LSTM, GRU, RNN_TANH or RNN_RELU", static_cast<int>(mode));
    }
    if (input_size <= 0) throw_arg_error(where, "input_size", "a positive size", input_size);
    if (hidden_size <= 0) throw_arg_error(where, "hidden_size", "a positive size", hidden_size);
    if (num_layers <= 0) throw_arg_error(where, "num_layers", "at least 1", num_layers);
    if (proj_size < 0) throw_arg_error(where, "proj_size", "0 (no projection) or a positive size", proj_size);
    if (proj_size > 0 && mode != Mode::LSTM)
        throw_arg_error(where, "proj_size", std::string("0 for mode ") + mode_name(mode)
                        + " (projections are LSTM only)", proj_size);
    if (proj_size >= hidden_size && proj_size > 0)
        throw_arg_error(where, "proj_size", "a size smaller than hidden_size (" + std::to_string(hidden_size) + ")",
                        proj_size);
}

int64_t RnnConfig::num_gates() const { return detail::gate_count(mode); }

int64_t RnnConfig::num_directions() const { return bidirectional ? 2 : 1; }

int64_t RnnConfig::output_size() const { return proj_size > 0 ? proj_size : hidden_size; }

int64_t RnnConfig::layer_input_size(int64_t layer) const {
    return layer == 0 ? input_size : num_directions() * output_size();
}

std::string RnnConfig::to_string() const {
    std::ostringstream s;
    s << mode_name(mode) << "(input_size=" << input_size << ", hidden_size=" << hidden_size
      << ", num_layers=" << num_layers << ", bias=" << (bias ? "true" : "false")
      << ", bidirectional=" << (bidirectional ? "true" : "false") << ", proj_size=" << proj_size << ")";
    return s.str();
}

} // namespace mkldnn_rnn
