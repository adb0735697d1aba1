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
// The AVX-512 the kernels are built for (platform/targets.hpp): F and BW, with FMA.
constexpr bool avx512_core(const CpuFeatures& f) { return f.avx512f && f.avx512bw && f.fma; }

struct IsaRow {
    Isa isa;
    const char* name;
    bool (*present)(const CpuFeatures&);
};
constexpr IsaRow kIsas[] = {
        {Isa::avx2, "avx2", [](const CpuFeatures& f) { return f.avx2 && f.fma; }},
        {Isa::avx2_vnni, "avx2_vnni", [](const CpuFeatures& f) { return f.avx2 && f.fma && f.avx_vnni; }},
        {Isa::avx512_core, "avx512_core", [](const CpuFeatures& f) { return avx512_core(f); }},
        {Isa::avx512_core_vnni, "avx512_core_vnni", [](const CpuFeatures& f) { return avx512_core(f) && f.avx512_vnni; }},
        {Isa::avx512_core_bf16, "avx512_core_bf16", [](const CpuFeatures& f) { return avx512_core(f) && f.avx512_bf16; }},
        {Isa::avx512_core_amx, "avx512_core_amx",
         [](const CpuFeatures& f) { return avx512_core(f) && f.amx_tile && (f.amx_bf16 || f.amx_int8); }},
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
    static const Isa cap = max_isa(); // read once per process; an invalid value throws on every call
    const auto allowed = [](Isa isa) { return at_most(isa, cap) && cpu_has(isa); };
    // fp32's: the vector width; the others' emulated products run on it too.
    const Isa base = allowed(Isa::avx512_core) ? Isa::avx512_core : allowed(Isa::avx2) ? Isa::avx2 : Isa::none;
    if (base == Isa::none) return Isa::none;
    const CpuFeatures& f = cpu_features();
    switch (precision) {
        case Precision::bf16:
            if (allowed(Isa::avx512_core_amx) && f.amx_bf16 && f.avx512_bf16) return Isa::avx512_core_amx;
            if (allowed(Isa::avx512_core_bf16)) return Isa::avx512_core_bf16;
            break;
        case Precision::int8:
            if (allowed(Isa::avx512_core_amx) && f.amx_int8 && f.avx512_vnni) return Isa::avx512_core_amx;
            if (allowed(Isa::avx512_core_vnni)) return Isa::avx512_core_vnni;
            if (base == Isa::avx2 && allowed(Isa::avx2_vnni)) return Isa::avx2_vnni;
            break;
        case Precision::fp32: break;
    }
    return base;
}

} // namespace mkldnn_rnn::detail
