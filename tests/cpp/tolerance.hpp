// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// The one tolerance of the C++ suite: fp32 engine against the double reference,
//   |engine - reference| <= kAbsTol + kRelTol * |reference|   element by element.
// fp32 rounding of a ~250-term dot product and of oneDNN's vectorised exp/tanh stays well inside it
// (the grid's largest error is printed at the end of each test binary).
#pragma once

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace mkldnn_rnn::testing {

constexpr double kAbsTol = 1e-5;
constexpr double kRelTol = 1e-4;

// The largest |engine - reference| seen in this binary, and where; printed by MaxErrorReport.
struct MaxError {
    double value = 0.0;
    std::string where;
};

inline MaxError& max_error() {
    static MaxError e;
    return e;
}

inline ::testing::AssertionResult close_to_reference(const char* what, const std::vector<float>& got,
                                                      const std::vector<double>& want) {
    if (got.size() != want.size())
        return ::testing::AssertionFailure() << what << ": size " << got.size() << ", reference " << want.size();
    double worst = 0.0;
    std::size_t worst_at = 0, bad = 0;
    for (std::size_t i = 0; i < got.size(); ++i) {
        const double err = std::fabs(static_cast<double>(got[i]) - want[i]);
        if (!(err <= kAbsTol + kRelTol * std::fabs(want[i]))) ++bad; // also catches NaN
        if (!(err <= worst)) worst = err, worst_at = i;
    }
    if (worst > max_error().value) {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        max_error() = {worst, std::string(info ? info->name() : "") + " " + what};
    }
    if (bad == 0) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << what << ": " << bad << " of " << got.size()
                                         << " elements out of tolerance; worst at " << worst_at << ": got "
                                         << got[worst_at] << ", reference " << want[worst_at];
}

// Prints the binary's largest error once all tests ran (register with AddGlobalTestEnvironment).
class MaxErrorReport : public ::testing::Environment {
public:
    void TearDown() override {
        std::printf("[ max error ] %.3g in %s (tolerance %g + %g*|ref|)\n", max_error().value,
                    max_error().where.c_str(), kAbsTol, kRelTol);
    }
};

} // namespace mkldnn_rnn::testing
