// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
#include "engine_case.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace mkldnn_rnn::testing {

std::vector<std::pair<Mode, int64_t>> mode_variants(const Sizes& s) {
    return {{Mode::LSTM, 0}, {Mode::LSTM, s.P}, {Mode::GRU, 0}, {Mode::RNN_TANH, 0}, {Mode::RNN_RELU, 0}};
}

bool same_bits(const EngineResult& a, const EngineResult& b) {
    const auto eq = [](const std::vector<float>& x, const std::vector<float>& y) {
        return x.size() == y.size() && (x.empty() || std::memcmp(x.data(), y.data(), x.size() * sizeof(float)) == 0);
    };
    return eq(a.output, b.output) && eq(a.h_n, b.h_n) && eq(a.c_n, b.c_n);
}

bool all_finite(const std::vector<float>& v, std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i)
        if (!std::isfinite(v[i])) return false;
    return true;
}

std::string EngineCase::name() const {
    static const char* const formats[] = {"auto", "plain", "preferred", "fused"};
    static const char* const kinds[] = {"nolen", "equal", "mixed", "desc"};
    std::string s = mode_name(config.mode);
    s += "_L" + std::to_string(config.num_layers) + (config.bidirectional ? "_bidir" : "_uni")
         + (config.bias ? "_bias" : "_nobias") + "_P" + std::to_string(config.proj_size)
         + (layout == SequenceLayout::batch_first ? "_bf" : "_tm") + "_" + kinds[static_cast<int>(lengths)]
         + "_I" + std::to_string(config.input_size) + "H" + std::to_string(config.hidden_size)
         + "_N" + std::to_string(N) + "_T" + std::to_string(T) + (with_state ? "_state" : "_zero") + "_"
         + formats[static_cast<int>(format)];
    return s;
}

std::vector<int64_t> case_lengths(const EngineCase& c) {
    switch (c.lengths) {
        case Lengths::none: return {};
        case Lengths::equal: return std::vector<int64_t>(c.N, c.T);
        case Lengths::mixed: break;
        case Lengths::descending: {
            std::vector<int64_t> l(c.N, 1);
            for (int64_t n = 0; n < c.N && c.N > 1; ++n) l[n] = c.T - n * (c.T - 1) / (c.N - 1);
            return l;
        }
    }
    if (c.N == 1) return {std::max<int64_t>(1, c.T / 2)};
    // Unsorted: 1 first, T in the middle, the rest spread over [1, T].
    std::vector<int64_t> l(c.N);
    for (int64_t n = 0; n < c.N; ++n) l[n] = 1 + (n * 7 + 3) % c.T;
    l[0] = 1;
    l[c.N / 2] = c.T;
    return l;
}

CaseData case_data(const EngineCase& c, uint32_t seed) {
    const RnnConfig& cfg = c.config;
    const int64_t states = cfg.num_layers * cfg.num_directions();
    CaseData d;
    d.input = random_floats(c.T * c.N * cfg.input_size, seed);
    if (c.with_state) {
        d.h0 = random_floats(states * c.N * cfg.output_size(), seed + 1);
        if (cfg.mode == Mode::LSTM) d.c0 = random_floats(states * c.N * cfg.hidden_size, seed + 2);
    }
    d.lengths = case_lengths(c);
    return d;
}

EngineResult run_engine(const PackedRnn& engine, const EngineCase& c, const CaseData& data) {
    const RnnConfig& cfg = c.config;
    const int64_t states = cfg.num_layers * cfg.num_directions();
    EngineResult r;
    r.output.assign(c.T * c.N * cfg.num_directions() * cfg.output_size(), -1.0f);
    r.h_n.assign(states * c.N * cfg.output_size(), -1.0f);
    if (cfg.mode == Mode::LSTM) r.c_n.assign(states * c.N * cfg.hidden_size, -1.0f);
    SequenceInput in;
    in.input = data.input.data();
    in.seq_len = c.T;
    in.batch = c.N;
    in.layout = c.layout;
    in.h0 = data.h0.empty() ? nullptr : data.h0.data();
    in.c0 = data.c0.empty() ? nullptr : data.c0.data();
    in.lengths = data.lengths.empty() ? nullptr : data.lengths.data();
    engine.forward(in, {r.output.data(), r.h_n.data(), r.c_n.empty() ? nullptr : r.c_n.data()});
    return r;
}

} // namespace mkldnn_rnn::testing
