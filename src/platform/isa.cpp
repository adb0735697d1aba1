// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
#include "platform/isa.hpp"

#include <cstdlib>
#include <cstring>
#include <string>

#include "util/arg_error.hpp"
#include "fused/vector_math.hpp"

namespace mkldnn_rnn::detail {
namespace {

constexpr Isa kIsas[] = {Isa::avx512_core, Isa::avx512_core_vnni, Isa::avx512_core_bf16, Isa::avx512_core_amx};

// The cap MKLDNN_RNN_MAX_ISA sets; the highest ISA when it is unset or empty.
Isa max_isa() {
    const char* cap = std::getenv("MKLDNN_RNN_MAX_ISA");
    if (!cap || !*cap) return Isa::avx512_core_amx;
    for (Isa isa : kIsas)
        if (std::strcmp(cap, isa_name(isa)) == 0) return isa;
    throw_arg_error("mkldnn_rnn", "MKLDNN_RNN_MAX_ISA", "avx512_core, avx512_core_vnni, avx512_core_bf16 or avx512_core_amx",
                    std::string("'") + cap + "'");
}

bool at_most(Isa isa, Isa cap) { return static_cast<int>(isa) <= static_cast<int>(cap); }

} // namespace

const char* isa_name(Isa isa) {
    switch (isa) {
        case Isa::avx512_core: return "avx512_core";
        case Isa::avx512_core_vnni: return "avx512_core_vnni";
        case Isa::avx512_core_bf16: return "avx512_core_bf16";
        case Isa::avx512_core_amx: return "avx512_core_amx";
        case Isa::none: break;
    }
    return "none";
}

Isa isa_for(Precision precision) {
    if (!vec::cpu_has_avx512()) return Isa::none;
    static const Isa cap = max_isa(); // read once per process; an invalid value throws on every call
    switch (precision) {
        case Precision::bf16:
            if (!__builtin_cpu_supports("avx512bf16")) break;
            if (__builtin_cpu_supports("amx-bf16") && at_most(Isa::avx512_core_amx, cap)) return Isa::avx512_core_amx;
            if (at_most(Isa::avx512_core_bf16, cap)) return Isa::avx512_core_bf16;
            break;
        case Precision::int8:
            if (!__builtin_cpu_supports("avx512vnni")) break;
            if (__builtin_cpu_supports("amx-int8") && at_most(Isa::avx512_core_amx, cap)) return Isa::avx512_core_amx;
            if (at_most(Isa::avx512_core_vnni, cap)) return Isa::avx512_core_vnni;
            break;
        case Precision::fp32: break;
    }
    return Isa::avx512_core;
}

} // namespace mkldnn_rnn::detail
