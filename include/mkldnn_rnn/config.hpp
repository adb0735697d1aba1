// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
#pragma once

#include <cstdint>
#include <string>

namespace mkldnn_rnn {

// The recurrent cell, as torch.nn names it (nn.RNN's nonlinearity is part of the mode).
enum class Mode { LSTM, GRU, RNN_TANH, RNN_RELU };

// "LSTM", "GRU", "RNN_TANH", "RNN_RELU": the names torch.nn uses internally.
const char* mode_name(Mode mode);

// The hyper-parameters of an nn.LSTM / nn.GRU / nn.RNN (or of a cell: num_layers 1, unidirectional).
struct RnnConfig {
    Mode mode = Mode::LSTM;
    int64_t input_size = 0;
    int64_t hidden_size = 0;
    int64_t num_layers = 1;
    bool bias = true;
    bool bidirectional = false;
    int64_t proj_size = 0; // LSTM only; 0 means no projection

    // Throws mkldnn_rnn::Error naming the offending field, what was expected and what was given.
    void validate() const;

    int64_t num_gates() const;      // 4 for LSTM, 3 for GRU, 1 for RNN
    int64_t num_directions() const; // 2 if bidirectional else 1
    // Size of h: proj_size when projecting, hidden_size otherwise (torch.nn's "H_out").
    int64_t output_size() const;
    // Features a layer reads: input_size for layer 0, num_directions() * output_size() above it.
    int64_t layer_input_size(int64_t layer) const;

    std::string to_string() const;
};

} // namespace mkldnn_rnn
