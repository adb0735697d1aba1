// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// Equations from the torch.nn documentation (LSTM, GRU, RNN), gates in PyTorch's order.
#include "reference.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace mkldnn_rnn::testing {
namespace {

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// y[r] = sum_k W[row0 + r][k] * x[k] for `rows` rows of a row-major matrix with `cols` columns.
std::vector<double> matvec(const std::vector<double>& W, int64_t row0, int64_t rows, int64_t cols,
                           const std::vector<double>& x) {
    std::vector<double> y(rows, 0.0);
    for (int64_t r = 0; r < rows; ++r) {
        double acc = 0.0;
        const double* w = W.data() + (row0 + r) * cols;
        for (int64_t k = 0; k < cols; ++k) acc += w[k] * x[k];
        y[r] = acc;
    }
    return y;
}

// The operand of a product: the row itself, or its rounded copy.
std::vector<double> operand(const OperandHook& hook, const std::vector<double>& v) {
    std::vector<double> r = v;
    if (hook) hook(r);
    return r;
}

// The pre-activation of gate g for one input: W_ih[g] x + b_ih[g] (ih) and W_hh[g] h + b_hh[g] (hh),
// kept apart because GRU's n gate multiplies the hh part by r. x and h are the operands (rounded).
struct GatePart {
    std::vector<double> ih, hh;
};

GatePart gate(const ExactWeights& m, std::size_t k, int64_t g, const std::vector<double>& x,
              const std::vector<double>& h) {
    const RnnConfig& c = m.config;
    const int64_t H = c.hidden_size;
    GatePart p{matvec(m.w_ih[k], g * H, H, static_cast<int64_t>(x.size()), x),
               matvec(m.w_hh[k], g * H, H, static_cast<int64_t>(h.size()), h)};
    if (c.bias)
        for (int64_t j = 0; j < H; ++j) {
            p.ih[j] += m.b_ih[k][g * H + j];
            p.hh[j] += m.b_hh[k][g * H + j];
        }
    return p;
}

// One step of (layer, direction) k: updates h (size H_out) and c (size H, LSTM only).
void step(const ExactWeights& m, const OperandHook& hook, std::size_t k, const std::vector<double>& x_in,
          std::vector<double>& h, std::vector<double>& c) {
    const RnnConfig& cfg = m.config;
    const int64_t H = cfg.hidden_size;
    const std::vector<double> x = operand(hook, x_in), hq = operand(hook, h);
    switch (cfg.mode) {
        case Mode::LSTM: {
            const GatePart i = gate(m, k, 0, x, hq), f = gate(m, k, 1, x, hq), g = gate(m, k, 2, x, hq),
                           o = gate(m, k, 3, x, hq);
            std::vector<double> out(H);
            for (int64_t j = 0; j < H; ++j) {
                c[j] = sigmoid(f.ih[j] + f.hh[j]) * c[j] + sigmoid(i.ih[j] + i.hh[j]) * std::tanh(g.ih[j] + g.hh[j]);
                out[j] = sigmoid(o.ih[j] + o.hh[j]) * std::tanh(c[j]);
            }
            h = cfg.proj_size > 0 ? matvec(m.w_hr[k], 0, cfg.proj_size, H, operand(hook, out)) : out;
            break;
        }
        case Mode::GRU: {
            const GatePart r = gate(m, k, 0, x, hq), z = gate(m, k, 1, x, hq), n = gate(m, k, 2, x, hq);
            for (int64_t j = 0; j < H; ++j) {
                const double rj = sigmoid(r.ih[j] + r.hh[j]), zj = sigmoid(z.ih[j] + z.hh[j]);
                const double nj = std::tanh(n.ih[j] + rj * n.hh[j]);
                h[j] = (1.0 - zj) * nj + zj * h[j]; // the state itself, not its rounded operand
            }
            break;
        }
        case Mode::RNN_TANH:
        case Mode::RNN_RELU: {
            const GatePart a = gate(m, k, 0, x, hq);
            for (int64_t j = 0; j < H; ++j) {
                const double v = a.ih[j] + a.hh[j];
                h[j] = cfg.mode == Mode::RNN_TANH ? std::tanh(v) : std::max(0.0, v);
            }
            break;
        }
    }
}

std::vector<std::vector<double>> widen(const std::vector<std::vector<float>>& v) {
    std::vector<std::vector<double>> out;
    for (const auto& a : v) out.emplace_back(a.begin(), a.end());
    return out;
}

} // namespace

