// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
#include "step_kernel.hpp"

#include <cstring>
#include <utility>

#include "fused_kernel.hpp"
#include "onednn_backend.hpp"

namespace mkldnn_rnn::detail {

bool PrimitiveKey::operator==(const PrimitiveKey& o) const { return std::memcmp(this, &o, sizeof(*this)) == 0; }

std::size_t PrimitiveKeyHash::operator()(const PrimitiveKey& key) const {
    // FNV-1a over the key's 64-bit words (the key has no padding, see its declaration); a word at a time
    // is 8x fewer dependent multiplies than a byte at a time, and this runs on every execution.
    static_assert(sizeof(PrimitiveKey) % sizeof(uint64_t) == 0, "PrimitiveKey is hashed as whole words");
    uint64_t words[sizeof(PrimitiveKey) / sizeof(uint64_t)];
    std::memcpy(words, &key, sizeof(key));
    uint64_t h = 1469598103934665603ull;
    for (const uint64_t w : words) h = (h ^ w) * 1099511628211ull;
    return static_cast<std::size_t>(h);
}

LayerPack::LayerPack(std::unique_ptr<LayerWeightsMemory> onednn_weights, std::unique_ptr<FusedWeights> fused_weights)
    : onednn(std::move(onednn_weights)), fused(std::move(fused_weights)) {}

LayerPack::~LayerPack() = default;

std::shared_ptr<const StepKernel> make_step_kernel(const PrimitiveKey& key) {
    if (static_cast<WeightsFormat>(key.weights_format) != WeightsFormat::fused)
        return std::make_shared<const RnnPrimitive>(key);
    if (fused_kernel_available()) return std::make_shared<const FusedKernel>(key);
    PrimitiveKey plain = key;
    plain.weights_format = static_cast<int32_t>(WeightsFormat::plain_ldigo);
    return std::make_shared<const RnnPrimitive>(plain);
}

} // namespace mkldnn_rnn::detail
