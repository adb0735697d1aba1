// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
#pragma once

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <utility>

namespace mkldnn_rnn::detail {

// A thread-safe bounded map of shared values, least recently used first out. A hit takes the lock, moves
// one list node and copies a shared_ptr: no allocation. Values are created outside the lock (creating a
// oneDNN primitive takes milliseconds), so two threads missing on one key at once may both create it;
// the first insert wins. An evicted value lives on while a caller still holds it.
template <typename Key, typename Value, typename Hash>
class LruCache {
public:
    explicit LruCache(std::size_t capacity) : capacity_(capacity) {}

    template <typename Factory>
    std::shared_ptr<const Value> get_or_create(const Key& key, Factory&& create) {
        if (auto hit = find(key)) return hit;
        std::shared_ptr<const Value> made = create();
        std::lock_guard<std::mutex> lock(mutex_);
        if (auto it = index_.find(key); it != index_.end()) return it->second->second;
        order_.emplace_front(key, std::move(made));
        index_.emplace(key, order_.begin());
        if (index_.size() > capacity_) {
            index_.erase(order_.back().first);
            order_.pop_back();
        }
        return order_.front().second;
    }

    // Drops every entry (values still held by callers live on).
    void clear() {
        std::lock_guard<std::mutex> lock(mutex_);
        index_.clear();
        order_.clear();
    }

    std::size_t size() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return index_.size();
    }

private:
    using Entry = std::pair<Key, std::shared_ptr<const Value>>;

    std::shared_ptr<const Value> find(const Key& key) {
        std::lock_guard<std::mutex> lock(mutex_);
        auto it = index_.find(key);
        if (it == index_.end()) return nullptr;
        order_.splice(order_.begin(), order_, it->second);
        return it->second->second;
    }

    const std::size_t capacity_;
    mutable std::mutex mutex_;
    std::list<Entry> order_;
    std::unordered_map<Key, typename std::list<Entry>::iterator, Hash> index_;
};

} // namespace mkldnn_rnn::detail
