// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// Per-thread scratch memory. A forward pass needs buffers (between layers, sorted copies, states, and
// oneDNN's scratchpad) whose size depends only on the shape; each thread keeps its own so concurrent
// forward() calls never share memory, and a buffer is only reallocated when a larger shape arrives.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace mkldnn_rnn::detail {

class Workspace {
public:
    static Workspace& for_this_thread();

    // At least `bytes` of 64-byte aligned memory for the data buffers of one call. Contents are not
    // preserved across calls. The pointer stays valid until the next data() call on this thread.
    void* data(std::size_t bytes) { return grow(data_, data_bytes_, bytes); }
    // At least `count` zeros, written only when the buffer grows: the initial state of a call without
    // h0/c0. Read-only, it stays clean in every core's cache, where a state zeroed on each call has to
    // move from the calling thread's core to oneDNN's other threads (~4% of an LSTM T=1 step on two).
    const float* zeros(std::size_t count);
    // At least `bytes` for oneDNN's scratchpad; separate from data() so that a primitive created in the
    // middle of a call can grow it without invalidating the data buffers already handed out.
    void* scratchpad(std::size_t bytes) { return grow(scratch_, scratch_bytes_, bytes); }

private:
    struct FreeDeleter { void operator()(void* p) const; };
    using Buffer = std::unique_ptr<void, FreeDeleter>;
    static void* grow(Buffer& buffer, std::size_t& capacity, std::size_t bytes);

    Buffer data_, scratch_, zeros_;
    std::size_t data_bytes_ = 0, scratch_bytes_ = 0, zeros_bytes_ = 0;
};

// Hands out 64-byte aligned sub-buffers of one block: first measure (base == nullptr), then carve.
class BufferCarver {
public:
    explicit BufferCarver(void* base = nullptr) : base_(static_cast<char*>(base)) {}
    template <typename T>
    T* take(int64_t count) {
        const std::size_t offset = used_;
        used_ += (static_cast<std::size_t>(count) * sizeof(T) + 63) / 64 * 64;
        return base_ ? reinterpret_cast<T*>(base_ + offset) : nullptr;
    }
    std::size_t bytes_used() const { return used_; }

private:
    char* base_;
    std::size_t used_ = 0;
};

} // namespace mkldnn_rnn::detail
