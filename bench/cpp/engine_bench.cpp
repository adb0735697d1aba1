// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// mkldnn_rnn's core from C++, without Python or the PyTorch dispatcher: pack once, forward in a loop.
// Beside the Python module's rate it shows what the binding costs per call; beside onednn_direct, what
// the engine adds (or saves, by its choice of weights format) around oneDNN.
//
//   engine_bench --mode lstm|gru|rnn --T 15 --batch 1 --input 250 --hidden 200 [--lengths 3,17,...]
//                [--precision fp32|bf16|int8] [--seconds 0.3 --repeats 7 --warmup 0.3]
//   threads: OMP_NUM_THREADS; implementation: MKLDNN_RNN_IMPL (auto when unset), read by pack().
//
// --precision bf16|int8 packs the same fp32 weights with EngineOptions::precision (rounded to bf16, or
// quantized per output row to int8, by pack()); input and outputs stay fp32. The result line names the
// inner products' instructions (kernel_isa), which MKLDNN_RNN_MAX_ISA caps, and the kernel that served
// the measured shape ("kernel", from the engine's decisions after the timed runs: "fused avx2",
// "plain_ldigo (oneDNN)", ...), which under MKLDNN_RNN_IMPL=auto only the decisions tell.
//
// --lengths gives each sequence its valid length (PackedSequence semantics); run_bench.py passes the
// same draw to the Python module it compares with.
#include <cmath>
#include <cstdlib>
#include <utility>

#include "bench_common.hpp"
#include "mkldnn_rnn/mkldnn_rnn.hpp"

