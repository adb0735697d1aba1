// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
#include "onednn/onednn_kernel.hpp"

#include <algorithm>
#include <cstring>

#include "util/workspace.hpp"

namespace mkldnn_rnn::detail {
namespace {

// The chunk lengths a range of `steps` runs as, in the order they run from its first step.
template <typename Visit>
void for_each_chunk(int64_t steps, Visit&& visit) {
    int64_t done = 0;
    for (; steps - done >= kMaxChunkSteps; done += kMaxChunkSteps) visit(done, kMaxChunkSteps);
    for (int64_t len = kMaxChunkSteps / 2; len >= 1; len /= 2)
        if (steps - done >= len) {
            visit(done, len);
            done += len;
        }
}

void copy_rows(float* to, const float* from, int64_t rows, int64_t width) {
    std::memcpy(to, from, static_cast<std::size_t>(rows * width) * sizeof(float));
}

} // namespace

int64_t padded_batch(int64_t batch) {
    if (batch <= 4) return batch;
    int64_t top = 1;
    while (top * 2 <= batch) top *= 2;
    const int64_t granule = top / 4;
    return (batch + granule - 1) / granule * granule;
}

OnednnKernel::OnednnKernel(const WeightStore& weights, bool reverse, bool plain_weights, std::size_t cache_capacity)
    : weights_(weights), reverse_(reverse), plain_weights_(plain_weights), primitives_(cache_capacity) {}

std::shared_ptr<const RnnPrimitive> OnednnKernel::primitive(int64_t steps, int64_t batch, int threads) const {
    return primitives_.get_or_create(Key{steps, batch, threads}, [&] {
        const LayerDims& d = weights_.dims();
        PrimitiveDims dims;
        dims.mode = d.mode;
        dims.reverse = reverse_;
        dims.plain_weights = plain_weights_;
        dims.threads = threads;
        dims.steps = steps;
        dims.batch = batch;
        dims.C = d.C;
        dims.H = d.H;
        dims.P = d.P;
        return std::make_shared<const RnnPrimitive>(dims);
    });
}

WeightPointers OnednnKernel::weights_for(const RnnPrimitive& primitive, const PlainWeights& plain) const {
    if (!plain_weights_) return preferred_.for_primitive(primitive, plain);
    return {plain.layer.data(), plain.iter.data(), plain.bias.data(), plain.projection.data(), nullptr};
}

void OnednnKernel::release() const {
    primitives_.clear();
    preferred_.clear();
}

void OnednnKernel::prepare(int64_t min_batch, int64_t max_batch, int threads) const {
    const std::shared_ptr<const PlainWeights> plain = weights_.plain();
    for (int64_t batch = padded_batch(min_batch); batch <= padded_batch(max_batch); batch = padded_batch(batch + 1))
        for (int64_t len = kMaxChunkSteps; len >= 1; len /= 2) {
            const std::shared_ptr<const RnnPrimitive> p = primitive(len, batch, threads);
            p->prepare_slot();
            weights_for(*p, *plain);
        }
}

void OnednnKernel::execute(const StepShape& shape, const RnnCallArgs& args, Workspace& workspace) const {
    const LayerDims& d = weights_.dims();
    const bool lstm = d.mode == Mode::LSTM;
    const int64_t T = shape.steps, N = shape.batch, NP = padded_batch(N), C = d.C, O = d.O, H = d.H;
    // Held for the execution: a concurrent WeightStore::retain() may drop the store's own reference.
    const std::shared_ptr<const PlainWeights> plain = weights_.plain();
    const ThreadCap cap(shape.threads);

    // Staging: one chunk's input and output rows, and the state ping-pong, all [.., NP, ..] dense.
    const int64_t chunk_rows = std::min(T, kMaxChunkSteps) * NP;
    BufferCarver measure;
    auto carve = [&](BufferCarver& carver) {
        struct {
            float *src, *dst, *h[2], *c[2];
        } b{carver.take<float>(chunk_rows * C), carver.take<float>(chunk_rows * O),
            {carver.take<float>(NP * O), carver.take<float>(NP * O)},
            {carver.take<float>(lstm ? NP * H : 0), carver.take<float>(lstm ? NP * H : 0)}};
        return b;
    };
    carve(measure);
    BufferCarver carver(workspace.staging(measure.bytes_used()));
    const auto b = carve(carver);

    // Padding rows read zeros (and are never written by the gathers below); their results are dropped.
    if (NP > N) {
        for (int64_t r = 0; r < chunk_rows / NP; ++r) std::memset(b.src + (r * NP + N) * C, 0, (NP - N) * C * sizeof(float));
        for (float* h : b.h) std::memset(h + N * O, 0, (NP - N) * O * sizeof(float));
        if (lstm)
            for (float* c : b.c) std::memset(c + N * H, 0, (NP - N) * H * sizeof(float));
    }
    copy_rows(b.h[0], args.src_iter, N, O);
    if (lstm) copy_rows(b.c[0], args.src_iter_c, N, H);

    int cur = 0;
    for_each_chunk(T, [&](int64_t done, int64_t len) {
        const int64_t t0 = reverse_ ? T - done - len : done; // the chunk is steps [t0, t0 + len)
        for (int64_t s = 0; s < len; ++s)
            for (int64_t n = 0; n < N; ++n)
                copy_rows(b.src + (s * NP + n) * C, args.src_layer + (t0 + s) * shape.src_stride_t + n * shape.src_stride_n,
                          1, C);
        const std::shared_ptr<const RnnPrimitive> p = primitive(len, NP, shape.threads);
        RnnCallArgs chunk;
        chunk.src_layer = b.src;
        chunk.src_iter = b.h[cur];
        chunk.dst_layer = b.dst;
        chunk.dst_iter = b.h[1 - cur];
        if (lstm) {
            chunk.src_iter_c = b.c[cur];
            chunk.dst_iter_c = b.c[1 - cur];
        }
        p->execute(chunk, weights_for(*p, *plain), workspace);
        for (int64_t s = 0; s < len; ++s)
            for (int64_t n = 0; n < N; ++n)
                copy_rows(args.dst_layer + (t0 + s) * shape.dst_stride_t + n * shape.dst_stride_n, b.dst + (s * NP + n) * O,
                          1, O);
        cur = 1 - cur;
    });
    copy_rows(args.dst_iter, b.h[cur], N, O);
    if (lstm) copy_rows(args.dst_iter_c, b.c[cur], N, H);
}

} // namespace mkldnn_rnn::detail
