// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// The instruction sets the fused kernel is built for, what each needs of the CPU, and which one a
// precision runs on here: the CPU's features (cpu_features.hpp) capped by MKLDNN_RNN_MAX_ISA (see
// kernel_isa() in mkldnn_rnn/packed_rnn.hpp). The one ISA table: isa.cpp.
#pragma once

#include "mkldnn_rnn/types.hpp"

namespace mkldnn_rnn::detail {

// Ordered as oneDNN orders them: each includes the ones before it.
enum class Isa { none, avx512_core, avx512_core_vnni, avx512_core_bf16, avx512_core_amx };

const char* isa_name(Isa isa);

// Whether this CPU has everything `isa` needs (the cap aside).
bool cpu_has(Isa isa);

// The instructions the inner products for `precision` may use here (none without AVX-512). Throws
// mkldnn_rnn::Error when MKLDNN_RNN_MAX_ISA holds something else than an ISA name.
Isa isa_for(Precision precision);

// The fused kernel runs on this CPU (it needs avx512_core; every configuration runs on it).
inline bool fused_kernel_available() { return cpu_has(Isa::avx512_core); }

} // namespace mkldnn_rnn::detail
