// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// What every C++ peer of bench/run_bench.py shares: flags, the timing protocol and the result line.
//
// The timing protocol is the one bench/measure_module.py follows for the Python modules, so that the
// columns of one table compare like with like (docs/performance.md, "How it is measured"):
//   1. warm-up: one call (it creates primitives, reorders weights, autotunes, grows the workspace),
//      then calls for at least `warmup` seconds, counted;
//   2. calibrate: n = calls that fit in `seconds` at the rate of that counted warm-up;
//   3. `repeats` runs of exactly n calls, each timed as a whole (no clock read inside the loop);
//   4. report the median of the per-run rates, plus min and max to show the noise.
#pragma once

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace bench {

// `--name value` pairs. Every flag a program reads must have been given or have a default, and every
// flag given must be read: a typo fails the run instead of silently measuring the default.
class Flags {
public:
    Flags(int argc, char** argv) {
        for (int i = 1; i < argc; i += 2) {
            const std::string name = argv[i];
            if (name.rfind("--", 0) != 0 || i + 1 >= argc)
                throw std::runtime_error("expected --name value pairs, got '" + name + "'");
            values_[name.substr(2)] = argv[i + 1];
        }
    }

    std::string get(const std::string& name, const std::string& fallback) {
        const auto it = values_.find(name);
        if (it == values_.end()) return fallback;
        std::string value = it->second;
        values_.erase(it);
        return value;
    }
    long get(const std::string& name, long fallback) { return parse<long>(name, fallback); }
    double get(const std::string& name, double fallback) { return parse<double>(name, fallback); }

    // Call once every flag has been read.
    void check_all_used() const {
        if (!values_.empty()) throw std::runtime_error("unknown flag --" + values_.begin()->first);
    }

private:
    template <class T>
    T parse(const std::string& name, T fallback) {
        const std::string text = get(name, std::string());
        if (text.empty()) return fallback;
        std::istringstream in(text);
        T value{};
        if (!(in >> value) || !in.eof()) throw std::runtime_error("--" + name + ": not a number: " + text);
        return value;
    }

    std::map<std::string, std::string> values_;
};

struct Protocol {
    double warmup = 0.3;  // seconds
    double seconds = 0.3; // per timed run
    long repeats = 7;

    explicit Protocol(Flags& flags)
        : warmup(flags.get("warmup", 0.3)), seconds(flags.get("seconds", 0.3)),
          repeats(flags.get("repeats", 7L)) {
        if (warmup < 0 || seconds <= 0 || repeats < 1)
            throw std::runtime_error("need --warmup >= 0, --seconds > 0, --repeats >= 1");
    }
};

// A JSON string value (our strings never hold quotes or backslashes).
inline std::string quoted(const std::string& text) { return "\"" + text + "\""; }

// The model and input both peers run: one layer, unidirectional, time-major [T, batch, input].
struct Shape {
    std::string mode; // lstm | gru | rnn (tanh), as torch.nn.LSTM / GRU / RNN
    long steps, batch, input, hidden;

    explicit Shape(Flags& flags)
        : mode(flags.get("mode", std::string("lstm"))), steps(flags.get("T", 15L)),
          batch(flags.get("batch", 1L)), input(flags.get("input", 250L)), hidden(flags.get("hidden", 200L)) {
        if (mode != "lstm" && mode != "gru" && mode != "rnn")
            throw std::runtime_error("--mode: expected lstm, gru or rnn, got " + mode);
        if (steps < 1 || batch < 1 || input < 1 || hidden < 1)
            throw std::runtime_error("--T, --batch, --input and --hidden must be at least 1");
    }

    long gates() const { return mode == "lstm" ? 4 : mode == "gru" ? 3 : 1; }

    std::vector<std::pair<std::string, std::string>> fields() const {
        return {{"mode", quoted(mode)}, {"T", std::to_string(steps)}, {"batch", std::to_string(batch)},
                {"input", std::to_string(input)}, {"hidden", std::to_string(hidden)}};
    }
};

struct Rate {
    double median = 0, min = 0, max = 0; // calls per second over the timed runs
    long calls_per_run = 0;
};

template <class Call>
Rate measure_rate(Call&& call, const Protocol& protocol) {
    using clock = std::chrono::steady_clock;
    const auto seconds_since = [](clock::time_point start) {
        return std::chrono::duration<double>(clock::now() - start).count();
    };

    call(); // the first call creates, reorders and tunes: too slow to calibrate on
    long warmup_calls = 0;
    const auto warmup_start = clock::now();
    do {
        call();
        ++warmup_calls;
    } while (warmup_calls < 3 || seconds_since(warmup_start) < protocol.warmup);
    const double warmup_rate = warmup_calls / seconds_since(warmup_start);

    Rate rate;
    rate.calls_per_run = std::max(1L, static_cast<long>(std::ceil(protocol.seconds * warmup_rate)));
    std::vector<double> rates;
    for (long r = 0; r < protocol.repeats; ++r) {
        const auto start = clock::now();
        for (long i = 0; i < rate.calls_per_run; ++i) call();
        rates.push_back(rate.calls_per_run / seconds_since(start));
    }
    std::sort(rates.begin(), rates.end());
    rate.median = rates[rates.size() / 2];
    rate.min = rates.front();
    rate.max = rates.back();
    return rate;
}

// Uniform in [-scale, scale], as torch.nn initialises RNN weights (scale = 1/sqrt(hidden_size)).
inline std::vector<float> random_floats(std::size_t count, float scale, unsigned seed) {
    std::mt19937 gen(seed);
    std::uniform_real_distribution<float> dist(-scale, scale);
    std::vector<float> values(count);
    for (float& v : values) v = dist(gen);
    return values;
}

// The one line run_bench.py reads: a JSON object with the rate and what was measured. `fields` hold
// already-formatted JSON values.
inline void print_result(const Rate& rate, const std::vector<std::pair<std::string, std::string>>& fields) {
    std::printf("{\"rate\": %.1f, \"rate_min\": %.1f, \"rate_max\": %.1f, \"calls_per_run\": %ld, \"threads\": %d",
                rate.median, rate.min, rate.max, rate.calls_per_run, omp_get_max_threads());
    for (const auto& [key, value] : fields) std::printf(", \"%s\": %s", key.c_str(), value.c_str());
    std::printf("}\n");
    std::fflush(stdout);
}

// Runs a benchmark's main body; any exception is reported on stderr with a non-zero exit status.
template <class Body>
int run_main(const char* program, Body&& body) {
    try {
        body();
        return EXIT_SUCCESS;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: error: %s\n", program, e.what());
        return EXIT_FAILURE;
    }
}

} // namespace bench
