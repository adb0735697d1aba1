// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// The one rounding of sizes: to whole blocks, whole groups and whole cache lines.
#pragma once

#include <cstddef>
#include <cstdint>

namespace mkldnn_rnn::detail {

// Whole `size`s needed for n (n, size > 0 or n == 0).
template <typename T>
constexpr T ceil_div(T n, T size) { return (n + size - 1) / size; }

// n rounded up to a multiple of `size`.
template <typename T>
constexpr T round_up(T n, T size) { return ceil_div(n, size) * size; }

// Every buffer the kernels carve is aligned to, and padded to, a cache line.
constexpr std::size_t kCacheLine = 64;

} // namespace mkldnn_rnn::detail
