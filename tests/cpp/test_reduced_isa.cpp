// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// The ISA the bf16 and int8 kernels run on (issue 12): what this CPU and MKLDNN_RNN_MAX_ISA must give, so
// that each of CTest's runs of the reduced-precision tests is known to take the path it is registered for.
//
//  * KernelIsa: kernel_isa() reports what this CPU and MKLDNN_RNN_MAX_ISA allow. CTest runs it natively
//    and in each ISA leg (CMakeLists.txt): the AVX-512 emulations (avx512_core) and the AVX2 kernel (avx2),
//    saying so through MKLDNN_RNN_TEST_EXPECT_ISA, so that the run cannot silently take another path;
//    capped at avx512_core_vnni (int8 native, bf16 emulated), at avx512_core_bf16 with
//    MKLDNN_RNN_BF16_STEPS=vdpbf16ps, and at avx2_vnni: the environments the grid runs in
//    (test_reduced_grid.cpp). A leg whose ISA this CPU lacks is skipped, saying so (isa_leg.hpp).
//  * InvalidIsaCap: an MKLDNN_RNN_MAX_ISA naming no ISA is an error on every reduced-precision pack (run
//    only with MKLDNN_RNN_TEST_BAD_CAP set to that cap).
//  * Names: precision_name() of each precision.
#include <cstdio>
#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

#include "isa_leg.hpp"
#include "model_data.hpp"

namespace mkldnn_rnn::testing {
namespace {

// The ISAs in MKLDNN_RNN_MAX_ISA's order (oneDNN's): a cap allows those up to itself.
int isa_rank(const std::string& isa) {
    const char* order[] = {"avx2", "avx2_vnni", "avx512_core", "avx512_core_vnni", "avx512_core_bf16", "avx512_core_amx"};
    for (int i = 0; i < 6; ++i)
        if (isa == order[i]) return i;
    return 99; // unset: no cap
}

TEST(ReducedPrecision, KernelIsa) {
    const char* cap_env = std::getenv("MKLDNN_RNN_MAX_ISA");
    const int cap = cap_env && *cap_env ? isa_rank(cap_env) : 99;
    const auto allowed = [cap](const std::string& isa) { return isa_rank(isa) <= cap && cpu_runs(isa); };
    // fp32, and the emulations of the others: the widest vectors allowed.
    const std::string base = allowed("avx512_core") ? "avx512_core" : allowed("avx2") ? "avx2" : "none";
    // int8: AMX where the CPU has it and the cap allows (Linux >= 5.16 grants the tiles), else VPDPBUSD on
    // zmm, else on ymm (AVX-VNNI) with the AVX2 kernel.
    const std::string int8 = allowed("avx512_core_amx") && cpu_flag("amx_int8") && cpu_flag("avx512_vnni") ? "avx512_core_amx"
                             : allowed("avx512_core_vnni")                  ? "avx512_core_vnni"
                             : base == "avx2" && allowed("avx2_vnni")        ? "avx2_vnni"
                                                                            : base;
    // bf16: AMX where the CPU has it and the cap allows; else VDPBF16PS where the CPU has it, unless the
    // core's one-off timing of the two (src/fused/variants.cpp, vdpbf16ps_is_faster) found the FMA
    // emulation faster: either is allowed then, and MKLDNN_RNN_BF16_STEPS (vdpbf16ps or fma) fixes which.
    const std::string bf16 = kernel_isa(Precision::bf16);
    const char* steps = std::getenv("MKLDNN_RNN_BF16_STEPS");
    const std::string fixed_steps = steps ? steps : "";
    const std::string where = std::string("MKLDNN_RNN_MAX_ISA=") + (cap_env ? cap_env : "(unset)");
    if (allowed("avx512_core_amx") && cpu_flag("amx_bf16") && cpu_flag("avx512_bf16"))
        EXPECT_EQ(bf16, "avx512_core_amx") << where;
    else if (allowed("avx512_core_bf16") && fixed_steps == "vdpbf16ps")
        EXPECT_EQ(bf16, "avx512_core_bf16") << where;
    else if (allowed("avx512_core_bf16") && fixed_steps != "fma")
        EXPECT_TRUE(bf16 == "avx512_core_bf16" || bf16 == base) << bf16;
    else
        EXPECT_EQ(bf16, base) << where;
    EXPECT_EQ(kernel_isa(Precision::int8), int8) << where;
    EXPECT_EQ(std::string(kernel_isa(Precision::fp32)), base) << where;
    // The legs state what they force: a run that ignored MKLDNN_RNN_MAX_ISA fails here.
    if (const char* expect = std::getenv("MKLDNN_RNN_TEST_EXPECT_ISA")) {
        EXPECT_EQ(std::string(kernel_isa(Precision::bf16)), expect);
        EXPECT_EQ(std::string(kernel_isa(Precision::int8)), expect);
        EXPECT_EQ(std::string(kernel_isa(Precision::fp32)), expect);
    }
    std::printf("[ isa ] %s: bf16 %s, int8 %s, fp32 %s\n", where.c_str(), kernel_isa(Precision::bf16),
                kernel_isa(Precision::int8), kernel_isa(Precision::fp32));
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
