// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// Every instruction-set target the library compiles code for, and the one include of <immintrin.h>.
//
// Kernels carry a target attribute rather than the files being built with -mavx512f: the library still
// loads and runs (on oneDNN's kernels) on a CPU without AVX-512, and only code that has checked the
// CPU (isa.hpp) calls them. A new ISA is one more macro here and one more row in isa.cpp.
#pragma once

// GCC 12.2 flags _mm512_undefined_ps() inside its own masked intrinsics as uninitialized once they are
// inlined (GCC PR 105593); diagnostics follow the header's location, so this silences exactly those,
// provided this is the first include of <immintrin.h> in the translation unit (so every file that
// uses intrinsics includes this header, first).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop

#define MKLDNN_RNN_AVX2 __attribute__((target("avx2,fma")))
#define MKLDNN_RNN_AVX2_VNNI __attribute__((target("avx2,fma,avxvnni")))
// avx512_core is oneDNN's: F with BW (the int16 multiply-adds of the int8 emulation), as every AVX-512 CPU has.
#define MKLDNN_RNN_AVX512 __attribute__((target("avx512f,avx512bw,fma")))
#define MKLDNN_RNN_AVX512_BF16 __attribute__((target("avx512f,avx512bw,avx512bf16,fma")))
#define MKLDNN_RNN_AVX512_VNNI __attribute__((target("avx512f,avx512bw,avx512vnni,fma")))
#define MKLDNN_RNN_AMX __attribute__((target("amx-tile,amx-bf16,amx-int8")))
