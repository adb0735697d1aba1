// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// Per-thread scratch memory. A forward pass needs buffers (between layers, sorted copies, states, a
// kernel's staging, oneDNN's scratchpad) whose size depends only on the call's shape; each thread keeps
// its own so concurrent forward() calls never share memory, and a buffer grows only when a larger call
// arrives.
//
// Nor does a buffer stay at its largest call's size for ever: every kShrinkWindow calls on a thread
// (end_call()), a buffer of more than kShrinkFrom bytes that no call of that window needed even half of
// is freed, and the next call that needs it allocates what it needs. A steady stream of calls never
// reallocates (a buffer grows by at most 1.5x beyond a request, so stays above half of it); the cost of
// one outlying call is bounded by kShrinkWindow calls of holding its memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "util/round_up.hpp"

namespace mkldnn_rnn::detail {

class Workspace {
public:
    static constexpr int kShrinkWindow = 64;
    static constexpr std::size_t kShrinkFrom = std::size_t{1} << 20;

    static Workspace& for_this_thread();

    // At least `bytes` of 64-byte aligned memory for the data buffers of one call. Contents are not
    // preserved across calls. The pointer stays valid until the next data() call on this thread.
    void* data(std::size_t bytes) { return data_.get(bytes); }
    // At least `count` zeros, written only when the buffer grows: the initial state of a call without
    // h0/c0. Read-only, it stays clean in every core's cache, where a state zeroed on each call has to
    // move from the calling thread's core to oneDNN's other threads (~4% of an LSTM T=1 step on two).
    const float* zeros(std::size_t count);
    // A step kernel's own buffers (the oneDNN kernel's staging rows); apart from data(), which holds
    // the kernel's arguments, and from scratchpad(), which a primitive fills during the execution.
    void* staging(std::size_t bytes) { return staging_.get(bytes); }
    // At least `bytes` for oneDNN's scratchpad (and the fused kernel's projected inputs).
    void* scratchpad(std::size_t bytes) { return scratch_.get(bytes); }
    // Frees staging() and scratchpad() between executions: after a probe, which grew them for both
    // candidates (a oneDNN primitive's scratchpad is several times the fused kernel's).
    void release_kernel_buffers();
    // Ends one forward call: the shrink rule above.
    void end_call();
    // Bytes held now, over all buffers.
    std::size_t bytes() const;

private:
    struct Buffer {
        struct FreeDeleter { void operator()(void* p) const; };
        std::unique_ptr<void, FreeDeleter> memory;
        std::size_t capacity = 0;
        std::size_t window_need = 0; // the largest request since the window began
        void* get(std::size_t bytes);
        void shrink_if_oversized();
    };

    Buffer data_, staging_, scratch_, zeros_;
    int calls_ = 0;
};

// Hands out 64-byte aligned sub-buffers of one block: first measure (base == nullptr), then carve.
class BufferCarver {
public:
    explicit BufferCarver(void* base = nullptr) : base_(static_cast<char*>(base)) {}
    template <typename T>
    T* take(int64_t count) {
        const std::size_t offset = used_;
        used_ += round_up(static_cast<std::size_t>(count) * sizeof(T), kCacheLine);
        return base_ ? reinterpret_cast<T*>(base_ + offset) : nullptr;
    }
    std::size_t bytes_used() const { return used_; }

private:
    char* base_;
    std::size_t used_ = 0;
};

} // namespace mkldnn_rnn::detail
