// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// The CPU's features, read here and nowhere else: what the kernels dispatch on (isa.hpp), what a saved
// decision's CPU signature lists, and whether the OS grants this process the AMX tile state.
#pragma once

namespace mkldnn_rnn::detail {

struct CpuFeatures {
    bool avx2 = false, fma = false, avx_vnni = false;
    bool avx512f = false, avx512bw = false, avx512_vnni = false, avx512_bf16 = false;
    bool amx_tile = false, amx_bf16 = false, amx_int8 = false;
};

// Read once per process (CPUID through the compiler's __builtin_cpu_supports).
const CpuFeatures& cpu_features();

// Linux grants a process the AMX tile data only on request (ARCH_REQ_XCOMP_PERM); asked once. False
// where the CPU has no AMX or the kernel refuses.
bool amx_tiles_granted();

} // namespace mkldnn_rnn::detail
