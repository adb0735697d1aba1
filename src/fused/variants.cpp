// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// The fused kernel's variants (variants.hpp): the kernel (kernel.inc) compiled once per instruction set,
// and the table.
//   avx2              fp32 (FMA on two ymm per 16 lanes), and the emulations ref_Bf16Product, ref_Int8Product
//   avx2_vnni         Int8Product on AVX-VNNI (VPDPBUSD on ymm)
//   avx512_core       fp32 (FMA), and the emulations ref_Bf16Product, ref_Int8Product
//   avx512_core_bf16  Bf16Product (VDPBF16PS), where it is faster than ref_Bf16Product (measured below)
//   avx512_core_vnni  Int8Product (VPDPBUSD)
//   tiles             on AMX CPUs, products of 4 rows or more on AMX tiles (amx_product.hpp): int8's all,
//                     bf16's input projection; bf16 steps as avx512_core_bf16 or avx512_core
#include "fused/variants.hpp"

#include "platform/targets.hpp" // before any other <immintrin.h>: see there

#include <algorithm>
#include <array>
#include <cstddef>
#include <chrono>
#include <cstring>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <omp.h>

#include "fused/amx_product.hpp"
#include "fused/driver.hpp"
#include "fused/simd_avx2.hpp"
#include "fused/simd_avx512.hpp"
#include "fused/step_barrier.hpp"
#include "mkldnn_rnn/config.hpp"
#include "platform/environment.hpp"
#include "util/arg_error.hpp"
#include "util/round_up.hpp"
#include "util/workspace.hpp"
#include "weights/reduced_weights.hpp"

