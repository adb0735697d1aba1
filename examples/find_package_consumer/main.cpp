// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// Uses an installed mkldnn_rnn (find_package(mkldnn_rnn), see CMakeLists.txt): packs a tiny
// nn.LSTM(input_size=3, hidden_size=2) and runs 4 time steps of a batch of 1, then prints output, h_n and
// c_n. The weights and the input are simple formulas of their flat index, so that
// tests/packaging/test_packaging.py can rebuild the same nn.LSTM and compare.
#include <cstdio>
#include <vector>

#include "mkldnn_rnn/mkldnn_rnn.hpp"

namespace {

std::vector<float> filled(std::size_t size, float scale, int period, int offset) {
    std::vector<float> values(size);
    for (std::size_t i = 0; i < size; ++i) {
        values[i] = scale * static_cast<float>(static_cast<int>(i % period) - offset);
    }
    return values;
}

void print(const char* name, const std::vector<float>& values) {
    std::printf("%s", name);
    for (float value : values) std::printf(" %.7f", value);
    std::printf("\n");
}

} // namespace

int main() {
    using namespace mkldnn_rnn;
    constexpr int64_t I = 3, H = 2, T = 4, N = 1;
    const RnnConfig config{Mode::LSTM, I, H};
    // torch.nn's state_dict() shapes: weight_ih [4H, I], weight_hh [4H, H], bias_ih and bias_hh [4H].
    const auto weight_ih = filled(4 * H * I, 0.1f, 7, 3), weight_hh = filled(4 * H * H, 0.05f, 5, 2);
    const auto bias_ih = filled(4 * H, 0.01f, 8, 0), bias_hh = filled(4 * H, -0.02f, 3, 1);
    const auto input = filled(T * N * I, 0.1f, 9, 4); // time-major [T, N, I]
    std::vector<float> output(T * N * H), h_n(N * H), c_n(N * H);
    try {
        const LayerWeights weights{weight_ih.data(), weight_hh.data(), bias_ih.data(), bias_hh.data()};
        const auto lstm = PackedRnn::pack(config, {weights});
        SequenceInput in;
        in.input = input.data();
        in.seq_len = T;
        in.batch = N;
        lstm->forward(in, {output.data(), h_n.data(), c_n.data()});
    } catch (const Error& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
    print("output", output);
    print("h_n", h_n);
    print("c_n", c_n);
    return 0;
}
