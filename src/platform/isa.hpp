// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// Which instructions the fused kernel's inner products may use: the CPU's features, capped by
// MKLDNN_RNN_MAX_ISA (see kernel_isa() in packed_rnn.hpp). The one place the features are read.
#pragma once

#include "mkldnn_rnn/packed_rnn.hpp"

namespace mkldnn_rnn::detail {

// Ordered as oneDNN orders them: each includes the ones before it.
enum class Isa { none, avx512_core, avx512_core_vnni, avx512_core_bf16, avx512_core_amx };

const char* isa_name(Isa isa);

// The inner product's instructions for `precision` (none without AVX-512). Throws mkldnn_rnn::Error when
// MKLDNN_RNN_MAX_ISA holds something else than an ISA name.
Isa isa_for(Precision precision);

} // namespace mkldnn_rnn::detail
