// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// The per-step barrier of one fused-kernel execution's team.
#pragma once

#include <atomic>
#include <thread>

#include "platform/targets.hpp" // _mm_pause

namespace mkldnn_rnn::detail {

// A counter and a generation on their own cache lines (with `#pragma omp barrier` instead, LSTM 250->200
// T=15 on two threads ran ~3 % slower; and TSan sees these atomics, not libgomp's futexes). It spins with
// PAUSE while the wait is short and yields the core past that, so that a thread of the team that was
// descheduled (more threads than cores) gets to run.
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

} // namespace mkldnn_rnn::detail
