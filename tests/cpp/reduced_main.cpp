// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// main() of the bf16/int8 test binaries that compare with the reference: gtest's after the ISA leg's check
// (isa_leg.hpp), plus the reports of the largest errors they saw: the fp32-bound one (tolerance.hpp) and,
// per precision, mode and length, the "few flips" one in units (reduced_case.hpp), which docs/precision.md
// quotes.
#include <gtest/gtest.h>

#include "isa_leg.hpp"
#include "reduced_case.hpp"
#include "tolerance.hpp"

int main(int argc, char** argv) {
    mkldnn_rnn::testing::exit_if_leg_cannot_run();
    ::testing::InitGoogleTest(&argc, argv);
    ::testing::AddGlobalTestEnvironment(new mkldnn_rnn::testing::MaxErrorReport);
    ::testing::AddGlobalTestEnvironment(new mkldnn_rnn::testing::WorstReport);
    return RUN_ALL_TESTS();
}
