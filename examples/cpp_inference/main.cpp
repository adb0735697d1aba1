// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// cpp_inference: runs a TorchScript model that uses the mkldnn_rnn ops, from C++ alone (no Python).
//
// Command line:
//   build/bin/cpp_inference MODEL INPUTS OUTPUT
//
//   MODEL   a TorchScript module written by torch.jit.save. Its forward may call torch.ops.mkldnn_rnn.*
//           and hold torch.classes.mkldnn_rnn.PackedWeights attributes: linking libmkldnn_rnn_torch
//           registers both before the model is loaded.
//   INPUTS  the positional arguments of forward, written by torch.save in Python (the default zip
//           format of PyTorch >= 1.6): a tuple or list of them, e.g. torch.save((x, h0), path), or a
//           single tensor for a forward taking one argument. Tensors must be dense; None, ints, floats
//           and bools are passed through.
//   OUTPUT  what forward returns (a tensor, or a tuple / list of tensors; dense, not mkldnn), written
//           with torch::jit::pickle_save: read it back in Python with torch.load(path).
//
// forward runs in eval mode under c10::InferenceMode. Exit status: 0 on success, 2 on bad usage, 1 on
// any other error, with a message on stderr.
//
// torch::jit::pickle_load/pickle_save are the C++ halves of torch.save/torch.load for plain values; a
// "container" TorchScript module holding the inputs as attributes would work as well, but would make
// the test script a second model.
#include <exception>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include <c10/core/InferenceMode.h>
#include <torch/csrc/jit/serialization/import.h>
#include <torch/csrc/jit/serialization/pickle.h>
#include <torch/script.h>

namespace {

std::vector<char> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open '" + path + "' for reading");
    std::vector<char> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (in.bad()) throw std::runtime_error("cannot read '" + path + "'");
    return bytes;
}

void write_file(const std::string& path, const std::vector<char>& bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) throw std::runtime_error("cannot write '" + path + "'");
}

// forward's positional arguments: the elements of a saved tuple or list, else the saved value itself.
std::vector<c10::IValue> forward_arguments(const c10::IValue& saved) {
    if (saved.isTuple()) return saved.toTupleRef().elements().vec();
    if (saved.isList()) return saved.toListRef().vec();
    return {saved};
}

void run(const std::string& model_path, const std::string& inputs_path, const std::string& output_path) {
    const c10::InferenceMode inference;
    torch::jit::Module model = torch::jit::load(model_path);
    model.eval();
    const std::vector<c10::IValue> arguments = forward_arguments(torch::jit::pickle_load(read_file(inputs_path)));
    const c10::IValue result = model.forward(arguments);
    write_file(output_path, torch::jit::pickle_save(result));
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 4) {
        std::cerr << "usage: " << argv[0] << " MODEL INPUTS OUTPUT\n"
                  << "  MODEL   TorchScript module (torch.jit.save)\n"
                  << "  INPUTS  forward's arguments: a tuple, list or single tensor (torch.save)\n"
                  << "  OUTPUT  forward's result, written for torch.load\n";
        return 2;
    }
    try {
        run(argv[1], argv[2], argv[3]);
    } catch (const c10::Error& e) {
        std::cerr << "cpp_inference: error: " << e.what_without_backtrace() << '\n';
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "cpp_inference: error: " << e.what() << '\n';
        return 1;
    }
    return 0;
}
