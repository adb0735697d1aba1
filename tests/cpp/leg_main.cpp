// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// main() of the test binaries without reports of their own: gtest's, after the ISA leg's check (isa_leg.hpp).
#include <gtest/gtest.h>

#include "isa_leg.hpp"

int main(int argc, char** argv) {
    mkldnn_rnn::testing::exit_if_leg_cannot_run();
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