namespace mkldnn_rnn::detail {

namespace avx2 {
namespace simd = simd_avx2;
#define MKLDNN_RNN_KERNEL_TARGET MKLDNN_RNN_AVX2
#include "fused/kernel.inc"
#undef MKLDNN_RNN_KERNEL_TARGET
} // namespace avx2

namespace avx2_vnni {
namespace simd = simd_avx2;
#define MKLDNN_RNN_KERNEL_TARGET MKLDNN_RNN_AVX2_VNNI
#define MKLDNN_RNN_KERNEL_DPBUSD
#include "fused/kernel.inc"
#undef MKLDNN_RNN_KERNEL_DPBUSD
#undef MKLDNN_RNN_KERNEL_TARGET
} // namespace avx2_vnni

namespace avx512_core {
namespace simd = simd_avx512;
#define MKLDNN_RNN_KERNEL_TARGET MKLDNN_RNN_AVX512
#include "fused/kernel.inc"
#undef MKLDNN_RNN_KERNEL_TARGET
} // namespace avx512_core

namespace avx512_core_bf16 {
namespace simd = simd_avx512;
#define MKLDNN_RNN_KERNEL_TARGET MKLDNN_RNN_AVX512_BF16
#define MKLDNN_RNN_KERNEL_DPBF16
#include "fused/kernel.inc"
#undef MKLDNN_RNN_KERNEL_DPBF16
#undef MKLDNN_RNN_KERNEL_TARGET
} // namespace avx512_core_bf16

namespace avx512_core_vnni {
namespace simd = simd_avx512;
#define MKLDNN_RNN_KERNEL_TARGET MKLDNN_RNN_AVX512_VNNI
#define MKLDNN_RNN_KERNEL_DPBUSD
#include "fused/kernel.inc"
#undef MKLDNN_RNN_KERNEL_DPBUSD
#undef MKLDNN_RNN_KERNEL_TARGET
} // namespace avx512_core_vnni

namespace {

template <class P>
KernelWeights<P> view(const BlockedWeights& b, const LayerDims& d) {
    static_assert(P::kPrecision == Precision::fp32);
    KernelWeights<P> w;
    w.layer = {b.layer.data()};
    w.iter = {b.iter.data()};
    w.projection = {b.projection.data()};
    w.layer_groups = d.C;
    w.iter_groups = d.O;
    w.projection_groups = d.H;
    w.bias = b.bias.data();
    w.bias_hn = b.bias_hn.data();
    w.blocks = b.blocks;
    w.proj_blocks = b.proj_blocks;
    return w;
}

template <class P>
typename P::Matrix matrix(const ReducedMatrix& m) {
    if constexpr (P::kPrecision == Precision::bf16) return {reinterpret_cast<const uint16_t*>(m.values.data())};
    else return {reinterpret_cast<const int8_t*>(m.values.data()), m.scales.data(), m.compensation.data()};
}

template <class P>
KernelWeights<P> view(const ReducedWeights& r, const LayerDims& d) {
    const auto groups = [](int64_t K) { return ceil_div(K, P::kGroup); };
    KernelWeights<P> w;
    w.layer = matrix<P>(r.layer);
    w.iter = matrix<P>(r.iter);
    w.projection = matrix<P>(r.projection);
    w.layer_groups = groups(d.C);
    w.iter_groups = groups(d.O);
    w.projection_groups = groups(d.H);
    w.bias = r.bias.data();
    w.bias_hn = r.bias_hn.data();
    w.blocks = r.blocks;
    w.proj_blocks = r.proj_blocks;
    return w;
}

// VDPBF16PS does twice the multiply-adds of an FMA, but CPUs run it at different rates: the Xeon of
// docs/performance.md (AMX and AVX512_BF16) completes one every ~2 cycles, a quarter of FMA's rate, and
// there ref_Bf16Product, on FMA, is the faster of the two. So the first bf16 model of a process times
// both on one 32 KiB block, in L1 (~1 ms): they read the same bytes, so where the weights live does not
// tell them apart, only how fast the core multiplies.
bool vdpbf16ps_is_faster() {
    static const bool faster = [] {
        constexpr int64_t K = 256, groups = K / 2;
        AlignedArray<uint16_t> weights(groups * 4 * kLanes * 2);
        for (int64_t i = 0; i < weights.size(); ++i) weights.data()[i] = round_to_bf16(1e-3f * static_cast<float>(i % 7));
        std::vector<float> row(K, 0.5f);
        using Native = avx512_core_bf16::Bf16Product;
        using Fma = avx512_core::ref_Bf16Product;
        AlignedArray<uint8_t> pairs(static_cast<int64_t>(Native::operand_bytes(K)));
        AlignedArray<uint8_t> floats(static_cast<int64_t>(Fma::operand_bytes(K)));
        const Native::Operand p = Native::prepare(row.data(), K, pairs.data());
        const Fma::Operand f = Fma::prepare(row.data(), K, floats.data());
        const Native::Operand x_pairs[4] = {p, p, p, p};
        const Fma::Operand x_floats[4] = {f, f, f, f};
        alignas(64) float out[16];
        const auto best_of = [](auto&& pass) {
            double best = 1e30;
            for (int trial = 0; trial < 7; ++trial) {
                const auto t0 = std::chrono::steady_clock::now();
                for (int i = 0; i < 50; ++i) pass();
                best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
            }
            return best;
        };
        const double native = best_of([&] { avx512_core_bf16::product_pass<Native>({weights.data()}, groups, x_pairs, out); });
        const double fma = best_of([&] { avx512_core::product_pass<Fma>({weights.data()}, groups, x_floats, out); });
        return native < fma;
    }();
    return faster;
}

} // namespace

// MKLDNN_RNN_BF16_STEPS (vdpbf16ps or fma) fixes the product of bf16 steps where the CPU has the
// instruction, instead of timing them, so that tests cover both on any such CPU.
bool bf16_steps_native() {
    if (isa_for(Precision::bf16) < Isa::avx512_core_bf16) return false;
    const std::string& fixed = process_environment().bf16_steps;
    if (fixed == "vdpbf16ps") return true;
    if (fixed == "fma") return false;
    if (!fixed.empty())
        throw_arg_error("mkldnn_rnn", "MKLDNN_RNN_BF16_STEPS", "vdpbf16ps, fma or unset (timed)", "'" + fixed + "'");
    return vdpbf16ps_is_faster();
}

Isa fused_isa(Precision precision) {
    const Isa isa = isa_for(precision);
    if (isa == Isa::avx512_core_amx && amx_available(precision)) return isa;
    if (precision == Precision::int8) return isa == Isa::avx512_core_amx ? Isa::avx512_core_vnni : isa;
    if (precision != Precision::bf16) return isa;
    return bf16_steps_native() ? Isa::avx512_core_bf16 : isa_for(Precision::fp32);
}

namespace {

// fp32 runs on the blocked copy, held for the execution: a concurrent WeightStore::retain() may drop the
// store's own reference.
template <class P, bool Tiles, void (*Run)(const KernelWeights<P>&, const LayerDims&, bool, const StepShape&,
                                           const RnnCallArgs&, Workspace&)>
void run_variant(const WeightStore& weights, bool reverse, const StepShape& shape, const RnnCallArgs& args,
        Workspace& workspace) {
    if constexpr (P::kPrecision == Precision::fp32) {
        const std::shared_ptr<const BlockedWeights> blocked = weights.blocked();
        Run(view<P>(*blocked, weights.dims()), weights.dims(), reverse, shape, args, workspace);
    } else { // a reduced model's one copy, never dropped
        Run(view<P>(weights.reduced(), weights.dims()), weights.dims(), reverse, shape, args, workspace);
    }
}

#define MKLDNN_RNN_VARIANT(precision, isa, tiles, P)                                                        \
    FusedVariant { Precision::precision, Isa::isa, tiles, #P, &run_variant<isa::P, tiles, &isa::run<isa::P, tiles>> }

const FusedVariant kVariants[] = {
        MKLDNN_RNN_VARIANT(fp32, avx2, false, F32Product),
        MKLDNN_RNN_VARIANT(bf16, avx2, false, ref_Bf16Product),
        MKLDNN_RNN_VARIANT(int8, avx2, false, ref_Int8Product),
        MKLDNN_RNN_VARIANT(int8, avx2_vnni, false, Int8Product),
        MKLDNN_RNN_VARIANT(fp32, avx512_core, false, F32Product),
        MKLDNN_RNN_VARIANT(bf16, avx512_core, false, ref_Bf16Product),
        MKLDNN_RNN_VARIANT(bf16, avx512_core, true, ref_Bf16Product),
        MKLDNN_RNN_VARIANT(bf16, avx512_core_bf16, false, Bf16Product),
        MKLDNN_RNN_VARIANT(bf16, avx512_core_bf16, true, Bf16Product),
        MKLDNN_RNN_VARIANT(int8, avx512_core, false, ref_Int8Product),
        MKLDNN_RNN_VARIANT(int8, avx512_core_vnni, false, Int8Product),
        MKLDNN_RNN_VARIANT(int8, avx512_core_vnni, true, Int8Product),
};
#undef MKLDNN_RNN_VARIANT

} // namespace

const FusedVariant& fused_variant(Precision precision, Isa isa, bool tiles) {
    for (const FusedVariant& v : kVariants)
        if (v.precision == precision && v.isa == isa && v.tiles == tiles) return v;
    throw std::logic_error(std::string("mkldnn_rnn: no fused kernel variant for ") + precision_name(precision) + " on "
                           + isa_name(isa) + (tiles ? " with tiles" : ""));
}

} // namespace mkldnn_rnn::detail

namespace mkldnn_rnn {

const char* kernel_isa(Precision precision) { return detail::isa_name(detail::fused_isa(precision)); }

} // namespace mkldnn_rnn
