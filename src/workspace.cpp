// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
#include "workspace.hpp"

#include <cstdlib>
#include <cstring>
#include <new>

namespace mkldnn_rnn::detail {

Workspace& Workspace::for_this_thread() {
    thread_local Workspace workspace;
    return workspace;
}

void Workspace::FreeDeleter::operator()(void* p) const { std::free(p); }

void* Workspace::grow(Buffer& buffer, std::size_t& capacity, std::size_t bytes) {
    if (bytes <= capacity && buffer) return buffer.get();
    // Grow geometrically so a slowly increasing sequence of shapes does not reallocate every call.
    std::size_t want = capacity + capacity / 2;
    if (want < bytes) want = bytes;
    want = (want + 63) / 64 * 64;
    buffer.reset(); // release first: the old contents are never needed
    void* p = std::aligned_alloc(64, want == 0 ? 64 : want);
    if (!p) throw std::bad_alloc();
    buffer.reset(p);
    capacity = want;
    return p;
}

const float* Workspace::zeros(std::size_t count) {
    const std::size_t bytes = count * sizeof(float);
    const bool grows = !zeros_ || bytes > zeros_bytes_;
    void* p = grow(zeros_, zeros_bytes_, bytes);
    if (grows) std::memset(p, 0, zeros_bytes_);
    return static_cast<const float*>(p);
}

} // namespace mkldnn_rnn::detail
