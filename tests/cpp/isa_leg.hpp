// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// CTest's ISA legs: the same test binary run again with MKLDNN_RNN_MAX_ISA capping the kernels, so that a
// lower ISA's path is tested on a CPU that has more (tests/cpp/CMakeLists.txt, mkldnn_rnn_leg). A leg
// names the ISA it needs in MKLDNN_RNN_TEST_LEG; on a CPU without it the binary says so and exits with
// kLegSkipped, which CTest reports as skipped, never as passed.
#pragma once

#include <string>

namespace mkldnn_rnn::testing {

constexpr int kLegSkipped = 77; // CTest's SKIP_RETURN_CODE of every leg

// A flag of /proc/cpuinfo (read independently of the library, which is what is tested).
bool cpu_flag(const std::string& flag);

// Whether this CPU has what the library's ISA `isa` (an MKLDNN_RNN_MAX_ISA value) needs.
bool cpu_runs(const std::string& isa);

// At the start of main(): in a leg this CPU cannot run, prints why and exits with kLegSkipped (removing
// the int8 dump the leg would have written, so that a comparison of dumps cannot read a stale one).
void exit_if_leg_cannot_run();

} // namespace mkldnn_rnn::testing
