// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// The ops mkldnn_rnn::rnn and mkldnn_rnn::cell (docs/torch_contract.md): check the tensors, hand their
// data to the core without copying what is already dense, contiguous float32, and give the results the
// caller's layout and dtype (bfloat16 activations are widened to float32 for the core, exactly, and the
// results narrowed back, whatever the model's precision).
#include <array>
#include <string>
#include <tuple>

#include <ATen/ATen.h>
#include <torch/library.h>
#include <torch/version.h>

#include "packed_weights.hpp"
#include "tensor_checks.hpp"

namespace mkldnn_rnn::torch_ext {
namespace {

constexpr const char* kRnn = "mkldnn_rnn::rnn";
constexpr const char* kCell = "mkldnn_rnn::cell";
constexpr const char* kRnnPacked = "mkldnn_rnn::rnn_packed";

const PackedWeights& checked_weights(const char* op, const c10::intrusive_ptr<PackedWeights>& weights) {
    TORCH_CHECK(weights, op, ": weights: expected a PackedWeights object, got None");
    return *weights;
}

void check_no_cell_state(const char* op, const RnnConfig& config, const c10::optional<at::Tensor>& cx) {
    TORCH_CHECK(config.mode == Mode::LSTM || !given(cx), op, ": cx: expected None for mode ", mode_name(config.mode),
                " (the cell state is LSTM only), got a tensor");
}

// hx or cx as the core reads it (see activation_data), checked; undefined when not given.
at::Tensor state_data(const char* op, const char* name, const c10::optional<at::Tensor>& state,
                      c10::IntArrayRef sizes) {
    if (!given(state)) return {};
    const Arg arg{op, name};
    check_activation(arg, *state);
    check_sizes(arg, *state, sizes);
    return activation_data(*state);
}

// Checked lengths as the core reads them (see contiguous_data), undefined when not given. The values are
// checked here too, so that an out-of-range length is reported against the op, not the core.
at::Tensor lengths_data(const c10::optional<at::Tensor>& lengths, int64_t batch, int64_t seq_len) {
    if (!given(lengths)) return {};
    const Arg arg{kRnn, "lengths"};
    check_dtype(arg, *lengths, at::kLong);
    check_cpu(arg, *lengths);
    check_strided(arg, *lengths);
    check_sizes(arg, *lengths, {batch});
    at::Tensor data = contiguous_data(*lengths);
    const int64_t* length = data.data_ptr<int64_t>();
    for (int64_t n = 0; n < batch; ++n)
        TORCH_CHECK(length[n] >= 1 && length[n] <= seq_len, Arg{kRnn, "lengths", n}, ": expected a value in [1, ",
                    seq_len, "] (the sequence length), got ", length[n]);
    return data;
}

// Not const: the same call serves the core's optional inputs (h0, lengths) and its optional output (c_n).
template <typename T>
T* data_or_null(const at::Tensor& t) {
    return t.defined() ? t.data_ptr<T>() : nullptr;
}

// What the core writes into: dense float32 on the CPU, whatever the input's layout.
at::Tensor new_dense(c10::IntArrayRef sizes) { return at::empty(sizes, at::TensorOptions().dtype(at::kFloat)); }

// What a result looks like to the caller: its dtype (float32 or bfloat16) and layout.
struct Form {
    at::ScalarType dtype;
    bool mkldnn;
};
Form form_of(const at::Tensor& t) { return {t.scalar_type(), t.is_mkldnn()}; }

// The contract's layout (and dtype) rule: new states take the form of hx when it is given, else that of
// the input.
Form states_form(const at::Tensor& input, const c10::optional<at::Tensor>& hx) {
    return form_of(given(hx) ? *hx : input);
}

// The core's dense float32 result in the caller's form: itself for dense float32 (no copy).
at::Tensor in_form(const at::Tensor& dense, Form form) {
    const at::Tensor typed = form.dtype == at::kFloat ? dense : dense.to(form.dtype);
    return form.mkldnn ? typed.to_mkldnn() : typed;
}

// c_n (the cell's c) in the states' form; for GRU and RNN, which have none (undefined), the empty tensor
// the contract returns instead, in the states' dtype (dense: an mkldnn tensor cannot be empty).
at::Tensor cell_state_in_form(const at::Tensor& c_n, Form form) {
    return c_n.defined() ? in_form(c_n, form) : at::empty({0}, at::TensorOptions().dtype(form.dtype));
}

// rnn and rnn_packed differ only in their input (padded or packed) and the core call; what follows is the
// states and results they share, for a batch of N sequences.

// [L*D, N, width]: the sizes of hx and h_n (width H_out), and of cx and c_n (width H).
std::array<int64_t, 3> state_sizes(const RnnConfig& config, int64_t batch, int64_t width) {
    return {config.num_layers * config.num_directions(), batch, width};
}

// hx and cx as the core reads them (see state_data), undefined when not given.
struct InitialStates {
    at::Tensor h0, c0;
};
InitialStates initial_states(const char* op, const RnnConfig& config, const c10::optional<at::Tensor>& hx,
                             const c10::optional<at::Tensor>& cx, int64_t batch) {
    // A braced list is evaluated left to right, so hx is checked before cx.
    return {state_data(op, "hx", hx, state_sizes(config, batch, config.output_size())),
            state_data(op, "cx", cx, state_sizes(config, batch, config.hidden_size))};
}

// What the core writes into (see new_dense); c_n is LSTM only, undefined otherwise.
struct SequenceResults {
    at::Tensor output, h_n, c_n;

