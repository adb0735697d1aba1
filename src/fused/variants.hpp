// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// The fused kernel's variants: the driver (driver.inc) compiled once per instruction set, with one inner
// product each, in one table {precision, ISA, tiles, function} (variants.cpp). Adding an ISA or a dtype
// is one more namespace there and rows in the table; nothing else branches on them.
#pragma once

#include "engine/step_kernel.hpp"
#include "mkldnn_rnn/types.hpp"
#include "platform/isa.hpp"
#include "weights/weight_store.hpp"

namespace mkldnn_rnn::detail {

// One execution of one (layer, direction) on a variant: its weights' blocked (fp32) or reduced copy.
using FusedRun = void (*)(const WeightStore& weights, bool reverse, const StepShape& shape, const RnnCallArgs& args,
                          Workspace& workspace);

struct FusedVariant {
    Precision precision;
    Isa isa;             // the instructions of its inner products (and the target the driver was built for)
    bool tiles;          // products of 4 rows or more on AMX tiles (amx_product.hpp)
    const char* product; // the inner product, as inner_product_*.hpp names it
    FusedRun run;
};

// The variant of the table for these keys; throws std::logic_error for a combination not built.
const FusedVariant& fused_variant(Precision precision, Isa isa, bool tiles);

// What the fused kernel's inner products for `precision` run on: isa_for(precision), except that bf16
// reports avx512_core_amx only where the OS grants the tiles, and takes the FMA version of its steps on
// CPUs where VDPBF16PS is the slower of the two (bf16_steps_native()).
Isa fused_isa(Precision precision);

// Whether bf16 steps run on VDPBF16PS rather than on FMA with the weights widened: fixed by
// MKLDNN_RNN_BF16_STEPS (vdpbf16ps or fma), or timed once per process (variants.cpp).
bool bf16_steps_native();

} // namespace mkldnn_rnn::detail
