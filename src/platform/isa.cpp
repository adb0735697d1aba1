// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
#include "platform/isa.hpp"

#include <cstddef>
#include <string>

#include "platform/cpu_features.hpp"
#include "platform/environment.hpp"
#include "util/arg_error.hpp"

namespace mkldnn_rnn::detail {
namespace {

// The one table of instruction sets: each row's name (MKLDNN_RNN_MAX_ISA's values, kernel_isa()'s
// answers) and what it needs of the CPU.
struct IsaRow {
    Isa isa;
    const char* name;
    bool (*present)(const CpuFeatures&);
};
constexpr IsaRow kIsas[] = {
        {Isa::avx512_core, "avx512_core", [](const CpuFeatures& f) { return f.avx512f && f.fma; }},
        {Isa::avx512_core_vnni, "avx512_core_vnni",
         [](const CpuFeatures& f) { return f.avx512f && f.fma && f.avx512_vnni; }},
        {Isa::avx512_core_bf16, "avx512_core_bf16",
         [](const CpuFeatures& f) { return f.avx512f && f.fma && f.avx512_bf16; }},
        {Isa::avx512_core_amx, "avx512_core_amx",
         [](const CpuFeatures& f) { return f.avx512f && f.fma && f.amx_tile && (f.amx_bf16 || f.amx_int8); }},
};

const IsaRow* row_of(Isa isa) {
    for (const IsaRow& row : kIsas)
        if (row.isa == isa) return &row;
    return nullptr;
}

// The cap MKLDNN_RNN_MAX_ISA sets; the highest ISA when it is unset or empty.
Isa max_isa() {
    const std::string& cap = process_environment().max_isa;
    if (cap.empty()) return Isa::avx512_core_amx;
    std::string names; // "a, b, c or d"
    const std::size_t n = sizeof kIsas / sizeof kIsas[0];
    for (std::size_t i = 0; i < n; ++i) {
        if (cap == kIsas[i].name) return kIsas[i].isa;
        names += std::string(i == 0 ? "" : i + 1 == n ? " or " : ", ") + kIsas[i].name;
    }
    throw_arg_error("mkldnn_rnn", "MKLDNN_RNN_MAX_ISA", names, "'" + cap + "'");
}

bool at_most(Isa isa, Isa cap) { return static_cast<int>(isa) <= static_cast<int>(cap); }

} // namespace

const char* isa_name(Isa isa) {
    const IsaRow* row = row_of(isa);
    return row ? row->name : "none";
}

bool cpu_has(Isa isa) {
    const IsaRow* row = row_of(isa);
    return row && row->present(cpu_features());
}

Isa isa_for(Precision precision) {
    if (!cpu_has(Isa::avx512_core)) return Isa::none;
    static const Isa cap = max_isa(); // read once per process; an invalid value throws on every call
    const CpuFeatures& f = cpu_features();
    switch (precision) {
        case Precision::bf16:
            if (!f.avx512_bf16) break;
            if (f.amx_bf16 && at_most(Isa::avx512_core_amx, cap)) return Isa::avx512_core_amx;
            if (at_most(Isa::avx512_core_bf16, cap)) return Isa::avx512_core_bf16;
            break;
        case Precision::int8:
            if (!f.avx512_vnni) break;
            if (f.amx_int8 && at_most(Isa::avx512_core_amx, cap)) return Isa::avx512_core_amx;
            if (at_most(Isa::avx512_core_vnni, cap)) return Isa::avx512_core_vnni;
            break;
        case Precision::fp32: break;
    }
    return Isa::avx512_core;
}

} // namespace mkldnn_rnn::detail