    SequenceOutput core() const {
        return {output.data_ptr<float>(), h_n.data_ptr<float>(), data_or_null<float>(c_n)};
    }
    // (output, h_n, c_n) as the op returns them: the output in `output_form`, the states in `state_form`.
    std::tuple<at::Tensor, at::Tensor, at::Tensor> in_forms(Form output_form, Form state_form) const {
        return {in_form(output, output_form), in_form(h_n, state_form), cell_state_in_form(c_n, state_form)};
    }
};

// The output has the input's sizes but for the last (I becomes D*H_out): it keeps a padded input's
// [T, N] or [N, T] order (the core reads and writes either), and a packed one's rows.
SequenceResults new_results(const RnnConfig& config, const at::Tensor& input, int64_t batch) {
    at::DimVector output_sizes(input.sizes());
    output_sizes.back() = config.num_directions() * config.output_size();
    const bool lstm = config.mode == Mode::LSTM;
    return {new_dense(output_sizes), new_dense(state_sizes(config, batch, config.output_size())),
            lstm ? new_dense(state_sizes(config, batch, config.hidden_size)) : at::Tensor()};
}

std::tuple<at::Tensor, at::Tensor, at::Tensor> rnn(const c10::intrusive_ptr<PackedWeights>& packed,
        const at::Tensor& input, const c10::optional<at::Tensor>& hx, const c10::optional<at::Tensor>& cx,
        const c10::optional<at::Tensor>& lengths, bool batch_first) {
    const PackedWeights& weights = checked_weights(kRnn, packed);
    const RnnConfig& config = weights.config();
    const Arg input_arg{kRnn, "input"};
    check_activation(input_arg, input);
    check_dim(input_arg, input, 3);
    const int64_t T = input.size(batch_first ? 1 : 0), N = input.size(batch_first ? 0 : 1);
    TORCH_CHECK(T >= 1 && N >= 1, input_arg, ": expected at least one sequence of at least one step, got size ",
                input.sizes());
    check_sizes(input_arg, input, {input.size(0), input.size(1), config.input_size});
    check_no_cell_state(kRnn, config, cx);
    const InitialStates initial = initial_states(kRnn, config, hx, cx, N);
    const at::Tensor valid_lengths = lengths_data(lengths, N, T);
    const at::Tensor x = activation_data(input);

    const SequenceResults results = new_results(config, input, N);
    SequenceInput in;
    in.input = x.data_ptr<float>();
    in.seq_len = T;
    in.batch = N;
    in.layout = batch_first ? SequenceLayout::batch_first : SequenceLayout::time_major;
    in.h0 = data_or_null<float>(initial.h0);
    in.c0 = data_or_null<float>(initial.c0);
    in.lengths = data_or_null<int64_t>(valid_lengths);
    translate_core_errors([&] { weights.engine().forward(in, results.core()); });
    return results.in_forms(form_of(input), states_form(input, hx));
}

// A PackedSequence's batch_sizes, checked as torch.nn's own packed path does not: 1-D int64 on the CPU,
// positive, non-increasing, and summing to the data's rows. Returns it as the core reads it.
at::Tensor batch_sizes_data(const at::Tensor& batch_sizes, int64_t rows) {
    const Arg arg{kRnnPacked, "batch_sizes"};
    check_defined(arg, batch_sizes);
    check_dtype(arg, batch_sizes, at::kLong);
    check_cpu(arg, batch_sizes);
    check_strided(arg, batch_sizes);
    check_dim(arg, batch_sizes, 1);
    TORCH_CHECK(batch_sizes.size(0) >= 1, arg, ": expected at least one step, got an empty tensor");
    at::Tensor data = contiguous_data(batch_sizes);
    const int64_t* b = data.data_ptr<int64_t>();
    int64_t sum = 0;
    for (int64_t t = 0; t < data.size(0); ++t) {
        TORCH_CHECK(b[t] >= 1, Arg{kRnnPacked, "batch_sizes", t}, ": expected a positive value, got ", b[t]);
        TORCH_CHECK(t == 0 || b[t] <= b[t - 1], Arg{kRnnPacked, "batch_sizes", t},
                    ": expected a value no larger than batch_sizes[", t - 1, "] = ", b[t - 1],
                    " (non-increasing), got ", b[t]);
        sum += b[t];
    }
    TORCH_CHECK(sum == rows, arg, ": expected values summing to the data's ", rows, " rows, got a sum of ", sum);
    return data;
}

std::tuple<at::Tensor, at::Tensor, at::Tensor> rnn_packed(const c10::intrusive_ptr<PackedWeights>& packed,
        const at::Tensor& data, const at::Tensor& batch_sizes, const c10::optional<at::Tensor>& hx,
        const c10::optional<at::Tensor>& cx) {
    const PackedWeights& weights = checked_weights(kRnnPacked, packed);
    const RnnConfig& config = weights.config();
    const Arg data_arg{kRnnPacked, "data"};
    check_activation(data_arg, data);
    check_dim(data_arg, data, 2);
    check_sizes(data_arg, data, {data.size(0), config.input_size});
    check_no_cell_state(kRnnPacked, config, cx);
    const at::Tensor steps = batch_sizes_data(batch_sizes, data.size(0));
    const int64_t N = steps.data_ptr<int64_t>()[0];
    const InitialStates initial = initial_states(kRnnPacked, config, hx, cx, N);
    const at::Tensor x = activation_data(data);

    const SequenceResults results = new_results(config, data, N);
    PackedSequenceInput in;
    in.input = x.data_ptr<float>();
    in.batch_sizes = steps.data_ptr<int64_t>();
    in.seq_len = steps.size(0);
    in.h0 = data_or_null<float>(initial.h0);
    in.c0 = data_or_null<float>(initial.c0);
    translate_core_errors([&] { weights.engine().forward_packed(in, results.core()); });
    // A PackedSequence holds dense data (the output is dense, in data's dtype); the states follow the rule.
    return results.in_forms({data.scalar_type(), false}, states_form(data, hx));
}

std::tuple<at::Tensor, at::Tensor> cell(const c10::intrusive_ptr<PackedWeights>& packed, const at::Tensor& input,
        const c10::optional<at::Tensor>& hx, const c10::optional<at::Tensor>& cx) {
    const PackedWeights& weights = checked_weights(kCell, packed);
    const RnnConfig& config = weights.config();
    TORCH_CHECK(config.num_layers == 1 && !config.bidirectional && config.proj_size == 0, kCell,
                ": weights: expected a cell (num_layers 1, unidirectional, proj_size 0), got ", config.to_string());
    const Arg input_arg{kCell, "input"};
    check_activation(input_arg, input);
    check_dim(input_arg, input, 2);
    const int64_t N = input.size(0);
    TORCH_CHECK(N >= 1, input_arg, ": expected a batch of at least one, got size ", input.sizes());
    check_sizes(input_arg, input, {N, config.input_size});
    check_no_cell_state(kCell, config, cx);

    const bool lstm = config.mode == Mode::LSTM;
    const int64_t H = config.hidden_size;
    const at::Tensor h0 = state_data(kCell, "hx", hx, {N, H});
    const at::Tensor c0 = state_data(kCell, "cx", cx, {N, H});
    const at::Tensor x = activation_data(input);

    at::Tensor h = new_dense({N, H});
    at::Tensor c = lstm ? new_dense({N, H}) : at::Tensor();
    const CellInput in{x.data_ptr<float>(), N, data_or_null<float>(h0), data_or_null<float>(c0)};
    const CellOutput out{h.data_ptr<float>(), data_or_null<float>(c)};
    translate_core_errors([&] { weights.engine().cell_forward(in, out); });

    const Form state_form = states_form(input, hx);
    return {in_form(h, state_form), cell_state_in_form(c, state_form)};
}

// The instructions the fused kernel's inner products use for `precision` on this CPU (PackedRnn's
// kernel_isa): what a test or a benchmark reports beside its figures, and how a test sees
// MKLDNN_RNN_MAX_ISA's cap take effect.
// How an op's kernel is registered. torch 1.13: catch-all (CompositeImplicitAutograd), which every
// backend reaches, strided, mkldnn and meta alike (the checks refuse meta tensors). torch 2.x:
// CompositeExplicitAutograd, the same kernel for every backend but not decomposed when tracing, so that
// fake and meta tensors reach the ops' fake kernels (python/mkldnn_rnn/_fake.py) for torch.compile and
// torch.export. Inference only either way: the kernels refuse inputs that require grad.
template <typename Kernel>
auto kernel(Kernel* fn) {
#if TORCH_VERSION_MAJOR >= 2
    return torch::dispatch(c10::DispatchKey::CompositeExplicitAutograd, fn);
#else
    return fn;
#endif
}

std::string kernel_isa_op(const std::string& precision) {
    for (Precision p : {Precision::fp32, Precision::bf16, Precision::int8})
        if (precision == precision_name(p)) return translate_core_errors([&] { return std::string(kernel_isa(p)); });
    TORCH_CHECK(false, "mkldnn_rnn::kernel_isa: precision: expected one of fp32, bf16, int8, got '", precision, "'");
}

} // namespace
} // namespace mkldnn_rnn::torch_ext

TORCH_LIBRARY(mkldnn_rnn, m) {
    using namespace mkldnn_rnn::torch_ext;
    // The class first: the op schemas below name its type.
    register_packed_weights(m);
    m.def("rnn(__torch__.torch.classes.mkldnn_rnn.PackedWeights weights, Tensor input, Tensor? hx, Tensor? cx, "
          "Tensor? lengths, bool batch_first) -> (Tensor output, Tensor h_n, Tensor c_n)",
          kernel(rnn));
    // A PackedSequence's data and batch_sizes as they are, no padding (rnn with lengths stays for models
    // saved by release 0.1.0, whose code pads).
    m.def("rnn_packed(__torch__.torch.classes.mkldnn_rnn.PackedWeights weights, Tensor data, Tensor batch_sizes, "
          "Tensor? hx, Tensor? cx) -> (Tensor output, Tensor h_n, Tensor c_n)",
          kernel(rnn_packed));
    m.def("cell(__torch__.torch.classes.mkldnn_rnn.PackedWeights weights, Tensor input, Tensor? hx, Tensor? cx) "
          "-> (Tensor h, Tensor c)",
          kernel(cell));
    m.def("kernel_isa(str precision) -> str", kernel_isa_op);
}
