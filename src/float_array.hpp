// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// The memory every copy of the weights lives in: zero-filled, 64-byte aligned floats. Arrays of a
// MiB and more are mapped pages of their own, so that freeing a copy of the weights (weight_store.hpp)
// gives its memory back to the system; from the heap, glibc raises its mmap threshold after the first
// large free and keeps later copies in an arena that does not shrink.
#pragma once

#include <cstddef>
#include <cstdint>

namespace mkldnn_rnn::detail {

class FloatArray {
public:
    FloatArray() = default;
    explicit FloatArray(int64_t count);
    ~FloatArray();
    FloatArray(FloatArray&& other) noexcept;
    FloatArray& operator=(FloatArray&& other) noexcept;
    FloatArray(const FloatArray&) = delete;
    FloatArray& operator=(const FloatArray&) = delete;

    float* data() { return data_; }
    const float* data() const { return data_; }
    int64_t size() const { return count_; }
    std::size_t bytes() const { return bytes_; } // what the array holds of the system's memory
    explicit operator bool() const { return data_ != nullptr; }

private:
    void release();
    float* data_ = nullptr;
    int64_t count_ = 0;
    std::size_t bytes_ = 0;
    bool mapped_ = false;
};

} // namespace mkldnn_rnn::detail
