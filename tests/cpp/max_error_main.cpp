// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// main() of the test binaries that compare with the reference: gtest's, plus the report of the largest
// error the binary saw (tolerance.hpp), which the suite's figures quote.
#include <gtest/gtest.h>

#include "tolerance.hpp"

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    ::testing::AddGlobalTestEnvironment(new mkldnn_rnn::testing::MaxErrorReport);
    return RUN_ALL_TESTS();
}
