// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// The fused kernel's one dispatch: the driver (fused_driver.inc) compiled once per instruction set, and
// FusedKernel picking the inner product its weights' precision and the CPU's features (kernel_isa.hpp) call for.
//   avx512_core       fp32 (FMA), and the emulations ref_Bf16Product, ref_Int8Product
//   avx512_core_bf16  Bf16Product (VDPBF16PS)
//   avx512_core_vnni  Int8Product (VPDPBUSD)
#include "vector_math.hpp" // first: it includes <immintrin.h> (see there)

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstring>
#include <memory>
#include <utility>

#include <omp.h>

#include "cell_math.hpp"
#include "fused_driver.hpp"
#include "fused_kernel.hpp"
#include "inner_product_bf16.hpp"
#include "inner_product_f32.hpp"
#include "inner_product_int8.hpp"
#include "step_barrier.hpp"
#include "workspace.hpp"

namespace mkldnn_rnn::detail {

namespace avx512_core {
#define MKLDNN_RNN_KERNEL_TARGET MKLDNN_RNN_AVX512
#include "fused_driver.inc"
#undef MKLDNN_RNN_KERNEL_TARGET
} // namespace avx512_core

namespace avx512_core_bf16 {
#define MKLDNN_RNN_KERNEL_TARGET MKLDNN_RNN_AVX512_BF16
#include "fused_driver.inc"
#undef MKLDNN_RNN_KERNEL_TARGET
} // namespace avx512_core_bf16

namespace avx512_core_vnni {
#define MKLDNN_RNN_KERNEL_TARGET MKLDNN_RNN_AVX512_VNNI
#include "fused_driver.inc"
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

} // namespace

bool fused_kernel_available() { return vec::cpu_has_avx512(); }

FusedKernel::FusedKernel(const WeightStore& weights, bool reverse)
    : weights_(weights), reverse_(reverse), isa_(isa_for(weights.precision())) {}

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
        if (isa_ == Isa::avx512_core_bf16)
            avx512_core_bf16::run<Bf16Product>(view<Bf16Product>(r, d), d, reverse_, shape, args, workspace);
        else
            avx512_core::run<ref_Bf16Product>(view<ref_Bf16Product>(r, d), d, reverse_, shape, args, workspace);
    } else if (isa_ == Isa::avx512_core_vnni) {
        avx512_core_vnni::run<Int8Product>(view<Int8Product>(r, d), d, reverse_, shape, args, workspace);
    } else {
        avx512_core::run<ref_Int8Product>(view<ref_Int8Product>(r, d), d, reverse_, shape, args, workspace);
    }
}

} // namespace mkldnn_rnn::detail
