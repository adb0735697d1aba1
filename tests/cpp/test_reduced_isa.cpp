// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// The ISA the bf16 and int8 kernels run on (issue 12): what this CPU and MKLDNN_RNN_MAX_ISA must give, so
// that each of CTest's runs of the reduced-precision tests is known to take the path it is registered for.
//
//  * KernelIsa: kernel_isa() reports what this CPU and MKLDNN_RNN_MAX_ISA allow. CTest runs it natively;
//    with MKLDNN_RNN_MAX_ISA=avx512_core (the emulated fallback), saying so through
//    MKLDNN_RNN_TEST_EXPECT_ISA, so that run cannot silently take the native path; capped at
//    avx512_core_vnni (int8 native, bf16 emulated); and at avx512_core_bf16 with MKLDNN_RNN_BF16_STEPS=
//    vdpbf16ps: the environments the grid runs in (test_reduced_grid.cpp).
//  * InvalidIsaCap: an MKLDNN_RNN_MAX_ISA naming no ISA is an error on every reduced-precision pack (run
//    only with MKLDNN_RNN_TEST_BAD_CAP set to that cap).
//  * Names: precision_name() of each precision.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "model_data.hpp"

namespace mkldnn_rnn::testing {
namespace {

bool cpu_has(const std::string& flag) {
    std::ifstream f("/proc/cpuinfo");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("flags", 0) == 0) {
            std::istringstream s(line);
            std::string w;
            while (s >> w)
                if (w == flag) return true;
            return false;
        }
    return false;
}

int isa_rank(const std::string& isa) {
    if (isa == "avx512_core") return 0;
    if (isa == "avx512_core_vnni") return 1;
    if (isa == "avx512_core_bf16") return 2;
    if (isa == "avx512_core_amx") return 3;
    return 99; // unset or unknown: no cap
}

TEST(ReducedPrecision, KernelIsa) {
    ASSERT_TRUE(cpu_has("avx512f") && cpu_has("avx512bw")) << "these tests need AVX-512";
    const char* cap_env = std::getenv("MKLDNN_RNN_MAX_ISA");
    const int cap = cap_env && *cap_env ? isa_rank(cap_env) : 99;
    // int8: AMX where the CPU has it and the cap allows (Linux >= 5.16 grants the tiles), else VNNI.
    const std::string int8 = cpu_has("amx_int8") && cpu_has("avx512_vnni") && cap >= 3 ? "avx512_core_amx"
                             : cpu_has("avx512_vnni") && cap >= 1                  ? "avx512_core_vnni"
                                                                                   : "avx512_core";
    // bf16: AMX where the CPU has it and the cap allows (Linux >= 5.16 grants the tiles); else VDPBF16PS
    // where the CPU has it, unless the core's one-off timing of the two (src/fused/variants.cpp,
    // vdpbf16ps_is_faster) found the FMA emulation faster: either is allowed then, and
    // MKLDNN_RNN_BF16_STEPS (vdpbf16ps or fma) fixes which.
    const std::string bf16 = kernel_isa(Precision::bf16);
    const char* steps = std::getenv("MKLDNN_RNN_BF16_STEPS");
    const std::string fixed_steps = steps ? steps : "";
    if (cpu_has("amx_bf16") && cpu_has("avx512_bf16") && cap >= 3)
        EXPECT_EQ(bf16, "avx512_core_amx");
    else if (cpu_has("avx512_bf16") && cap >= 2 && fixed_steps == "vdpbf16ps")
        EXPECT_EQ(bf16, "avx512_core_bf16");
    else if (cpu_has("avx512_bf16") && cap >= 2 && fixed_steps != "fma")
        EXPECT_TRUE(bf16 == "avx512_core_bf16" || bf16 == "avx512_core") << bf16;
    else
        EXPECT_EQ(bf16, "avx512_core") << "MKLDNN_RNN_MAX_ISA=" << (cap_env ? cap_env : "(unset)");
    EXPECT_EQ(kernel_isa(Precision::int8), int8) << "MKLDNN_RNN_MAX_ISA=" << (cap_env ? cap_env : "(unset)");
    EXPECT_EQ(std::string(kernel_isa(Precision::fp32)), "avx512_core");
    // CTest's fallback registration states what it forces: a run that ignored MKLDNN_RNN_MAX_ISA fails here.
    if (const char* expect = std::getenv("MKLDNN_RNN_TEST_EXPECT_ISA")) {
        EXPECT_EQ(std::string(kernel_isa(Precision::bf16)), expect);
        EXPECT_EQ(std::string(kernel_isa(Precision::int8)), expect);
    }
    std::printf("[ isa ] MKLDNN_RNN_MAX_ISA=%s: bf16 %s, int8 %s, fp32 %s\n", cap_env ? cap_env : "(unset)",
                kernel_isa(Precision::bf16), kernel_isa(Precision::int8), kernel_isa(Precision::fp32));
}

// An MKLDNN_RNN_MAX_ISA that names no ISA is an error naming the variable and the value, on every reduced-
// precision pack (CTest's test_reduced_isa_bad_cap sets it to "avx9000"; the core reads it once per
// process, hence a process of its own).
TEST(ReducedPrecision, InvalidIsaCap) {
    const char* bad = std::getenv("MKLDNN_RNN_TEST_BAD_CAP");
    if (!bad) GTEST_SKIP() << "MKLDNN_RNN_TEST_BAD_CAP not set";
    ASSERT_STREQ(std::getenv("MKLDNN_RNN_MAX_ISA"), bad);
    const RnnConfig c{Mode::GRU, 7, 13, 1, true, false, 0};
    const ModelWeights m = random_weights(c, 1);
    for (Precision p : {Precision::bf16, Precision::int8})
        for (int attempt = 0; attempt < 2; ++attempt) {
            EngineOptions options;
            options.precision = p;
            try {
                PackedRnn::pack(c, m.views(), options);
                ADD_FAILURE() << precision_name(p) << ": MKLDNN_RNN_MAX_ISA=" << bad << " accepted";
            } catch (const Error& e) {
                const std::string msg = e.what();
                EXPECT_NE(msg.find("MKLDNN_RNN_MAX_ISA"), std::string::npos) << msg;
                EXPECT_NE(msg.find(bad), std::string::npos) << msg;
            }
        }
}

TEST(ReducedPrecision, Names) {
    EXPECT_STREQ(precision_name(Precision::fp32), "fp32");
    EXPECT_STREQ(precision_name(Precision::bf16), "bf16");
    EXPECT_STREQ(precision_name(Precision::int8), "int8");
}

} // namespace
} // namespace mkldnn_rnn::testing
