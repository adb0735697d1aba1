// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
#include "util/workspace.hpp"

#include "mkldnn_rnn/types.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

namespace mkldnn_rnn::detail {

Workspace& Workspace::for_this_thread() {
    thread_local Workspace workspace;
    return workspace;
}

void Workspace::Buffer::FreeDeleter::operator()(void* p) const { std::free(p); }

void* Workspace::Buffer::get(std::size_t bytes) {
    window_need = std::max(window_need, bytes);
    if (bytes <= capacity && memory) return memory.get();
    // Grow geometrically so a slowly increasing sequence of shapes does not reallocate every call.
    std::size_t want = std::max(capacity + capacity / 2, bytes);
    want = round_up(want, kCacheLine);
    memory.reset(); // release first: the old contents are never needed
    void* p = std::aligned_alloc(64, want == 0 ? 64 : want);
    if (!p) throw std::bad_alloc();
    memory.reset(p);
    capacity = want;
    return p;
}

void Workspace::Buffer::shrink_if_oversized() {
    if (capacity > kShrinkFrom && window_need * 2 < capacity) {
        memory.reset();
        capacity = 0;
    }
    window_need = 0;
}

const float* Workspace::zeros(std::size_t count) {
    const std::size_t bytes = count * sizeof(float);
    const bool grows = !zeros_.memory || bytes > zeros_.capacity;
    void* p = zeros_.get(bytes);
    if (grows) std::memset(p, 0, zeros_.capacity);
    return static_cast<const float*>(p);
}

void Workspace::release_kernel_buffers() {
    for (Buffer* b : {&staging_, &scratch_}) {
        b->memory.reset();
        b->capacity = 0;
    }
}

void Workspace::end_call() {
    if (++calls_ < kShrinkWindow) return;
    calls_ = 0;
    for (Buffer* b : {&data_, &staging_, &scratch_, &zeros_}) b->shrink_if_oversized();
}

std::size_t Workspace::bytes() const { return data_.capacity + staging_.capacity + scratch_.capacity + zeros_.capacity; }

} // namespace mkldnn_rnn::detail

namespace mkldnn_rnn {
std::size_t thread_workspace_bytes() { return detail::Workspace::for_this_thread().bytes(); }
} // namespace mkldnn_rnn
