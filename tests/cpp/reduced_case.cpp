// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// The helpers the bf16 and int8 tests share (reduced_case.hpp says what each is for).
#include "reduced_case.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <numeric>

#include "tolerance.hpp"

namespace mkldnn_rnn::testing {

uint32_t seed_of(const std::string& name) {
    const char* salt = std::getenv("MKLDNN_RNN_TEST_SEED_SALT");
    return static_cast<uint32_t>(std::hash<std::string>{}(name + (salt ? salt : "")));
}
const float* data_or_null(const std::vector<float>& v) { return v.empty() ? nullptr : v.data(); }

// ---- the test's own rounding of the weights, checked against what the core packed ----

namespace {

// bf16: every weight rounded to bf16; biases fp32.
ExactWeights expected_bf16(const ModelWeights& m) {
    ExactWeights e = exact_weights(m);
    for (auto* mats : {&e.w_ih, &e.w_hh, &e.w_hr})
        for (auto& w : *mats)
            for (double& v : w) v = round_to_bf16(static_cast<float>(v));
    return e;
}

// torch_weights(k) of every entry, as fp32 arrays in ModelWeights' shape.
ModelWeights core_torch_weights(const PackedRnn& engine, const ModelWeights& shape) {
    ModelWeights w = shape;
    for (std::size_t k = 0; k < w.w_ih.size(); ++k) {
        for (auto* mats : {&w.w_ih, &w.w_hh, &w.b_ih, &w.b_hh, &w.w_hr}) std::fill((*mats)[k].begin(), (*mats)[k].end(), -7.0f);
        engine.torch_weights(k, {w.w_ih[k].data(), w.w_hh[k].data(), w.b_ih[k].empty() ? nullptr : w.b_ih[k].data(),
                                 w.b_hh[k].empty() ? nullptr : w.b_hh[k].data(),
                                 w.w_hr[k].empty() ? nullptr : w.w_hr[k].data()});
    }
    return w;
}

std::string bits(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.9g (0x%08x)", f, u);
    return buf;
}

::testing::AssertionResult same_doubles_as_floats(const std::string& what, const std::vector<float>& got,
                                                 const std::vector<double>& want) {
    std::vector<float> w(want.begin(), want.end());
    return same_floats(what, got, w);
}

// The core's bf16 weights: its torch_weights() equal the test's rounding of the fp32 weights, biases as given.
::testing::AssertionResult check_bf16_rounding(const PackedRnn& engine, const ModelWeights& m, ExactWeights* out) {
    const ModelWeights core = core_torch_weights(engine, m);
    const ExactWeights want = expected_bf16(m);
    for (std::size_t k = 0; k < m.w_ih.size(); ++k) {
        const std::string e = "entry " + std::to_string(k) + " ";
        for (auto r : {same_doubles_as_floats(e + "weight_ih", core.w_ih[k], want.w_ih[k]),
                       same_doubles_as_floats(e + "weight_hh", core.w_hh[k], want.w_hh[k]),
                       same_doubles_as_floats(e + "weight_hr", core.w_hr[k], want.w_hr[k]),
                       same_floats(e + "bias_ih", core.b_ih[k], m.b_ih[k]), same_floats(e + "bias_hh", core.b_hh[k], m.b_hh[k])})
            if (!r) return r;
    }
    *out = exact_weights(core);
    return ::testing::AssertionSuccess();
}

// The core's int8 weights: int8_weights() equal the test's quantization (scales of all-zero rows not
// compared), torch_weights() equal values * scales rounded to fp32, biases as given.
::testing::AssertionResult check_int8_quantization(const PackedRnn& engine, const ModelWeights& m, ExactWeights* out) {
    const RnnConfig& c = m.config;
    const CoreInt8 core = core_int8_weights(engine);
    const std::vector<Int8Layer> want = expected_int8(m);
    const ModelWeights tw = core_torch_weights(engine, m);
    for (std::size_t k = 0; k < want.size(); ++k) {
        const std::string e = "entry " + std::to_string(k) + " ";
        const int64_t I = c.layer_input_size(static_cast<int64_t>(k) / c.num_directions());
        const struct {
            const char* name;
            const std::vector<int8_t>&gv, &wv;
            const std::vector<float>&gs, &ws;
            const std::vector<float>& torch;
            int64_t cols;
        } mats[] = {{"weight_ih", core.q[k].ih, want[k].ih, core.q[k].s_ih, want[k].s_ih, tw.w_ih[k], I},
                    {"weight_hh", core.q[k].hh, want[k].hh, core.q[k].s_hh, want[k].s_hh, tw.w_hh[k], c.output_size()},
                    {"weight_hr", core.q[k].hr, want[k].hr, core.q[k].s_hr, want[k].s_hr, tw.w_hr[k], c.hidden_size}};
        for (const auto& mat : mats) {
            for (std::size_t i = 0; i < mat.wv.size(); ++i)
                if (mat.gv[i] != mat.wv[i]) {
                    const std::size_t r = i / mat.cols;
                    return ::testing::AssertionFailure()
                           << e << mat.name << " value [" << r << "][" << i % mat.cols << "]: core " << int(mat.gv[i])
                           << ", expected " << int(mat.wv[i]) << " (row scale core " << bits(mat.gs[r]) << ", expected "
                           << bits(mat.ws[r]) << ")";
                }
            for (std::size_t r = 0; r < mat.ws.size(); ++r)
                if (mat.ws[r] != 0.0f && std::memcmp(&mat.gs[r], &mat.ws[r], 4) != 0)
                    return ::testing::AssertionFailure() << e << mat.name << " scale [" << r << "]: core " << bits(mat.gs[r])
                                                         << ", expected " << bits(mat.ws[r]);
            std::vector<float> prod(mat.gv.size());
            for (std::size_t i = 0; i < prod.size(); ++i) prod[i] = static_cast<float>(mat.gv[i]) * mat.gs[i / mat.cols];
            if (auto r = same_floats(e + mat.name + " torch_weights", mat.torch, prod); !r) return r;
        }
        for (auto r : {same_floats(e + "bias_ih (int8_weights)", core.b_ih[k], m.b_ih[k]),
                       same_floats(e + "bias_hh (int8_weights)", core.b_hh[k], m.b_hh[k]),
                       same_floats(e + "bias_ih (torch_weights)", tw.b_ih[k], m.b_ih[k]),
                       same_floats(e + "bias_hh (torch_weights)", tw.b_hh[k], m.b_hh[k])})
            if (!r) return r;
    }
    *out = exact_from_int8(c, core);
    return ::testing::AssertionSuccess();
}

} // namespace

std::vector<Int8Layer> expected_int8(const ModelWeights& m) {
    const RnnConfig& c = m.config;
    std::vector<Int8Layer> out(m.w_ih.size());
    for (std::size_t k = 0; k < out.size(); ++k) {
        const int64_t layer = static_cast<int64_t>(k) / c.num_directions();
        const int64_t GH = c.num_gates() * c.hidden_size;
        quantize_weight_rows(m.w_ih[k], GH, c.layer_input_size(layer), out[k].ih, out[k].s_ih);
        quantize_weight_rows(m.w_hh[k], GH, c.output_size(), out[k].hh, out[k].s_hh);
        if (c.proj_size > 0) quantize_weight_rows(m.w_hr[k], c.proj_size, c.hidden_size, out[k].hr, out[k].s_hr);
    }
    return out;
}

CoreInt8 core_int8_weights(const PackedRnn& engine) {
    const RnnConfig& c = engine.config();
    const std::size_t entries = static_cast<std::size_t>(c.num_layers * c.num_directions());
    CoreInt8 out;
    out.q.resize(entries);
    out.b_ih.resize(entries);
    out.b_hh.resize(entries);
    const int64_t GH = c.num_gates() * c.hidden_size;
    for (std::size_t k = 0; k < entries; ++k) {
        const int64_t I = c.layer_input_size(static_cast<int64_t>(k) / c.num_directions());
        Int8Layer& q = out.q[k];
        q.ih.assign(GH * I, 99);
        q.hh.assign(GH * c.output_size(), 99);
        q.s_ih.assign(GH, -1.0f);
        q.s_hh.assign(GH, -1.0f);
        if (c.proj_size > 0) {
            q.hr.assign(c.proj_size * c.hidden_size, 99);
            q.s_hr.assign(c.proj_size, -1.0f);
        }
        if (c.bias) {
            out.b_ih[k].assign(GH, -7.0f);
            out.b_hh[k].assign(GH, -7.0f);
        }
        MutableInt8LayerWeights w;
        w.weight_ih = {q.ih.data(), q.s_ih.data()};
        w.weight_hh = {q.hh.data(), q.s_hh.data()};
        if (c.proj_size > 0) w.weight_hr = {q.hr.data(), q.s_hr.data()};
        w.bias_ih = c.bias ? out.b_ih[k].data() : nullptr;
        w.bias_hh = c.bias ? out.b_hh[k].data() : nullptr;
        engine.int8_weights(k, w);
    }
    return out;
}

ExactWeights exact_from_int8(const RnnConfig& c, const CoreInt8& w) {
    ExactWeights e{c, {}, {}, {}, {}, {}};
    for (std::size_t k = 0; k < w.q.size(); ++k) {
        const int64_t I = c.layer_input_size(static_cast<int64_t>(k) / c.num_directions());
        e.w_ih.push_back(dequantize_exact(w.q[k].ih, w.q[k].s_ih, I));
        e.w_hh.push_back(dequantize_exact(w.q[k].hh, w.q[k].s_hh, c.output_size()));
        e.w_hr.push_back(c.proj_size > 0 ? dequantize_exact(w.q[k].hr, w.q[k].s_hr, c.hidden_size) : std::vector<double>{});
        e.b_ih.emplace_back(w.b_ih[k].begin(), w.b_ih[k].end());
        e.b_hh.emplace_back(w.b_hh[k].begin(), w.b_hh[k].end());
    }
    return e;
}

::testing::AssertionResult same_floats(const std::string& what, const std::vector<float>& got, const std::vector<float>& want) {
    if (got.size() != want.size()) return ::testing::AssertionFailure() << what << ": size " << got.size() << " vs " << want.size();
    for (std::size_t i = 0; i < got.size(); ++i)
        if (std::memcmp(&got[i], &want[i], 4) != 0)
            return ::testing::AssertionFailure() << what << "[" << i << "]: core " << bits(got[i]) << ", expected " << bits(want[i]);
    return ::testing::AssertionSuccess();
}

::testing::AssertionResult reference_weights(const PackedRnn& engine, const ModelWeights& model, ExactWeights* out) {
    return engine.precision() == Precision::bf16 ? check_bf16_rounding(engine, model, out)
                                                 : check_int8_quantization(engine, model, out);
}

// ---- operand rounding and the error unit ----

OperandHook hook_for(Precision p, double* largest) {
    return [p, largest](std::vector<double>& row) {
        for (double v : row) *largest = std::max(*largest, std::fabs(v));
        if (p == Precision::bf16) round_row_to_bf16(row);
        if (p == Precision::int8) quantize_row_int8(row);
    };
}

double unit_of(Precision p, double largest) {
    const double M = std::max(largest, 1e-3);
    return p == Precision::int8 ? M / 127.0 : M * std::ldexp(1.0, -7);
}

double grid_bound(Precision p, const EngineCase& c) {
    const double steps = static_cast<double>(c.T * c.config.num_layers);
    return kBaseUnits[static_cast<int>(p)] + kPerStepUnits[static_cast<int>(p)] * std::sqrt(steps);
}

::testing::AssertionResult within(const char* what, const std::vector<float>& got, const std::vector<double>& want,
                                  double unit, double bound_units, double* units, MeanError* mean) {
    if (got.size() != want.size())
        return ::testing::AssertionFailure() << what << ": size " << got.size() << ", reference " << want.size();
    double worst = 0;
    std::size_t at = 0, bad = 0;
    for (std::size_t i = 0; i < got.size(); ++i) {
        const double err = std::fabs(static_cast<double>(got[i]) - want[i]);
        if (!(err <= bound_units * unit)) ++bad;
        if (!(err <= worst)) worst = err, at = i;
        if (mean) mean->sum += err / unit, ++mean->count;
    }
    *units = std::max(*units, worst / unit);
    if (bad == 0) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << what << ": " << bad << " of " << got.size() << " elements beyond "
                                         << bound_units << " units (unit " << unit << "); worst at " << at << ": got "
                                         << got[at] << ", reference " << want[at] << " (" << worst / unit << " units)";
}

// ---- measured errors, printed at the end ----

namespace {

struct Worst {
    double units = 0, abs = 0;
    std::string where;
};
std::map<std::string, Worst>& worst_table() {
    static std::map<std::string, Worst> t;
    return t;
}

} // namespace

void note(const std::string& key, double units, double abs, const std::string& where) {
    Worst& w = worst_table()[key];
    if (units > w.units) w = {units, abs, where};
}

void WorstReport::TearDown() {
    std::printf("[ reduced precision: largest |engine - reference| in units of the quantization step ]\n");
    std::printf("  bound: units <= base + per_step * sqrt(T * layers); bf16 %g + %g, int8 %g + %g\n", kBaseUnits[1],
                kPerStepUnits[1], kBaseUnits[2], kPerStepUnits[2]);
    for (const auto& [key, w] : worst_table())
        std::printf("  %-28s %8.3f %s (abs %.3g) in %s\n", key.c_str(), w.units,
                    key.rfind("ALL", 0) == 0 ? "of bound" : "units", w.abs, w.where.c_str());
}

// ---- cases ----

std::string RpCase::name() const {
    static const char* const feeds[] = {"dense", "lengths", "packed"};
    return std::string(precision_name(precision)) + "_" + feeds[static_cast<int>(feed)] + "_" + e.name();
}

namespace {

// States [states][N][width] with their rows in the packed (sorted) order: row j is sequence order[j].
template <typename T>
std::vector<T> packed_order(const std::vector<T>& v, int64_t states, int64_t N, int64_t width,
                            const std::vector<int64_t>& order) {
    std::vector<T> out;
    for (int64_t s = 0; s < states && !v.empty(); ++s)
        for (int64_t j = 0; j < N; ++j) {
            const T* row = v.data() + (s * N + order[j]) * width;
            out.insert(out.end(), row, row + width);
        }
    return out;
}

// The reference's result in the packed layout of `p`.
ReferenceResult to_packed(const EngineCase& c, const Packed& p, const ReferenceResult& r) {
    const RnnConfig& cfg = c.config;
    const int64_t W = cfg.num_directions() * cfg.output_size();
    const bool bf = c.layout == SequenceLayout::batch_first;
    ReferenceResult out;
    for (std::size_t t = 0; t < p.batch_sizes.size(); ++t)
        for (int64_t j = 0; j < p.batch_sizes[t]; ++j) {
            const int64_t n = p.order[j];
            const double* row = r.output.data() + (bf ? n * c.T + static_cast<int64_t>(t) : static_cast<int64_t>(t) * c.N + n) * W;
            out.output.insert(out.output.end(), row, row + W);
        }
    out.h_n = packed_order(r.h_n, cfg.num_layers * cfg.num_directions(), c.N, cfg.output_size(), p.order);
    out.c_n = packed_order(r.c_n, cfg.num_layers * cfg.num_directions(), c.N, cfg.hidden_size, p.order);
    return out;
}

// The engine's packed output rows back in the padded layout of the case (zeros past each length).
std::vector<float> unpack_output(const EngineCase& c, const Packed& p, const std::vector<float>& packed) {
    const int64_t W = c.config.num_directions() * c.config.output_size();
    const bool bf = c.layout == SequenceLayout::batch_first;
    std::vector<float> out(static_cast<std::size_t>(c.T * c.N * W), 0.0f);
    const float* src = packed.data();
    for (std::size_t t = 0; t < p.batch_sizes.size(); ++t)
        for (int64_t j = 0; j < p.batch_sizes[t]; ++j, src += W) {
            const int64_t n = p.order[j], ti = static_cast<int64_t>(t);
            std::copy(src, src + W, out.begin() + (bf ? n * c.T + ti : ti * c.N + n) * W);
        }
    return out;
}

// The teacher-forced comparison's bound (reference_forward_forced): fp32 rounding, tolerance.hpp's
//   |engine - reference| <= kAbsTol + kRelTol * |reference| + allowance
// where allowance = 0, except for LSTM proj_size: the unprojected h before W_hr is internal to a step, so
// its rounding may flip; allowance = 2 flips = 2 * unit * max |W_hr|.
double forced_allowance(const ExactWeights& w, double unit) {
    double wmax = 0;
    for (const auto& m : w.w_hr)
        for (double v : m) wmax = std::max(wmax, std::fabs(v));
    return 2.0 * unit * wmax;
}

} // namespace

Packed pack_sequence(const EngineCase& c, const CaseData& d) {
    const RnnConfig& cfg = c.config;
    Packed p;
    p.order.resize(c.N);
    std::iota(p.order.begin(), p.order.end(), 0);
    std::stable_sort(p.order.begin(), p.order.end(), [&](int64_t a, int64_t b) { return d.lengths[a] > d.lengths[b]; });
    const int64_t T = d.lengths[p.order[0]];
    const bool bf = c.layout == SequenceLayout::batch_first;
    for (int64_t t = 0; t < T; ++t) {
        int64_t b = 0;
        for (int64_t j = 0; j < c.N && d.lengths[p.order[j]] > t; ++j, ++b) {
            const int64_t n = p.order[j];
            const float* x = d.input.data() + (bf ? n * c.T + t : t * c.N + n) * cfg.input_size;
            p.input.insert(p.input.end(), x, x + cfg.input_size);
        }
        p.batch_sizes.push_back(b);
        p.rows += b;
    }
    p.h0 = packed_order(d.h0, cfg.num_layers * cfg.num_directions(), c.N, cfg.output_size(), p.order);
    p.c0 = packed_order(d.c0, cfg.num_layers * cfg.num_directions(), c.N, cfg.hidden_size, p.order);
    return p;
}

EngineResult run_packed(const PackedRnn& engine, const EngineCase& c, const Packed& p) {
    const RnnConfig& cfg = c.config;
    const int64_t states = cfg.num_layers * cfg.num_directions();
    EngineResult r;
    r.output.assign(p.rows * cfg.num_directions() * cfg.output_size(), -1.0f);
    r.h_n.assign(states * c.N * cfg.output_size(), -1.0f);
    if (cfg.mode == Mode::LSTM) r.c_n.assign(states * c.N * cfg.hidden_size, -1.0f);
    PackedSequenceInput in;
    in.input = p.input.data();
    in.batch_sizes = p.batch_sizes.data();
    in.seq_len = static_cast<int64_t>(p.batch_sizes.size());
    in.h0 = data_or_null(p.h0);
    in.c0 = data_or_null(p.c0);
    engine.forward_packed(in, {r.output.data(), r.h_n.data(), r.c_n.empty() ? nullptr : r.c_n.data()});
    return r;
}

std::shared_ptr<const PackedRnn> pack_reduced(const EngineCase& c, Precision p, const ModelWeights& model) {
    EngineOptions options;
    options.weights_format = c.format;
    options.precision = p;
    return PackedRnn::pack(c.config, model.views(), options);
}

void ForcedCheck::add(const char* what, const std::vector<float>& got, const std::vector<double>& want,
                      double allowance) {
    for (std::size_t i = 0; i < got.size() && i < want.size(); ++i) {
        const double bound = kAbsTol + kRelTol * std::fabs(want[i]) + allowance;
        const double err = std::fabs(static_cast<double>(got[i]) - want[i]);
        worst = std::max(worst, err / bound);
        ++count;
        if (!(err <= bound)) {
            if (bad++ == 0)
                first = std::string(what) + "[" + std::to_string(i) + "]: got " + std::to_string(got[i]) + ", reference "
                        + std::to_string(want[i]);
        }
    }
}

Outcome run_case(const RpCase& rc, double bound_units, const ExactWeights* override_weights,
                 const HookFactory& make_hook) {
    const bool expect_pass = !override_weights && !make_hook;
    const EngineCase& c = rc.e;
    const uint32_t seed = seed_of(rc.name());
    const ModelWeights model = random_weights(c.config, seed);
    const auto engine = pack_reduced(c, rc.precision, model);
    EXPECT_EQ(engine->precision(), rc.precision);
    ExactWeights weights;
    EXPECT_TRUE(reference_weights(*engine, model, &weights));
    if (override_weights) weights = *override_weights;
    const CaseData data = case_data(c, seed + 10);
    const auto hook = [&](double* largest) { return make_hook ? make_hook(largest) : hook_for(rc.precision, largest); };
    double largest = 0;
    const ReferenceResult ref = reference_forward(weights, hook(&largest), data.input, c.T, c.N, c.layout, data.h0,
                                                  data.c0, data.lengths);
    Outcome o;
    o.unit = unit_of(rc.precision, largest);
    EngineResult got;
    ReferenceResult want;
    std::vector<float> padded_output; // the engine's output in the padded layout, for the forced reference
    Packed p;
    if (rc.feed == Feed::packed) {
        p = pack_sequence(c, data);
        got = run_packed(*engine, c, p);
        want = to_packed(c, p, ref);
        padded_output = unpack_output(c, p, got.output);
    } else {
        got = run_engine(*engine, c, data);
        want = ref;
        padded_output = got.output;
    }
    MeanError mean;
    const auto a = within("output", got.output, want.output, o.unit, bound_units, &o.units, &mean);
    const auto b = within("h_n", got.h_n, want.h_n, o.unit, bound_units, &o.units, &mean);
    const auto d = within("c_n", got.c_n, want.c_n, o.unit, bound_units, &o.units, &mean);
    o.mean = mean.value();
    if (c.config.num_layers == 1) {
        o.forced = true;
        double unused = 0;
        ReferenceResult f = reference_forward_forced(weights, hook(&unused), data.input, c.T, c.N, c.layout, data.h0,
                                                     data.c0, data.lengths, padded_output);
        if (rc.feed == Feed::packed) f = to_packed(c, p, f);
        const double allowance = forced_allowance(weights, o.unit);
        o.fc.add("output", got.output, f.output, allowance);
        o.fc.add("h_n", got.h_n, f.h_n, allowance);
        o.fc.add("c_n", got.c_n, f.c_n, allowance);
    }
    if (expect_pass) {
        EXPECT_TRUE(a);
        EXPECT_TRUE(b);
        EXPECT_TRUE(d);
        EXPECT_EQ(o.fc.bad, 0u) << "teacher-forced reference: " << o.fc.bad << " of " << o.fc.count
                                << " elements beyond the fp32 bound; first " << o.fc.first;
        // Same call again: same bits.
        const EngineResult again = rc.feed == Feed::packed ? run_packed(*engine, c, pack_sequence(c, data))
                                                           : run_engine(*engine, c, data);
        EXPECT_TRUE(same_bits(got, again)) << "second call differs";
    }
    return o;
}

} // namespace mkldnn_rnn::testing
