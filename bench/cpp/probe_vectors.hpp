// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// Which vectors the hardware-ceiling probes (l2_bandwidth, fma_throughput) measure with: the widest this
// CPU has that MKLDNN_RNN_MAX_ISA allows, as mkldnn_rnn's fused kernel picks its own. The ceiling is then
// the one our kernel is held to on this machine and under this cap: AVX-512 where the CPU has it and the
// cap is unset or an avx512_* name, AVX2 + FMA otherwise (make bench-avx2, or a CPU without AVX-512).
#pragma once

#include <cstdlib>
#include <stdexcept>
#include <string>

namespace bench {

enum class Vectors { avx2, avx512 };

// What the probes print as "isa", and run_bench.py reads back.
inline const char* vectors_name(Vectors vectors) { return vectors == Vectors::avx512 ? "avx512" : "avx2"; }

inline Vectors probe_vectors() {
    const char* variable = std::getenv("MKLDNN_RNN_MAX_ISA");
    const std::string cap = variable ? variable : "";
    // MKLDNN_RNN_MAX_ISA's values (src/platform/isa.cpp); any other is an error there too.
    bool avx512_allowed = cap.empty();
    for (const char* name : {"avx512_core", "avx512_core_vnni", "avx512_core_bf16", "avx512_core_amx"})
        avx512_allowed = avx512_allowed || cap == name;
    if (!avx512_allowed && cap != "avx2" && cap != "avx2_vnni")
        throw std::runtime_error("MKLDNN_RNN_MAX_ISA: expected avx2, avx2_vnni, avx512_core, avx512_core_vnni, "
                                 "avx512_core_bf16, avx512_core_amx or unset, got '" + cap + "'");
    if (avx512_allowed && __builtin_cpu_supports("avx512f")) return Vectors::avx512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Vectors::avx2;
    throw std::runtime_error(avx512_allowed ? "this CPU has neither AVX-512 nor AVX2 + FMA"
                                            : "MKLDNN_RNN_MAX_ISA=" + cap + " rules out AVX-512, and this CPU has "
                                              "no AVX2 + FMA");
}

} // namespace bench
