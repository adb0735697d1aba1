// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
#include "platform/cpu_features.hpp"

#include <sys/syscall.h>
#include <unistd.h>

namespace mkldnn_rnn::detail {
namespace {

constexpr long kArchReqXcompPerm = 0x1023; // <asm/prctl.h>
constexpr long kXfeatureXtiledata = 18;

CpuFeatures read_features() {
    CpuFeatures f;
    // __builtin_cpu_supports takes a literal only.
    f.avx2 = __builtin_cpu_supports("avx2");
    f.fma = __builtin_cpu_supports("fma");
    f.avx_vnni = __builtin_cpu_supports("avxvnni");
    f.avx512f = __builtin_cpu_supports("avx512f");
    f.avx512bw = __builtin_cpu_supports("avx512bw");
    f.avx512_vnni = __builtin_cpu_supports("avx512vnni");
    f.avx512_bf16 = __builtin_cpu_supports("avx512bf16");
    f.amx_tile = __builtin_cpu_supports("amx-tile");
    f.amx_bf16 = __builtin_cpu_supports("amx-bf16");
    f.amx_int8 = __builtin_cpu_supports("amx-int8");
    return f;
}

} // namespace

const CpuFeatures& cpu_features() {
    static const CpuFeatures features = read_features();
    return features;
}

bool amx_tiles_granted() {
    static const bool granted = (cpu_features().amx_bf16 || cpu_features().amx_int8)
            && syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) == 0;
    return granted;
}

} // namespace mkldnn_rnn::detail
