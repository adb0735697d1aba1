// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// The memory every copy of the weights lives in: zero-filled, 64-byte aligned arrays. Arrays of a MiB
// and more are mapped pages of their own, so that freeing a copy of the weights (weights/weight_store.hpp) gives
// its memory back to the system; from the heap, glibc raises its mmap threshold after the first large
// free and keeps later copies in an arena that does not shrink.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace mkldnn_rnn::detail {

// The untyped memory of an AlignedArray.
class AlignedBytes {
public:
    AlignedBytes() = default;
    explicit AlignedBytes(std::size_t bytes);
    ~AlignedBytes();
    AlignedBytes(AlignedBytes&& other) noexcept;
    AlignedBytes& operator=(AlignedBytes&& other) noexcept;
    AlignedBytes(const AlignedBytes&) = delete;
    AlignedBytes& operator=(const AlignedBytes&) = delete;

    void* data() const { return data_; }
    std::size_t bytes() const { return bytes_; } // what the array holds of the system's memory

private:
    void release();
    void* data_ = nullptr;
    std::size_t bytes_ = 0;
    bool mapped_ = false;
};

template <typename T>
class AlignedArray {
    static_assert(std::is_trivial_v<T>, "zero-filled memory holds trivial values only");

public:
    AlignedArray() = default;
    explicit AlignedArray(int64_t count) : memory_(static_cast<std::size_t>(count) * sizeof(T)), count_(count) {}

    T* data() { return static_cast<T*>(memory_.data()); }
    const T* data() const { return static_cast<const T*>(memory_.data()); }
    int64_t size() const { return count_; }
    std::size_t bytes() const { return memory_.bytes(); }
    explicit operator bool() const { return memory_.data() != nullptr; }

private:
    AlignedBytes memory_;
    int64_t count_ = 0;
};

using FloatArray = AlignedArray<float>;

} // namespace mkldnn_rnn::detail