namespace {

mkldnn_rnn::Precision parse_precision(const std::string& precision) {
    if (precision == "fp32") return mkldnn_rnn::Precision::fp32;
    if (precision == "bf16") return mkldnn_rnn::Precision::bf16;
    if (precision == "int8") return mkldnn_rnn::Precision::int8;
    throw std::runtime_error("--precision: expected fp32, bf16 or int8, got " + precision);
}

mkldnn_rnn::Mode parse_mode(const std::string& mode) {
    if (mode == "lstm") return mkldnn_rnn::Mode::LSTM;
    if (mode == "gru") return mkldnn_rnn::Mode::GRU;
    return mkldnn_rnn::Mode::RNN_TANH;
}

// "3,17,25": one valid length per sequence, in [1, T]; empty means every sequence is T steps long.
std::vector<int64_t> parse_lengths(const std::string& text, long batch, long steps) {
    std::vector<int64_t> lengths;
    if (text.empty()) return lengths;
    std::istringstream in(text);
    for (std::string item; std::getline(in, item, ',');) {
        lengths.push_back(std::atol(item.c_str()));
        if (lengths.back() < 1 || lengths.back() > steps)
            throw std::runtime_error("--lengths: " + item + " is not in [1, T]");
    }
    if (static_cast<long>(lengths.size()) != batch)
        throw std::runtime_error("--lengths: expected " + std::to_string(batch) + " values, got " + text);
    return lengths;
}

// What served `model` so far, as measure_module.py's kernels() says it for the Python module: each distinct
// kernel its decisions took, "fused <kernel_isa>" or "<implementation> (oneDNN)", in the order first
// taken, each with its count of decisions (shape classes of a layer and direction) when there are several.
std::string kernels(const mkldnn_rnn::PackedRnn& model) {
    const auto decisions = model.decisions();
    if (decisions.empty())
        throw std::runtime_error("the engine made no decision: expected one per layer and direction");
    std::vector<std::pair<std::string, int>> counts;
    for (const mkldnn_rnn::Decision& d : decisions) {
        const std::string name = d.implementation == mkldnn_rnn::WeightsFormat::fused
                ? std::string("fused ") + mkldnn_rnn::kernel_isa(model.precision())
                : std::string(mkldnn_rnn::weights_format_name(d.implementation)) + " (oneDNN)";
        auto it = std::find_if(counts.begin(), counts.end(), [&](const auto& c) { return c.first == name; });
        if (it == counts.end()) counts.emplace_back(name, 1);
        else ++it->second;
    }
    std::string text;
    for (const auto& [name, count] : counts)
        text += (text.empty() ? "" : ", ") + name + (decisions.size() > 1 ? " ×" + std::to_string(count) : "");
    return text;
}

void run(bench::Flags& flags) {
    const bench::Shape shape(flags);
    const std::string lengths_text = flags.get("lengths", std::string());
    const mkldnn_rnn::Precision precision = parse_precision(flags.get("precision", std::string("fp32")));
    const bench::Protocol protocol(flags);
    flags.check_all_used();

    mkldnn_rnn::RnnConfig config;
    config.mode = parse_mode(shape.mode);
    config.input_size = shape.input;
    config.hidden_size = shape.hidden;

    // torch.nn's layout and initialisation: [G*H, I] and [G*H, H] row-major, uniform(+-1/sqrt(H)).
    const long rows = shape.gates() * shape.hidden;
    const float scale = 1.0f / std::sqrt(static_cast<float>(shape.hidden));
    const auto w_ih = bench::random_floats(rows * shape.input, scale, 1);
    const auto w_hh = bench::random_floats(rows * shape.hidden, scale, 2);
    const auto b_ih = bench::random_floats(rows, scale, 3);
    const auto b_hh = bench::random_floats(rows, scale, 4);
    if (precision != mkldnn_rnn::Precision::fp32 && std::string(mkldnn_rnn::kernel_isa(precision)) == "none") {
        // pack() refuses reduced precision without the fused kernel: run_bench.py leaves the cell empty, saying why.
        std::printf("{\"unavailable\": \"%s needs the fused kernel (AVX2 + FMA or AVX-512)\", \"threads\": %d}\n",
                    mkldnn_rnn::precision_name(precision), omp_get_max_threads());
        return;
    }
    mkldnn_rnn::EngineOptions options;
    options.precision = precision;
    const auto model =
        mkldnn_rnn::PackedRnn::pack(config, {{w_ih.data(), w_hh.data(), b_ih.data(), b_hh.data()}}, options);

    const auto input = bench::random_floats(shape.steps * shape.batch * shape.input, 1.0f, 5);
    const auto lengths = parse_lengths(lengths_text, shape.batch, shape.steps);
    std::vector<float> output(shape.steps * shape.batch * shape.hidden);
    std::vector<float> h_n(shape.batch * shape.hidden), c_n(shape.batch * shape.hidden);

    mkldnn_rnn::SequenceInput in;
    in.input = input.data();
    in.seq_len = shape.steps;
    in.batch = shape.batch;
    in.lengths = lengths.empty() ? nullptr : lengths.data();
    const mkldnn_rnn::SequenceOutput out{output.data(), h_n.data(), shape.mode == "lstm" ? c_n.data() : nullptr};

    const bench::Rate rate = bench::measure_rate([&] { model->forward(in, out); }, protocol);

    const char* impl = std::getenv("MKLDNN_RNN_IMPL");
    auto fields = shape.fields();
    fields.insert(fields.end(), {{"bench", bench::quoted("engine")},
                                 {"impl", bench::quoted(impl && *impl ? impl : "auto")},
                                 {"precision", bench::quoted(mkldnn_rnn::precision_name(model->precision()))},
                                 {"isa", bench::quoted(mkldnn_rnn::kernel_isa(precision))},
                                 {"kernel", bench::quoted(kernels(*model))},
                                 {"lengths", bench::quoted(lengths_text.empty() ? "full" : lengths_text)}});
    bench::print_result(rate, fields);
}

} // namespace

int main(int argc, char** argv) {
    return bench::run_main("engine_bench", [&] {
        bench::Flags flags(argc, argv);
        run(flags);
    });
}
