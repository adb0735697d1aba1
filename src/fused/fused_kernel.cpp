// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
#include "fused/fused_kernel.hpp"

namespace mkldnn_rnn::detail {
namespace {

// The variant a call on one thread runs, and the one a call given a team runs.
struct Choice {
    const FusedVariant* alone;
    const FusedVariant* team;
};

Choice choose(Precision precision) {
    const Isa isa = fused_isa(precision);
    switch (precision) {
        case Precision::bf16: {
            const Isa steps = bf16_steps_native() ? Isa::avx512_core_bf16 : isa_for(Precision::fp32);
            const FusedVariant& vectors = fused_variant(precision, steps, false);
            // With a team the vector products win: AMX runs on one thread (driver.inc), and `make bench`
            // ran bf16 LSTM 250->200 T=15 from C++ on two threads at 9 372/s on FMA against 5 179/s with tiles.
            if (isa == Isa::avx512_core_amx) return {&fused_variant(precision, steps, true), &vectors};
            return {&vectors, &vectors};
        }
        case Precision::int8: {
            // Tiles (on the calling thread alone, whatever the team), VPDPBUSD, or the exact emulation.
            const FusedVariant& v = isa == Isa::avx512_core_amx ? fused_variant(precision, Isa::avx512_core_vnni, true)
                                                                 : fused_variant(precision, isa, false);
            return {&v, &v};
        }
        case Precision::fp32: break;
    }
    const FusedVariant& v = fused_variant(Precision::fp32, isa, false);
    return {&v, &v};
}

} // namespace

FusedKernel::FusedKernel(const WeightStore& weights, bool reverse) : weights_(weights), reverse_(reverse) {
    const Choice c = choose(weights.precision());
    alone_ = c.alone;
    team_ = c.team;
}

void FusedKernel::execute(const StepShape& shape, const RnnCallArgs& args, Workspace& workspace) const {
    (shape.threads == 1 ? alone_ : team_)->run(weights_, reverse_, shape, args, workspace);
}

} // namespace mkldnn_rnn::detail
