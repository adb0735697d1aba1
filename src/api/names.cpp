// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// The names of the public enums: what MKLDNN_RNN_IMPL takes, what decisions and errors print.
#include "mkldnn_rnn/config.hpp"
#include "mkldnn_rnn/types.hpp"

namespace mkldnn_rnn {

const char* mode_name(Mode mode) {
    switch (mode) {
        case Mode::LSTM: return "LSTM";
        case Mode::GRU: return "GRU";
        case Mode::RNN_TANH: return "RNN_TANH";
        case Mode::RNN_RELU: return "RNN_RELU";
    }
    return "unknown";
}

const char* precision_name(Precision precision) {
    switch (precision) {
        case Precision::fp32: return "fp32";
        case Precision::bf16: return "bf16";
        case Precision::int8: return "int8";
    }
    return "unknown";
}

const char* weights_format_name(WeightsFormat format) {
    switch (format) {
        case WeightsFormat::automatic: return "auto";
        case WeightsFormat::plain_ldigo: return "plain_ldigo";
        case WeightsFormat::onednn_preferred: return "onednn_preferred";
        case WeightsFormat::fused: return "fused";
    }
    return "unknown";
}

} // namespace mkldnn_rnn
