// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// The fused small-batch kernel. See fused_kernel.hpp for what it does and why.
//
// Gate order is oneDNN's, as the plain weights hold it (weight_packing.cpp): LSTM i,f,g,o; GRU z,r,n
// with the bias of n split into b_in (with W_in x) and b_hn (inside r * (W_hn h + b_hn)); RNN one gate.
#include "fused_kernel.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>
#include <thread>
#include <utility>

#include <omp.h>

#include "vector_math.hpp"
#include "workspace.hpp"

namespace mkldnn_rnn::detail {
namespace {

constexpr int64_t kLanes = 16; // hidden units per block: one AVX-512 register of fp32
// The input projection of a chunk of steps is computed before their recurrence, into at most this
// many bytes of the workspace: a whole sentence at the benchmark's shape, and bounded for T = 100k.
constexpr int64_t kProjectionBytes = 256 * 1024;
constexpr int kMaxProjectRows = 12;
constexpr int kMaxStepRows = 4; // batch rows whose step shares one pass over W_hh

constexpr int gate_count(Mode mode) { return mode == Mode::LSTM ? 4 : mode == Mode::GRU ? 3 : 1; }

// The per-step barrier of one execution's team: a counter and a generation on their own cache lines
// (with `#pragma omp barrier` instead, LSTM 250->200 T=15 on two threads ran ~3 % slower; and TSan sees
// these atomics, not libgomp's futexes). It spins with PAUSE while the wait is short and yields the core
// past that, so that a thread of the team that was descheduled (more threads than cores) gets to run.
class StepBarrier {
public:
    explicit StepBarrier(int threads) : threads_(threads) {}
    void wait() {
        const int generation = generation_.load(std::memory_order_acquire);
        if (arrived_.fetch_add(1, std::memory_order_acq_rel) == threads_ - 1) {
            arrived_.store(0, std::memory_order_relaxed);
            generation_.fetch_add(1, std::memory_order_release);
            return;
        }
        for (int spins = 0; generation_.load(std::memory_order_acquire) == generation; ++spins) {
            if (spins < kSpinsBeforeYield) _mm_pause();
            else std::this_thread::yield();
        }
    }

private:
    // PAUSE takes ~10-140 cycles by CPU generation: 4096 of them outlast a step at our shapes.
    static constexpr int kSpinsBeforeYield = 4096;
    const int threads_;
    alignas(64) std::atomic<int> arrived_{0};
    alignas(64) std::atomic<int> generation_{0};
};

// ---------------------------------------------------------------------------------------------------
// acc[r][g] += w_row[g] * x[r][k] for R rows: one weight row [G][16] loaded once against R scalars.
template <int G, int R>
MKLDNN_RNN_AVX512 inline void accumulate_row(__m512 (&acc)[R][G], const float* w_row, const float* const* x,
        int64_t k) {
    __m512 wv[G];
#pragma GCC unroll 16
    for (int g = 0; g < G; ++g) wv[g] = _mm512_load_ps(w_row + g * kLanes);
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
        const __m512 xv = _mm512_set1_ps(x[r][k]);
#pragma GCC unroll 16
        for (int g = 0; g < G; ++g) acc[r][g] = _mm512_fmadd_ps(wv[g], xv, acc[r][g]);
    }
}

// acc[r][g] += sum_k x[r][k] * w[k][g] over k < K, w [K][G][16]: the inner product of both the input
// projection (rows: steps x batch) and the step (rows: batch). With fewer than 8 accumulators the sum
// is split into independent partial sums over alternate k, so that the 4-cycle FMA latency is hidden
// (one row of an RNN is a single chain: splitting it made a whole RNN T=1 call 1.5x faster).
template <int G, int R>
MKLDNN_RNN_AVX512 inline void accumulate_rows(__m512 (&acc)[R][G], const float* w, int64_t K, const float* const* x) {
    constexpr int KS = G * R >= 8 ? 1 : G * R >= 4 ? 2 : 4;
    __m512 part[KS][R][G];
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 16
        for (int g = 0; g < G; ++g) {
            part[0][r][g] = acc[r][g];
#pragma GCC unroll 4
            for (int s = 1; s < KS; ++s) part[s][r][g] = _mm512_setzero_ps();
        }
    int64_t k = 0;
    for (; k + KS <= K; k += KS)
#pragma GCC unroll 4
        for (int s = 0; s < KS; ++s) accumulate_row<G, R>(part[s], w + (k + s) * G * kLanes, x, k + s);
    for (; k < K; ++k) accumulate_row<G, R>(part[0], w + k * G * kLanes, x, k);
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 16
        for (int g = 0; g < G; ++g) {
            acc[r][g] = part[0][r][g];
#pragma GCC unroll 4
            for (int s = 1; s < KS; ++s) acc[r][g] = _mm512_add_ps(acc[r][g], part[s][r][g]);
        }
}

// Input projection: out[r] = bias + sum_c x[r][c] * W[c] for R rows at once, W one block [C][G][16].
template <int G, int R>
MKLDNN_RNN_AVX512 void project_rows(const float* w, const float* bias, int64_t C, const float* const* x,
        float* const* out) {
    __m512 acc[R][G];
#pragma GCC unroll 16
    for (int g = 0; g < G; ++g) {
        const __m512 b = _mm512_load_ps(bias + g * kLanes);
#pragma GCC unroll 16
        for (int r = 0; r < R; ++r) acc[r][g] = b;
    }
    accumulate_rows<G, R>(acc, w, C, x);
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 16
        for (int g = 0; g < G; ++g) _mm512_store_ps(out[r] + g * kLanes, acc[r][g]);
}

// Rows per pass: G accumulators per row plus G weights in 32 registers.
template <int G>
constexpr int max_project_rows = G == 4 ? 6 : G == 3 ? 8 : kMaxProjectRows;

using ProjectFn = void (*)(const float*, const float*, int64_t, const float* const*, float* const*);

template <int G, std::size_t... I>
constexpr std::array<ProjectFn, sizeof...(I)> project_table(std::index_sequence<I...>) {
    return {&project_rows<G, static_cast<int>(I) + 1>...};
}

template <int G>
const ProjectFn* project_functions() {
    static constexpr auto table = project_table<G>(std::make_index_sequence<max_project_rows<G>>{});
    return table.data();
}

// ---------------------------------------------------------------------------------------------------
// One step of NR batch rows on hidden block b: the gates' W_hh h products, then the cell's elementwise
// update, in registers. h_prev points at whole rows [K] (K = output_size), c_prev at whole rows [H]; gx
// at the block's projected input [G][16]; c_out and h_out at whole rows, of which the block's valid
// lanes are written.
template <Mode M, int NR>
MKLDNN_RNN_AVX512 void step_rows(const BlockedWeights& w, int64_t b, int64_t K, __mmask16 valid,
        const float* const* h_prev, const float* const* gx, const float* const* c_prev, float* const* c_out,
        float* const* h_out) {
    constexpr int G = gate_count(M);
    __m512 acc[NR][G];
#pragma GCC unroll 16
    for (int n = 0; n < NR; ++n)
#pragma GCC unroll 16
        for (int g = 0; g < G; ++g) {
            const bool hidden_bias = M == Mode::GRU && g == 2; // n: r multiplies (W_hn h + b_hn) alone
            acc[n][g] = _mm512_load_ps(hidden_bias ? w.bias_hn.data() + b * kLanes : gx[n] + g * kLanes);
        }
    accumulate_rows<G, NR>(acc, w.iter.data() + b * K * G * kLanes, K, h_prev);

    const int64_t u = b * kLanes; // the block's first unit
#pragma GCC unroll 16
    for (int n = 0; n < NR; ++n) {
        const __m512* a = acc[n];
        __m512 h;
        if constexpr (M == Mode::LSTM) {
            const __m512 i = vec::sigmoid(a[0]), f = vec::sigmoid(a[1]), g = vec::tanh(a[2]), o = vec::sigmoid(a[3]);
            const __m512 c = _mm512_fmadd_ps(f, _mm512_maskz_loadu_ps(valid, c_prev[n] + u), _mm512_mul_ps(i, g));
            _mm512_mask_storeu_ps(c_out[n] + u, valid, c);
            h = _mm512_mul_ps(o, vec::tanh(c));
        } else if constexpr (M == Mode::GRU) {
            const __m512 z = vec::sigmoid(a[0]), r = vec::sigmoid(a[1]);
            const __m512 n_gate = vec::tanh(_mm512_fmadd_ps(r, a[2], _mm512_load_ps(gx[n] + 2 * kLanes)));
            const __m512 hp = _mm512_maskz_loadu_ps(valid, h_prev[n] + u); // GRU: K = H
            h = _mm512_fmadd_ps(z, _mm512_sub_ps(hp, n_gate), n_gate); // (1 - z) * n + z * h
        } else if constexpr (M == Mode::RNN_TANH) {
            h = vec::tanh(a[0]);
        } else {
            h = vec::relu(a[0]);
        }
        _mm512_mask_storeu_ps(h_out[n] + u, valid, h);
    }
}

using StepFn = void (*)(const BlockedWeights&, int64_t, int64_t, __mmask16, const float* const*,
                        const float* const*, const float* const*, float* const*, float* const*);

// LSTM projection of NR rows on output block p: out = W_hr h, h rows [H], out rows [P] (valid lanes).
template <int NR>
MKLDNN_RNN_AVX512 void project_hidden_rows(const BlockedWeights& w, int64_t p, int64_t H, __mmask16 valid,
        const float* const* h, float* const* out) {
    __m512 acc[NR][1];
#pragma GCC unroll 4
    for (int n = 0; n < NR; ++n) acc[n][0] = _mm512_setzero_ps();
    accumulate_rows<1, NR>(acc, w.projection.data() + p * H * kLanes, H, h);
#pragma GCC unroll 4
    for (int n = 0; n < NR; ++n) _mm512_mask_storeu_ps(out[n] + p * kLanes, valid, acc[n][0]);
}

using ProjectHiddenFn = void (*)(const BlockedWeights&, int64_t, int64_t, __mmask16, const float* const*,
                                 float* const*);
constexpr std::array<ProjectHiddenFn, kMaxStepRows> project_hidden_functions{
        &project_hidden_rows<1>, &project_hidden_rows<2>, &project_hidden_rows<3>, &project_hidden_rows<4>};

// The valid lanes of 16-unit block b of `units`.
__mmask16 block_lanes(int64_t b, int64_t units) {
    return static_cast<__mmask16>((1u << std::min(kLanes, units - b * kLanes)) - 1u);
}

template <Mode M>
const StepFn* step_functions() {
    static constexpr std::array<StepFn, kMaxStepRows> table{&step_rows<M, 1>, &step_rows<M, 2>, &step_rows<M, 3>,
                                                            &step_rows<M, 4>};
    return table.data();
}

struct Functions {
    const ProjectFn* project;
    int max_project_rows;
    const StepFn* step;
};

Functions functions_for(Mode mode) {
    switch (mode) {
        case Mode::LSTM: return {project_functions<4>(), max_project_rows<4>, step_functions<Mode::LSTM>()};
        case Mode::GRU: return {project_functions<3>(), max_project_rows<3>, step_functions<Mode::GRU>()};
        case Mode::RNN_TANH: return {project_functions<1>(), max_project_rows<1>, step_functions<Mode::RNN_TANH>()};
        case Mode::RNN_RELU: break;
    }
    return {project_functions<1>(), max_project_rows<1>, step_functions<Mode::RNN_RELU>()};
}

} // namespace

