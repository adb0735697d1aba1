// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// mkldnn_rnn::cpu_signature(): what a saved decision depends on (mkldnn_rnn/types.hpp).
#include <cpuid.h>

#include <cstring>
#include <string>
#include <thread>
#include <utility>

#include "mkldnn_rnn/types.hpp"
#include "platform/cpu_features.hpp"

namespace mkldnn_rnn {

std::string cpu_signature() {
    unsigned a = 0, b = 0, c = 0, d = 0;
    char vendor[13] = {};
    __get_cpuid(0, &a, &b, &c, &d);
    std::memcpy(vendor, &b, 4);
    std::memcpy(vendor + 4, &d, 4);
    std::memcpy(vendor + 8, &c, 4);
    __get_cpuid(1, &a, &b, &c, &d);
    const unsigned family = ((a >> 8) & 0xf) + ((a >> 20) & 0xff), model = ((a >> 4) & 0xf) | ((a >> 12) & 0xf0);
    const unsigned stepping = a & 0xf;
    char brand[49] = {};
    unsigned max_ext = 0;
    __get_cpuid(0x80000000, &max_ext, &b, &c, &d);
    if (max_ext >= 0x80000004)
        for (unsigned leaf = 0; leaf < 3; ++leaf) {
            unsigned r[4];
            __get_cpuid(0x80000002 + leaf, &r[0], &r[1], &r[2], &r[3]);
            std::memcpy(brand + 16 * leaf, r, 16);
        }
    // The features the kernels dispatch on, by their /proc/cpuinfo names (saved signatures hold these).
    const detail::CpuFeatures& f = detail::cpu_features();
    const std::pair<const char*, bool> isa[] = {{"avx2", f.avx2},         {"fma", f.fma}, {"avxvnni", f.avx_vnni},
                                                {"avx512f", f.avx512f},   {"avx512bw", f.avx512bw},
                                                {"avx512vnni", f.avx512_vnni}, {"avx512bf16", f.avx512_bf16},
                                                {"amx-bf16", f.amx_bf16}};
    std::string features;
    for (const auto& [name, has] : isa)
        if (has) features += std::string(features.empty() ? "" : ",") + name;
    return std::string(vendor) + "|" + brand + "|family " + std::to_string(family) + " model " + std::to_string(model)
            + " stepping " + std::to_string(stepping) + "|" + features + "|cpus "
            + std::to_string(std::thread::hardware_concurrency());
}

} // namespace mkldnn_rnn
