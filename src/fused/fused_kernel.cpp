// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// The fused kernel's one dispatch: the driver (fused_driver.inc) compiled once per instruction set, and
// FusedKernel picking the inner product its weights' precision and the CPU's features (kernel_isa.hpp) call for.
//   avx512_core       fp32 (FMA), and the emulations ref_Bf16Product, ref_Int8Product
//   avx512_core_bf16  Bf16Product (VDPBF16PS), where it is faster than ref_Bf16Product (measured below)
//   avx512_core_amx   products of 4 rows or more on AMX tiles (amx_product.hpp): int8's all, bf16's
//                     input projection; bf16 steps as avx512_core_bf16 or avx512_core
//   avx512_core_vnni  Int8Product (VPDPBUSD)
#include "fused/vector_math.hpp" // first: it includes <immintrin.h> (see there)

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstring>
#include <chrono>
#include <cstdlib>
#include <string>
#include <memory>
#include <utility>
#include <vector>

#include <omp.h>

#include "fused/amx_product.hpp"
#include "util/arg_error.hpp"
#include "fused/cell_math.hpp"
#include "fused/driver.hpp"
#include "fused/fused_kernel.hpp"
#include "fused/inner_product_bf16.hpp"
#include "fused/inner_product_f32.hpp"
#include "fused/inner_product_int8.hpp"
#include "fused/step_barrier.hpp"
#include "util/workspace.hpp"

namespace mkldnn_rnn::detail {

namespace avx512_core {
#define MKLDNN_RNN_KERNEL_TARGET MKLDNN_RNN_AVX512
#include "fused/driver.inc"
#undef MKLDNN_RNN_KERNEL_TARGET
} // namespace avx512_core

namespace avx512_core_bf16 {
#define MKLDNN_RNN_KERNEL_TARGET MKLDNN_RNN_AVX512_BF16
#include "fused/driver.inc"
#undef MKLDNN_RNN_KERNEL_TARGET
} // namespace avx512_core_bf16

namespace avx512_core_vnni {
#define MKLDNN_RNN_KERNEL_TARGET MKLDNN_RNN_AVX512_VNNI
#include "fused/driver.inc"
#undef MKLDNN_RNN_KERNEL_TARGET
} // namespace avx512_core_vnni

namespace {

KernelWeights<F32Product> view(const BlockedWeights& b, const LayerDims& d) {
    KernelWeights<F32Product> w;
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
    if constexpr (P::kGroup == 2) return {reinterpret_cast<const uint16_t*>(m.values.data())};
    else return {reinterpret_cast<const int8_t*>(m.values.data()), m.scales.data(), m.compensation.data()};
}

template <class P>
KernelWeights<P> view(const ReducedWeights& r, const LayerDims& d) {
    const auto groups = [](int64_t K) { return (K + P::kGroup - 1) / P::kGroup; };
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
        AlignedArray<uint8_t> pairs(static_cast<int64_t>(Bf16Product::operand_bytes(K)));
        AlignedArray<uint8_t> floats(static_cast<int64_t>(ref_Bf16Product::operand_bytes(K)));
        const Bf16Product::Operand p = Bf16Product::prepare(row.data(), K, pairs.data());
        const ref_Bf16Product::Operand f = ref_Bf16Product::prepare(row.data(), K, floats.data());
        const Bf16Product::Operand x_pairs[4] = {p, p, p, p};
        const ref_Bf16Product::Operand x_floats[4] = {f, f, f, f};
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
        const bf16::Matrix m{weights.data()};
        const double native = best_of([&] { avx512_core_bf16::product_pass<Bf16Product>(m, groups, x_pairs, out); });
        const double fma = best_of([&] { avx512_core::product_pass<ref_Bf16Product>(m, groups, x_floats, out); });
        return native < fma;
    }();
    return faster;
}

} // namespace

