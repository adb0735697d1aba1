// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// The instruction sets the fused kernel is built for, what each needs of the CPU, and which one a
// precision runs on here: the CPU's features (cpu_features.hpp) capped by MKLDNN_RNN_MAX_ISA (see
// kernel_isa() in mkldnn_rnn/packed_rnn.hpp). The one ISA table: isa.cpp.
#pragma once

#include "mkldnn_rnn/types.hpp"

namespace mkldnn_rnn::detail {

// Ordered as oneDNN orders them (and MKLDNN_RNN_MAX_ISA caps them, as DNNL_MAX_CPU_ISA does): along
// each family (avx2, avx512_core) each includes the ones before it.
enum class Isa { none, avx2, avx2_vnni, avx512_core, avx512_core_vnni, avx512_core_bf16, avx512_core_amx };

const char* isa_name(Isa isa);

// Whether this CPU has everything `isa` needs (the cap aside).
bool cpu_has(Isa isa);

// The instructions the inner products for `precision` may use here: the highest ISA of the table this
// CPU has and the cap allows (none without AVX2 and FMA). Throws mkldnn_rnn::Error when
// MKLDNN_RNN_MAX_ISA holds something else than an ISA name.
Isa isa_for(Precision precision);

// The fused kernel runs on this CPU (on AVX2 + FMA or on AVX-512; every configuration runs on either).
inline bool fused_kernel_available() { return isa_for(Precision::fp32) != Isa::none; }

} // namespace mkldnn_rnn::detail
