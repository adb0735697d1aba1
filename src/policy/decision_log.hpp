// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// MKLDNN_RNN_VERBOSE=1 prints every decision to stderr as it is recorded, so that a benchmark or a user
// sees what was picked for each class and why.
#pragma once

#include "mkldnn_rnn/config.hpp"
#include "mkldnn_rnn/types.hpp"

namespace mkldnn_rnn::detail {

void log_decision(Mode mode, const Decision& decision);

} // namespace mkldnn_rnn::detail
