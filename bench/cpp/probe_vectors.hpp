// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// Which vectors the hardware-ceiling probes (l2_bandwidth, fma_throughput) measure with: the ones
// mkldnn_rnn's fused kernel runs fp32 on here, kernel_isa(fp32), which reads the CPU and
// MKLDNN_RNN_MAX_ISA as the kernel does (and rejects a cap naming no ISA). The ceiling is then the one our
// kernel is held to on this machine and under this cap: AVX-512, or AVX2 + FMA (make bench-avx2, or a
// CPU without AVX-512).
#pragma once

#include <stdexcept>
#include <string>

#include "mkldnn_rnn/mkldnn_rnn.hpp"

namespace bench {

enum class Vectors { avx2, avx512 };

// What the probes print as "isa", and run_bench.py reads back.
inline const char* vectors_name(Vectors vectors) { return vectors == Vectors::avx512 ? "avx512" : "avx2"; }

inline Vectors probe_vectors() {
    const std::string isa = mkldnn_rnn::kernel_isa(mkldnn_rnn::Precision::fp32);
    if (isa == "avx512_core") return Vectors::avx512;
    if (isa == "avx2") return Vectors::avx2;
    throw std::runtime_error("the fused kernel runs fp32 on '" + isa + "' here: expected avx512_core or avx2 "
                             "(this CPU has neither AVX-512 nor AVX2 + FMA)");
}

} // namespace bench
