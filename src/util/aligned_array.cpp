// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
#include "util/aligned_array.hpp"

#include <sys/mman.h>

#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

#include "util/round_up.hpp"

namespace mkldnn_rnn::detail {
namespace {
constexpr std::size_t kMapFrom = std::size_t{1} << 20;
}

AlignedBytes::AlignedBytes(std::size_t requested) {
    const std::size_t bytes = round_up(requested, kCacheLine);
    if (bytes >= kMapFrom) {
        void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) throw std::bad_alloc();
        data_ = p; // anonymous pages are zero and page-aligned
        mapped_ = true;
    } else {
        void* p = std::aligned_alloc(64, bytes == 0 ? 64 : bytes);
        if (!p) throw std::bad_alloc();
        std::memset(p, 0, bytes == 0 ? 64 : bytes);
        data_ = p;
    }
    bytes_ = bytes;
}

AlignedBytes::~AlignedBytes() { release(); }

AlignedBytes::AlignedBytes(AlignedBytes&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), bytes_(std::exchange(other.bytes_, 0)),
      mapped_(std::exchange(other.mapped_, false)) {}

AlignedBytes& AlignedBytes::operator=(AlignedBytes&& other) noexcept {
    if (this != &other) {
        release();
        data_ = std::exchange(other.data_, nullptr);
        bytes_ = std::exchange(other.bytes_, 0);
        mapped_ = std::exchange(other.mapped_, false);
    }
    return *this;
}

void AlignedBytes::release() {
    if (!data_) return;
    if (mapped_) munmap(data_, bytes_);
    else std::free(data_);
    data_ = nullptr;
}

} // namespace mkldnn_rnn::detail
