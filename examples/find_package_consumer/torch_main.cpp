// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// A libtorch program that links mkldnn_rnn::torch and refers to none of its symbols: the library's static
// initialisers register the ops (TORCH_LIBRARY), which the target's -Wl,--no-as-needed keeps linked. Prints
// the schemas found and fails when an op is missing.
#include <cstdio>

#include <ATen/core/dispatch/Dispatcher.h>

int main() {
    int missing = 0;
    for (const char* name : {"mkldnn_rnn::rnn", "mkldnn_rnn::cell"}) {
        const auto op = c10::Dispatcher::singleton().findSchema({name, ""});
        if (op) {
            std::printf("registered %s\n", name);
        } else {
            std::printf("missing %s\n", name);
            ++missing;
        }
    }
    return missing == 0 ? 0 : 1;
}