ExactWeights exact_weights(const ModelWeights& m) {
    return {m.config, widen(m.w_ih), widen(m.w_hh), widen(m.b_ih), widen(m.b_hh), widen(m.w_hr)};
}

ReferenceResult reference_forward(const ExactWeights& m, const OperandHook& hook, const std::vector<float>& input,
                                  int64_t T, int64_t N, SequenceLayout layout, const std::vector<float>& h0,
                                  const std::vector<float>& c0, const std::vector<int64_t>& lengths) {
    const RnnConfig& cfg = m.config;
    const int64_t D = cfg.num_directions(), H = cfg.hidden_size, Hout = cfg.output_size();
    const bool bf = layout == SequenceLayout::batch_first;
    // seq[t][n]: the current layer's input vector at step t of sequence n.
    std::vector<std::vector<std::vector<double>>> seq(T, std::vector<std::vector<double>>(N));
    for (int64_t t = 0; t < T; ++t)
        for (int64_t n = 0; n < N; ++n) {
            const float* x = input.data() + (bf ? n * T + t : t * N + n) * cfg.input_size;
            seq[t][n].assign(x, x + cfg.input_size);
        }

    ReferenceResult res;
    res.h_n.assign(cfg.num_layers * D * N * Hout, 0.0);
    if (cfg.mode == Mode::LSTM) res.c_n.assign(cfg.num_layers * D * N * H, 0.0);
    for (int64_t layer = 0; layer < cfg.num_layers; ++layer) {
        std::vector<std::vector<std::vector<double>>> next(T, std::vector<std::vector<double>>(N, std::vector<double>(D * Hout, 0.0)));
        for (int64_t d = 0; d < D; ++d) {
            const int64_t s = layer * D + d;
            for (int64_t n = 0; n < N; ++n) {
                const int64_t len = lengths.empty() ? T : lengths[n];
                std::vector<double> h(Hout, 0.0), c(H, 0.0);
                if (!h0.empty()) h.assign(h0.begin() + (s * N + n) * Hout, h0.begin() + (s * N + n + 1) * Hout);
                if (!c0.empty()) c.assign(c0.begin() + (s * N + n) * H, c0.begin() + (s * N + n + 1) * H);
                for (int64_t i = 0; i < len; ++i) {
                    const int64_t t = d == 0 ? i : len - 1 - i;
                    step(m, hook, static_cast<std::size_t>(s), seq[t][n], h, c);
                    std::copy(h.begin(), h.end(), next[t][n].begin() + d * Hout);
                }
                std::copy(h.begin(), h.end(), res.h_n.begin() + (s * N + n) * Hout);
                if (!res.c_n.empty()) std::copy(c.begin(), c.end(), res.c_n.begin() + (s * N + n) * H);
            }
        }
        seq = std::move(next);
    }
    res.output.assign(T * N * D * Hout, 0.0);
    for (int64_t t = 0; t < T; ++t)
        for (int64_t n = 0; n < N; ++n)
            std::copy(seq[t][n].begin(), seq[t][n].end(), res.output.begin() + (bf ? n * T + t : t * N + n) * D * Hout);
    return res;
}

ReferenceResult reference_forward_forced(const ExactWeights& m, const OperandHook& hook, const std::vector<float>& input,
                                         int64_t T, int64_t N, SequenceLayout layout, const std::vector<float>& h0,
                                         const std::vector<float>& c0, const std::vector<int64_t>& lengths,
                                         const std::vector<float>& forced) {
    const RnnConfig& cfg = m.config;
    const int64_t D = cfg.num_directions(), H = cfg.hidden_size, Hout = cfg.output_size(), I = cfg.input_size;
    const bool bf = layout == SequenceLayout::batch_first;
    const auto row = [&](int64_t t, int64_t n) { return bf ? n * T + t : t * N + n; };
    ReferenceResult res;
    res.output.assign(T * N * D * Hout, 0.0);
    res.h_n.assign(D * N * Hout, 0.0);
    if (cfg.mode == Mode::LSTM) res.c_n.assign(D * N * H, 0.0);
    if (cfg.num_layers != 1) return res; // documented: single-layer only
    for (int64_t d = 0; d < D; ++d)
        for (int64_t n = 0; n < N; ++n) {
            const int64_t len = lengths.empty() ? T : lengths[n];
            std::vector<double> h(Hout, 0.0), c(H, 0.0);
            if (!h0.empty()) h.assign(h0.begin() + (d * N + n) * Hout, h0.begin() + (d * N + n + 1) * Hout);
            if (!c0.empty()) c.assign(c0.begin() + (d * N + n) * H, c0.begin() + (d * N + n + 1) * H);
            for (int64_t i = 0; i < len; ++i) {
                const int64_t t = d == 0 ? i : len - 1 - i;
                if (i > 0) { // the engine's state after the previous step of this direction
                    const int64_t prev = d == 0 ? t - 1 : t + 1;
                    const float* e = forced.data() + row(prev, n) * D * Hout + d * Hout;
                    h.assign(e, e + Hout);
                }
                const float* x = input.data() + row(t, n) * I;
                step(m, hook, static_cast<std::size_t>(d), std::vector<double>(x, x + I), h, c);
                std::copy(h.begin(), h.end(), res.output.begin() + row(t, n) * D * Hout + d * Hout);
            }
            std::copy(h.begin(), h.end(), res.h_n.begin() + (d * N + n) * Hout);
            if (!res.c_n.empty()) std::copy(c.begin(), c.end(), res.c_n.begin() + (d * N + n) * H);
        }
    return res;
}