// MKLDNN_RNN_BF16_STEPS (vdpbf16ps or fma) fixes the product of bf16 steps where the CPU has the
// instruction, instead of timing them, so that tests cover both on any such CPU.
bool bf16_steps_native() {
    if (isa_for(Precision::bf16) < Isa::avx512_core_bf16) return false;
    const char* fixed = std::getenv("MKLDNN_RNN_BF16_STEPS");
    if (fixed && std::strcmp(fixed, "vdpbf16ps") == 0) return true;
    if (fixed && std::strcmp(fixed, "fma") == 0) return false;
    if (fixed && *fixed)
        throw_arg_error("mkldnn_rnn", "MKLDNN_RNN_BF16_STEPS", "vdpbf16ps, fma or unset (timed)", std::string("'") + fixed + "'");
    return vdpbf16ps_is_faster();
}

Isa fused_isa(Precision precision) {
    const Isa isa = isa_for(precision);
    if (isa == Isa::avx512_core_amx && amx_available(precision)) return isa;
    if (precision == Precision::int8) return isa == Isa::avx512_core_amx ? Isa::avx512_core_vnni : isa;
    if (precision != Precision::bf16) return isa;
    return bf16_steps_native() ? Isa::avx512_core_bf16 : Isa::avx512_core;
}

bool fused_kernel_available() { return vec::cpu_has_avx512(); }

FusedKernel::FusedKernel(const WeightStore& weights, bool reverse)
    : weights_(weights), reverse_(reverse), isa_(fused_isa(weights.precision())),
      bf16_native_steps_(weights.precision() == Precision::bf16 && bf16_steps_native()) {}

void FusedKernel::execute(const StepShape& shape, const RnnCallArgs& args, Workspace& workspace) const {
    const LayerDims& d = weights_.dims();
    if (weights_.precision() == Precision::fp32) {
        // Held for the execution: a concurrent WeightStore::retain() may drop the store's own reference.
        const std::shared_ptr<const BlockedWeights> blocked = weights_.blocked();
        avx512_core::run<F32Product>(view(*blocked, d), d, reverse_, shape, args, workspace);
        return;
    }
    const ReducedWeights& r = weights_.reduced(); // never dropped: the model's only copy
    if (r.precision == Precision::bf16) {
        // With a team the vector products win: AMX runs on one thread (fused_driver.inc), and `make bench`
        // ran bf16 LSTM 250->200 T=15 from C++ on two threads at 9 372/s on FMA against 5 179/s with tiles.
        const bool amx = isa_ == Isa::avx512_core_amx && shape.threads == 1;
        if (amx && bf16_native_steps_)
            avx512_core_bf16::run<Bf16Product, true>(view<Bf16Product>(r, d), d, reverse_, shape, args, workspace);
        else if (amx)
            avx512_core::run<ref_Bf16Product, true>(view<ref_Bf16Product>(r, d), d, reverse_, shape, args, workspace);
        else if (bf16_native_steps_)
            avx512_core_bf16::run<Bf16Product>(view<Bf16Product>(r, d), d, reverse_, shape, args, workspace);
        else
            avx512_core::run<ref_Bf16Product>(view<ref_Bf16Product>(r, d), d, reverse_, shape, args, workspace);
    } else if (isa_ == Isa::avx512_core_amx) {
        avx512_core_vnni::run<Int8Product, true>(view<Int8Product>(r, d), d, reverse_, shape, args, workspace);
    } else if (isa_ == Isa::avx512_core_vnni) {
        avx512_core_vnni::run<Int8Product>(view<Int8Product>(r, d), d, reverse_, shape, args, workspace);
    } else {
        avx512_core::run<ref_Int8Product>(view<ref_Int8Product>(r, d), d, reverse_, shape, args, workspace);
    }
}

} // namespace mkldnn_rnn::detail

namespace mkldnn_rnn {

const char* kernel_isa(Precision precision) { return detail::isa_name(detail::fused_isa(precision)); }

} // namespace mkldnn_rnn
