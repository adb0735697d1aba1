// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// main() of the test binaries that compare with the reference: gtest's after the ISA leg's check
// (isa_leg.hpp), plus the report of the largest error the binary saw (tolerance.hpp), which the suite's
// figures quote.
#include <gtest/gtest.h>

#include "isa_leg.hpp"
#include "tolerance.hpp"

int main(int argc, char** argv) {
    mkldnn_rnn::testing::exit_if_leg_cannot_run();
    ::testing::InitGoogleTest(&argc, argv);
    ::testing::AddGlobalTestEnvironment(new mkldnn_rnn::testing::MaxErrorReport);
    return RUN_ALL_TESTS();
}
