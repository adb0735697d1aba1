// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// One message format for every argument error of the public API:
//   "<where>: <argument>: expected <expectation>, got <given>"
#pragma once

#include <cstdint>
#include <sstream>
#include <string>

#include "mkldnn_rnn/error.hpp"

namespace mkldnn_rnn::detail {

template <typename Given>
[[noreturn]] void throw_arg_error(const char* where, const std::string& argument,
        const std::string& expected, const Given& given) {
    std::ostringstream msg;
    msg << where << ": " << argument << ": expected " << expected << ", got " << given;
    throw Error(msg.str());
}

inline const char* null_or_set(const void* p) { return p ? "a pointer" : "nullptr"; }

// a * b, or an Error when the product of tensor extents does not fit in int64.
inline int64_t checked_mul(const char* where, const char* what, int64_t a, int64_t b) {
    int64_t r = 0;
    if (__builtin_mul_overflow(a, b, &r))
        throw_arg_error(where, what, "a size that fits in int64", std::to_string(a) + " * " + std::to_string(b));
    return r;
}

} // namespace mkldnn_rnn::detail
