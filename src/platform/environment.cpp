// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
#include "platform/environment.hpp"

#include <cstdlib>

namespace mkldnn_rnn::detail {
namespace {

std::string variable(const char* name) {
    const char* value = std::getenv(name);
    return value ? value : "";
}

} // namespace

const ProcessEnvironment& process_environment() {
    static const ProcessEnvironment env = [] {
        ProcessEnvironment e;
        e.max_isa = variable("MKLDNN_RNN_MAX_ISA");
        e.bf16_steps = variable("MKLDNN_RNN_BF16_STEPS");
        const std::string verbose = variable("MKLDNN_RNN_VERBOSE");
        e.verbose = !verbose.empty() && verbose[0] != '0';
        return e;
    }();
    return env;
}

std::string impl_variable() { return variable("MKLDNN_RNN_IMPL"); }

} // namespace mkldnn_rnn::detail
