// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// The types and names of the core's options and choices: precisions, implementations, decisions, and
// what the CPU and the calling thread hold.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace mkldnn_rnn {

// The numbers the inner products run on (docs/precision.md). Reduced precision is opt-in, runs on the
// fused kernel (AVX2 + FMA or AVX-512; pack() refuses it elsewhere) and keeps fp32 wherever the cost is not in the
// weights: biases, the gate math, the cell state, every output and state a caller sees.
//   bf16  weights rounded to bfloat16 (nearest even); x and h rounded to bf16 before each product, as
//         oneDNN's bf16 RNN does; products accumulate in fp32 (VDPBF16PS, or FMA on the widened weights).
//   int8  weights int8 with one scale per output row (symmetric, max |w| / 127); x and h quantized at
//         run time per row and step to uint8 with a symmetric scale (max |value| / 127, shifted by 128);
//         products accumulate in int32 (VPDPBUSD, or VPMADDWD), exactly, and are scaled back to fp32.
enum class Precision { fp32, bf16, int8 };

// "fp32", "bf16", "int8".
const char* precision_name(Precision precision);

// The instructions the fused kernel's inner products use for `precision` on this CPU:
// "avx512_core_amx" (AMX tiles), "avx512_core_bf16" (VDPBF16PS), "avx512_core_vnni" (VPDPBUSD),
// "avx512_core" (fp32 FMA, and for bf16 and int8 an fp32-FMA or exact-integer emulation of those
// instructions where the CPU lacks them), "avx2_vnni" (int8 on AVX-VNNI's VPDPBUSD, with the AVX2 kernel),
// "avx2" (the same kernel on AVX2 + FMA, two ymm registers per 16 lanes, with the emulations), or "none"
// (no AVX2: reduced precision is refused, fp32 runs on oneDNN). MKLDNN_RNN_MAX_ISA (those names, in
// that order; read once per process, like oneDNN's DNNL_MAX_CPU_ISA) caps it, so that the lower paths
// are tested on CPUs that have more.
const char* kernel_isa(Precision precision);

// Which implementation runs a layer, named by the weights layout it reads: oneDNN's RNN primitives
// with plain or with oneDNN's preferred weights, or mkldnn_rnn's own fused kernel (AVX2 or AVX-512).
// `automatic` decides once per shape class (see Decision), never per sequence length. The environment
// variable MKLDNN_RNN_IMPL (auto, plain_ldigo, onednn_preferred, fused), read by pack(), replaces
// `automatic` with a fixed choice for reproducible runs.
enum class WeightsFormat {
    automatic,        // decided per shape class on its first call, or by tune()
    plain_ldigo,      // oneDNN's plain ldigo/ldio layout
    onednn_preferred, // the layout oneDNN asks for (format_tag::any): a second copy of the weights, per
                      // layout oneDNN asks for; offered as a fixed choice only
    fused,            // the fused kernel: weights blocked by 16 hidden units, gate math fused into each
                      // step; needs AVX2 + FMA (plain_ldigo runs on CPUs without them)
};

// "auto", "plain_ldigo", "onednn_preferred", "fused": the names MKLDNN_RNN_IMPL takes.
const char* weights_format_name(WeightsFormat format);

struct EngineOptions {
    // oneDNN primitives kept per (layer, direction, implementation), least recently used dropped. A
    // class needs at most 7 (sequence lengths run as chunks of 64, 32, ..., 1 steps) per padded batch
    // size and thread count: see docs/performance.md.
    std::size_t primitive_cache_capacity = 128;
    WeightsFormat weights_format = WeightsFormat::automatic;
    // Under `automatic`, an implementation whose layout is not yet held (a second copy of the weights)
    // is chosen only when it is at least this much faster on the class's probe.
    double second_copy_speedup = 1.5;
    // fp32 runs any implementation; bf16 and int8 run on the fused kernel only, with weights_format
    // `automatic` or `fused` (MKLDNN_RNN_IMPL applies to fp32 models only).
    Precision precision = Precision::fp32;
};

// How one shape class of one (layer, direction) is run. A class is the batch size rounded up to a
// power of two and the thread count: never the sequence length or the lengths pattern.
struct Decision {
    int64_t layer = 0;
    int64_t direction = 0;   // 0 forward, 1 reverse
    int64_t batch_class = 0; // batches in (batch_class / 2, batch_class]
    int64_t threads = 0;     // the caller's OpenMP threads
    WeightsFormat implementation = WeightsFormat::plain_ldigo;
    // The threads the implementation runs with: `threads`, or 1 where the probe found one thread faster
    // (by ProbePolicy's fewer_threads_margin) for a class of more; 0 in a restored list means `threads`.
    int64_t run_threads = 0;
    double fused_us = 0, plain_us = 0; // the probe's times (0: not probed)
    std::string reason;                // why this implementation ("probe: ...", "fixed by ...", ...)
};

// This CPU as decisions depend on it: vendor, model name, family/model/stepping, the instruction
// sets the kernels dispatch on, and the logical cores. Decisions saved with a model are restored only
// on a CPU with the same signature.
std::string cpu_signature();

// Bytes the calling thread's workspace holds now (the buffers forward() carves per call, shared by every
// model on the thread). A buffer over 1 MiB that no call of the last 64 on the thread needed half of is
// released, so this follows the thread's recent calls, not its largest one.
std::size_t thread_workspace_bytes();

} // namespace mkldnn_rnn