ReferenceResult reference_cell(const ExactWeights& m, const OperandHook& hook, const std::vector<float>& input,
                               int64_t N, const std::vector<float>& hx, const std::vector<float>& cx) {
    ReferenceResult r = reference_forward(m, hook, input, 1, N, SequenceLayout::time_major, hx, cx, {});
    r.output.clear();
    return r;
}

ReferenceResult reference_forward(const ModelWeights& m, const std::vector<float>& input, int64_t T, int64_t N,
                                  SequenceLayout layout, const std::vector<float>& h0, const std::vector<float>& c0,
                                  const std::vector<int64_t>& lengths) {
    return reference_forward(exact_weights(m), OperandHook{}, input, T, N, layout, h0, c0, lengths);
}

ReferenceResult reference_cell(const ModelWeights& m, const std::vector<float>& input, int64_t N,
                               const std::vector<float>& hx, const std::vector<float>& cx) {
    return reference_cell(exact_weights(m), OperandHook{}, input, N, hx, cx);
}

// ---- reduced precision ----

float round_to_bf16(float value) {
    if (std::isnan(value)) return value;
    uint32_t u;
    std::memcpy(&u, &value, sizeof u);
    u += 0x7fffu + ((u >> 16) & 1u); // nearest, ties to even (overflow rounds to infinity, as RNE does)
    u &= 0xffff0000u;
    float out;
    std::memcpy(&out, &u, sizeof out);
    return out;
}

void round_row_to_bf16(std::vector<double>& row) {
    for (double& v : row) v = round_to_bf16(static_cast<float>(v));
}

void quantize_row_int8(std::vector<double>& row) {
    std::vector<float> v(row.begin(), row.end());
    float m = 0.0f;
    for (float x : v) m = std::max(m, std::fabs(x));
    if (m == 0.0f) {
        std::fill(row.begin(), row.end(), 0.0);
        return;
    }
    const float inv = 127.0f / m, scale = m / 127.0f;
    for (std::size_t k = 0; k < v.size(); ++k) {
        const float p = v[k] * inv;
        const float q = std::min(127.0f, std::max(-127.0f, std::nearbyint(p)));
        row[k] = static_cast<double>(q) * static_cast<double>(scale);
    }
}

void quantize_weight_rows(const std::vector<float>& w, int64_t rows, int64_t cols, std::vector<int8_t>& values,
                          std::vector<float>& scales) {
    values.assign(static_cast<std::size_t>(rows * cols), 0);
    scales.assign(static_cast<std::size_t>(rows), 0.0f);
    for (int64_t r = 0; r < rows; ++r) {
        const float* row = w.data() + r * cols;
        float m = 0.0f;
        for (int64_t c = 0; c < cols; ++c) m = std::max(m, std::fabs(row[c]));
        if (m == 0.0f) continue;
        const float scale = m / 127.0f;
        scales[r] = scale;
        for (int64_t c = 0; c < cols; ++c) {
            const float q = std::min(127.0f, std::max(-127.0f, std::nearbyint(row[c] / scale)));
            values[r * cols + c] = static_cast<int8_t>(q);
        }
    }
}

std::vector<double> dequantize_exact(const std::vector<int8_t>& values, const std::vector<float>& scales, int64_t cols) {
    std::vector<double> out(values.size());
    for (std::size_t i = 0; i < values.size(); ++i)
        out[i] = static_cast<double>(values[i]) * static_cast<double>(scales[i / static_cast<std::size_t>(cols)]);
    return out;
}

} // namespace mkldnn_rnn::testing