bool fused_kernel_available() { return vec::cpu_has_avx512(); }

void FusedKernel::execute(const StepShape& shape, const RnnCallArgs& args, Workspace& workspace) const {
    // Held for the execution: a concurrent WeightStore::retain() may drop the store's own reference.
    const std::shared_ptr<const BlockedWeights> blocked = weights_.blocked();
    const BlockedWeights& w = *blocked;
    const LayerDims& dims = weights_.dims();
    const Mode mode = dims.mode;
    const Functions fns = functions_for(mode);
    const bool lstm = mode == Mode::LSTM;
    const bool reverse = reverse_;
    const int64_t T = shape.steps, N = shape.batch, C = dims.C, H = dims.H, B = w.blocks;
    const int64_t P = dims.P, O = dims.O; // O: the width of h, of the output and of W_hh's rows
    const int64_t gate_floats = gate_count(mode) * kLanes; // one block's gates of one row
    const int64_t step_floats = B * N * gate_floats;
    const int64_t chunk = std::clamp<int64_t>(kProjectionBytes / (step_floats * int64_t{sizeof(float)}), 1, T);
    // projected[((b * chunk + s) * N + n) * gate_floats]: block b's gates of row n at the chunk's step s;
    // then, with a projection, the step's unprojected h [N][H].
    const int64_t projected_floats = chunk * step_floats;
    float* const projected = static_cast<float*>(
            workspace.scratchpad((projected_floats + (P > 0 ? N * H : 0)) * sizeof(float)));
    float* const unprojected = projected + projected_floats;
    const auto src_row = [&](int64_t t, int64_t n) { return args.src_layer + t * shape.src_stride_t + n * shape.src_stride_n; };
    const auto dst_row = [&](int64_t t, int64_t n) { return args.dst_layer + t * shape.dst_stride_t + n * shape.dst_stride_n; };
    const auto gates_of = [&](int64_t b, int64_t s, int64_t n) { return projected + ((b * chunk + s) * N + n) * gate_floats; };

    const int threads = static_cast<int>(std::clamp<int64_t>(shape.threads, 1, B));
    StepBarrier barrier(threads);
    // Thread tid of `team` owns hidden blocks [b0, b1): their input projection, their units of c and of h
    // before W_hr; and output blocks [o0, o1) of h (the hidden blocks without a projection).
    const auto run = [&](int tid, int team) {
        const int64_t b0 = B * tid / team, b1 = B * (tid + 1) / team;
        const int64_t o0 = P > 0 ? w.proj_blocks * tid / team : b0, o1 = P > 0 ? w.proj_blocks * (tid + 1) / team : b1;
        const float* x_rows[kMaxProjectRows];
        float* out_rows[kMaxProjectRows];
        for (int64_t done = 0; done < T; done += chunk) {
            const int64_t len = std::min(chunk, T - done);
            const int64_t t0 = reverse ? T - done - len : done; // the chunk is steps [t0, t0 + len)
            for (int64_t b = b0; b < b1; ++b)
                for (int64_t r0 = 0; r0 < len * N; r0 += fns.max_project_rows) {
                    const int rows = static_cast<int>(std::min<int64_t>(fns.max_project_rows, len * N - r0));
                    for (int i = 0; i < rows; ++i) {
                        const int64_t s = (r0 + i) / N, n = (r0 + i) % N;
                        x_rows[i] = src_row(t0 + s, n);
                        out_rows[i] = gates_of(b, s, n);
                    }
                    fns.project[rows - 1](w.layer.data() + b * C * gate_floats, w.bias.data() + b * gate_floats, C,
                                          x_rows, out_rows);
                }
            for (int64_t i = 0; i < len; ++i) {
                const int64_t s = reverse ? len - 1 - i : i, t = t0 + s;
                const bool first = done == 0 && i == 0;
                const int64_t t_prev = reverse ? t + 1 : t - 1;
                // Blocks alternately up and down: a step starts on the weights the previous one read
                // last, still in L1 (48 KiB of the ~50 KiB a block of an H = 200 LSTM reads).
                for (int64_t m = 0; m < b1 - b0; ++m) {
                    const int64_t b = (done + i) % 2 ? b1 - 1 - m : b0 + m;
                    const __mmask16 valid = block_lanes(b, H);
                    for (int64_t n0 = 0; n0 < N; n0 += kMaxStepRows) {
                        const int rows = static_cast<int>(std::min<int64_t>(kMaxStepRows, N - n0));
                        const float *h_prev[kMaxStepRows], *gx[kMaxStepRows], *c_prev[kMaxStepRows] = {};
                        float *c_out[kMaxStepRows] = {}, *h_out[kMaxStepRows];
                        for (int j = 0; j < rows; ++j) {
                            const int64_t n = n0 + j;
                            h_prev[j] = first ? args.src_iter + n * O : dst_row(t_prev, n);
                            gx[j] = gates_of(b, s, n);
                            h_out[j] = P > 0 ? unprojected + n * H : dst_row(t, n);
                            if (lstm) {
                                c_prev[j] = (first ? args.src_iter_c : args.dst_iter_c) + n * H;
                                c_out[j] = args.dst_iter_c + n * H;
                            }
                        }
                        fns.step[rows - 1](w, b, O, valid, h_prev, gx, c_prev, c_out, h_out);
                    }
                }
                if (P > 0) { // h = W_hr h: every thread's output blocks read all of the unprojected h
                    if (team > 1) barrier.wait();
                    for (int64_t p = o0; p < o1; ++p)
                        for (int64_t n0 = 0; n0 < N; n0 += kMaxStepRows) {
                            const int rows = static_cast<int>(std::min<int64_t>(kMaxStepRows, N - n0));
                            const float* h[kMaxStepRows];
                            float* out[kMaxStepRows];
                            for (int j = 0; j < rows; ++j) {
                                h[j] = unprojected + (n0 + j) * H;
                                out[j] = dst_row(t, n0 + j);
                            }
                            project_hidden_functions[rows - 1](w, p, H, block_lanes(p, P), h, out);
                        }
                }
                // The next step reads the whole of h, which every thread has a share of; after the last
                // step each thread only copies its own units to h_n.
                if (team > 1 && done + i + 1 < T) barrier.wait();
            }
        }
        // h_n is the last step's output (this thread's output blocks); c_n was updated in place.
        const int64_t t_last = reverse ? 0 : T - 1, u0 = o0 * kLanes, u1 = std::min(o1 * kLanes, O);
        for (int64_t n = 0; n < N && u1 > u0; ++n)
            std::memcpy(args.dst_iter + n * O + u0, dst_row(t_last, n) + u0, static_cast<size_t>(u1 - u0) * sizeof(float));
    };

    if (threads == 1) {
        run(0, 1);
        return;
    }
#pragma omp parallel num_threads(threads)
    {
        // The team can be smaller than asked (nested parallelism, OMP_DYNAMIC); only a full one shares
        // the barrier's count, a smaller one runs the whole layer on its first thread.
        if (omp_get_num_threads() == threads) run(omp_get_thread_num(), threads);
        else if (omp_get_thread_num() == 0) run(0, 1);
    }
}

} // namespace mkldnn_rnn::detail
