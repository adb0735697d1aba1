// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
#include "isa_leg.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

namespace mkldnn_rnn::testing {
namespace {

const std::set<std::string>& cpu_flags() {
    static const std::set<std::string> flags = [] {
        std::set<std::string> found;
        std::ifstream f("/proc/cpuinfo");
        std::string line;
        while (std::getline(f, line))
            if (line.rfind("flags", 0) == 0) {
                std::istringstream words(line.substr(line.find(':') + 1));
                for (std::string w; words >> w;) found.insert(w);
                break;
            }
        return found;
    }();
    return flags;
}

} // namespace

bool cpu_flag(const std::string& flag) { return cpu_flags().count(flag) != 0; }

bool cpu_runs(const std::string& isa) {
    const bool avx2 = cpu_flag("avx2") && cpu_flag("fma");
    const bool avx512 = cpu_flag("avx512f") && cpu_flag("avx512bw") && cpu_flag("fma");
    if (isa == "avx2") return avx2;
    if (isa == "avx2_vnni") return avx2 && cpu_flag("avx_vnni");
    if (isa == "avx512_core") return avx512;
    if (isa == "avx512_core_vnni") return avx512 && cpu_flag("avx512_vnni");
    if (isa == "avx512_core_bf16") return avx512 && cpu_flag("avx512_bf16");
    if (isa == "avx512_core_amx") return avx512 && cpu_flag("amx_tile") && (cpu_flag("amx_bf16") || cpu_flag("amx_int8"));
    return false;
}

void exit_if_leg_cannot_run() {
    const char* leg = std::getenv("MKLDNN_RNN_TEST_LEG");
    if (!leg || cpu_runs(leg)) return;
    std::printf("[ leg ] MKLDNN_RNN_TEST_LEG=%s: this CPU has no %s, so this leg cannot run here: skipped\n", leg, leg);
    if (const char* dump = std::getenv("MKLDNN_RNN_TEST_INT8_DUMP")) std::remove(dump);
    std::fflush(stdout);
    std::exit(kLegSkipped);
}

} // namespace mkldnn_rnn::testing
