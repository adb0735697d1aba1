// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
#include "policy/decision_log.hpp"

#include <cstdio>

#include "platform/environment.hpp"

namespace mkldnn_rnn::detail {

void log_decision(Mode mode, const Decision& d) {
    if (!process_environment().verbose) return;
    std::fprintf(stderr, "mkldnn_rnn: %s layer %lld direction %lld batch <= %lld threads %lld: %s (%s)\n",
                 mode_name(mode), static_cast<long long>(d.layer), static_cast<long long>(d.direction),
                 static_cast<long long>(d.batch_class), static_cast<long long>(d.threads),
                 weights_format_name(d.implementation), d.reason.c_str());
}

} // namespace mkldnn_rnn::detail
