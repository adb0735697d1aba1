// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// main() of the bf16/int8 test binaries that compare with the reference: gtest's, plus the reports of the
// largest errors they saw: the fp32-bound one (tolerance.hpp) and, per precision, mode and length, the
// "few flips" one in units (reduced_case.hpp), which docs/precision.md quotes.
#include <gtest/gtest.h>

#include "reduced_case.hpp"
#include "tolerance.hpp"

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    ::testing::AddGlobalTestEnvironment(new mkldnn_rnn::testing::MaxErrorReport);
    ::testing::AddGlobalTestEnvironment(new mkldnn_rnn::testing::WorstReport);
    return RUN_ALL_TESTS();
}
