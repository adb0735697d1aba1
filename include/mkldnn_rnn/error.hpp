// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
#pragma once

#include <stdexcept>
#include <string>

namespace mkldnn_rnn {

// Every invalid argument given to the public API throws this. The message names the function, the
// argument, what was expected and what was given, e.g.
//   "mkldnn_rnn::PackedRnn::forward: lengths[2]: expected a value in [1, 17], got 0"
class Error : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

} // namespace mkldnn_rnn
