// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// Every MKLDNN_RNN_* variable the library reads, read here and nowhere else, each by one rule:
//   MKLDNN_RNN_MAX_ISA     once per process, like oneDNN's DNNL_MAX_CPU_ISA (platform/isa.hpp)
//   MKLDNN_RNN_BF16_STEPS  once per process (fused/variants.cpp)
//   MKLDNN_RNN_VERBOSE     once per process (policy/decision_log.cpp)
//   MKLDNN_RNN_IMPL        at every PackedRnn::pack(), as packed_rnn.hpp documents: a process may pack
//                          models under different fixed choices (the tests and the benchmark do)
// An unset and an empty variable are the same. The values are parsed, and bad ones reported, by the
// code that owns their meaning.
#pragma once

#include <string>

namespace mkldnn_rnn::detail {

struct ProcessEnvironment {
    std::string max_isa;    // MKLDNN_RNN_MAX_ISA
    std::string bf16_steps; // MKLDNN_RNN_BF16_STEPS
    bool verbose = false;   // MKLDNN_RNN_VERBOSE set and not starting with "0"
};

// The variables read once per process, on first use.
const ProcessEnvironment& process_environment();

// MKLDNN_RNN_IMPL as it is now.
std::string impl_variable();

} // namespace mkldnn_rnn::detail
