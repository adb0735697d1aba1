// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// README.md's C++ example, compiled and run by the test suite (ctest: readme_example).
#include <cstdio>
#include <vector>

#include "mkldnn_rnn/mkldnn_rnn.hpp"

int main() {
    using namespace mkldnn_rnn;
    // nn.LSTM(input_size=4, hidden_size=3, batch_first=True): the shapes of its state_dict().
    const RnnConfig config{Mode::LSTM, /*input_size=*/4, /*hidden_size=*/3};
    std::vector<float> weight_ih(4 * 3 * 4, 0.1f), weight_hh(4 * 3 * 3, -0.1f);  // [4*H, I], [4*H, H]
    std::vector<float> bias_ih(4 * 3, 0.01f), bias_hh(4 * 3, 0.02f);              // [4*H] each
    const auto lstm = PackedRnn::pack(config, {{weight_ih.data(), weight_hh.data(), bias_ih.data(), bias_hh.data()}});

    // Two sequences of lengths 5 and 2, padded to T = 5, batch-first: [N=2, T=5, I=4].
    const std::vector<float> input(2 * 5 * 4, 1.0f);
    const std::vector<int64_t> lengths{5, 2};
    std::vector<float> output(2 * 5 * 3), h_n(2 * 3), c_n(2 * 3);
    SequenceInput in;
    in.input = input.data();
    in.seq_len = 5;
    in.batch = 2;
    in.layout = SequenceLayout::batch_first;
    in.lengths = lengths.data();  // PackedSequence semantics: h_n is each sequence's own last state
    try {
        lstm->forward(in, {output.data(), h_n.data(), c_n.data()});
    } catch (const Error& e) {  // every bad argument: names the argument, the expectation, the value
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
    for (int n = 0; n < 2; ++n) std::printf("h_n[%d] = %.6f %.6f %.6f\n", n, h_n[n * 3], h_n[n * 3 + 1], h_n[n * 3 + 2]);
}
