// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
#include "autotune.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <limits>

namespace mkldnn_rnn::detail {
namespace {

// MKLDNN_RNN_VERBOSE=1 prints every decision to stderr, so a benchmark can show what was picked.
bool verbose() {
    static const bool on = [] {
        const char* v = std::getenv("MKLDNN_RNN_VERBOSE");
        return v && *v && *v != '0';
    }();
    return on;
}

const char* format_name(WeightsFormat f) {
    return f == WeightsFormat::plain_ldigo ? "plain_ldigo" : "onednn_preferred";
}

} // namespace

std::shared_ptr<const RnnPrimitive> tune_primitive(const PrimitiveKey& key, const RnnCallArgs& args,
        const LayerWeightsMemory& weights, Workspace& workspace, const TuningPolicy& policy) {
    using clock = std::chrono::steady_clock;
    constexpr WeightsFormat formats[] = {WeightsFormat::plain_ldigo, WeightsFormat::onednn_preferred};
    constexpr int n = 2;
    std::shared_ptr<const RnnPrimitive> candidates[n];
    double best[n];
    for (int c = 0; c < n; ++c) {
        PrimitiveKey k = key;
        k.weights_format = static_cast<int32_t>(formats[c]);
        candidates[c] = std::make_shared<const RnnPrimitive>(k);
        candidates[c]->execute(args, weights, workspace); // warm-up, and the one-off weight reorder
        best[c] = std::numeric_limits<double>::infinity();
    }
    const auto start = clock::now();
    for (int round = 0; round < policy.max_rounds; ++round) {
        for (int c = 0; c < n; ++c) {
            const auto t0 = clock::now();
            candidates[c]->execute(args, weights, workspace);
            best[c] = std::min(best[c], std::chrono::duration<double>(clock::now() - t0).count());
        }
        if (round + 1 >= policy.min_rounds
                && std::chrono::duration<double>(clock::now() - start).count() >= policy.min_seconds)
            break;
    }
    const int winner = best[1] < best[0] * (1.0 - policy.tie_margin) ? 1 : 0;
    if (verbose())
        std::fprintf(stderr, "mkldnn_rnn: autotune %s dir=%d steps=%lld batch=%lld in=%lld hidden=%lld proj=%lld "
                     "threads=%d: plain_ldigo %.1f us, onednn_preferred %.1f us -> %s\n",
                     mode_name(static_cast<Mode>(key.mode)), key.direction, static_cast<long long>(key.steps),
                     static_cast<long long>(key.batch), static_cast<long long>(key.src_channels),
                     static_cast<long long>(key.hidden), static_cast<long long>(key.proj), key.threads,
                     best[0] * 1e6, best[1] * 1e6, format_name(formats[winner]));
    return candidates[winner];
}

} // namespace mkldnn_rnn::detail
