// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
#include "packed_weights.hpp"

#include <ATen/ATen.h>

#include <cmath>
#include <iterator>
#include <limits>

#include "tensor_checks.hpp"

namespace mkldnn_rnn::torch_ext {
namespace {

constexpr const char* kWhere = "mkldnn_rnn::PackedWeights";
constexpr const char* kFromFloat = "mkldnn_rnn::PackedWeights.from_float";
constexpr const char* kFromInt8 = "mkldnn_rnn::PackedWeights.from_int8";
constexpr const char* kInt8Weights = "mkldnn_rnn::PackedWeights.int8_weights";
constexpr const char* kSetState = "mkldnn_rnn::PackedWeights.__setstate__";

// Sizes are bounded before anything is computed from them, so that no product of sizes can overflow
// and an absurd size is an error rather than an attempted allocation.
constexpr int64_t kMaxSize = std::numeric_limits<int32_t>::max();

void check_size(const char* op, const char* name, int64_t value, int64_t min) {
    TORCH_CHECK(value >= min && value <= kMaxSize, op, ": ", name, ": expected a value in [", min, ", ", kMaxSize,
                "], got ", value);
}

Mode parse_mode(const char* op, const std::string& name) {
    for (Mode mode : {Mode::LSTM, Mode::GRU, Mode::RNN_TANH, Mode::RNN_RELU})
        if (name == mode_name(mode)) return mode;
    TORCH_CHECK(false, op, ": mode: expected one of LSTM, GRU, RNN_TANH, RNN_RELU, got '", name, "'");
}

// The precision named `name`, or nothing when it names none.
c10::optional<Precision> find_precision(const std::string& name) {
    for (Precision precision : {Precision::fp32, Precision::bf16, Precision::int8})
        if (name == precision_name(precision)) return precision;
    return c10::nullopt;
}

Precision parse_precision(const char* op, const std::string& name) {
    const c10::optional<Precision> precision = find_precision(name);
    TORCH_CHECK(precision.has_value(), op, ": precision: expected one of fp32, bf16, int8, got '", name, "'");
    return *precision;
}

// The checked configuration; the rules between fields (projections are LSTM-only and narrower than
// hidden_size) are the core's.
RnnConfig make_config(const char* op, const std::string& mode, int64_t input_size, int64_t hidden_size,
                      int64_t num_layers, bool bias, bool bidirectional, int64_t proj_size) {
    check_size(op, "input_size", input_size, 1);
    check_size(op, "hidden_size", hidden_size, 1);
    check_size(op, "num_layers", num_layers, 1);
    check_size(op, "proj_size", proj_size, 0);
    RnnConfig config;
    config.mode = parse_mode(op, mode);
    config.input_size = input_size;
    config.hidden_size = hidden_size;
    config.num_layers = num_layers;
    config.bias = bias;
    config.bidirectional = bidirectional;
    config.proj_size = proj_size;
    translate_core_errors([&] { config.validate(); });
    return config;
}

int64_t tensors_per_direction(const RnnConfig& c) { return 2 + (c.bias ? 2 : 0) + (c.proj_size > 0 ? 1 : 0); }
int64_t matrices_per_direction(const RnnConfig& c) { return 2 + (c.proj_size > 0 ? 1 : 0); }

void check_weight_count(const char* op, const RnnConfig& c, size_t given) {
    const int64_t per_direction = tensors_per_direction(c);
    const int64_t expected = c.num_layers * c.num_directions() * per_direction;
    TORCH_CHECK(static_cast<int64_t>(given) == expected, op, ": weights: expected ", expected, " tensors (",
                per_direction, " per layer and direction, in torch.nn's _flat_weights order), got ", given);
}

// PyTorch's parameter names without the layer, forward and reverse direction, for error messages.
struct Roles {
    const char* weight_ih;
    const char* weight_hh;
    const char* bias_ih;
    const char* bias_hh;
    const char* weight_hr;
};
constexpr Roles kRoles[2] = {{"weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr"},
                             {"weight_ih_reverse", "weight_hh_reverse", "bias_ih_reverse", "bias_hh_reverse",
                              "weight_hr_reverse"}};

// Walks torch.nn's _flat_weights order, shapes included: for each layer and direction weight_ih, weight_hh,
// [bias_ih, bias_hh], [weight_hr]. `matrix(role, sizes)` gives the weight matrices in turn, `vector(role,
// sizes)` the biases (Layer is LayerWeights to read them, MutableLayerWeights to write them, or their int8
// twins); returns one Layer per (layer, direction).
template <typename Layer, typename Matrix, typename Vector>
std::vector<Layer> flat_weights(const RnnConfig& c, Matrix&& matrix, Vector&& vector) {
    const int64_t D = c.num_directions(), gates = c.num_gates() * c.hidden_size;
    std::vector<Layer> layers(static_cast<size_t>(c.num_layers * D));
    for (int64_t l = 0; l < c.num_layers; ++l)
        for (int64_t d = 0; d < D; ++d) {
            const Roles& role = kRoles[d];
            Layer& w = layers[l * D + d];
            w.weight_ih = matrix(role.weight_ih, {gates, c.layer_input_size(l)});
            w.weight_hh = matrix(role.weight_hh, {gates, c.output_size()});
            if (c.bias) {
                w.bias_ih = vector(role.bias_ih, {gates});
                w.bias_hh = vector(role.bias_hh, {gates});
            }
            if (c.proj_size > 0) w.weight_hr = matrix(role.weight_hr, {c.proj_size, c.hidden_size});
        }
    return layers;
}

template <typename Layer, typename Array>
std::vector<Layer> flat_weights(const RnnConfig& c, Array&& array) {
    return flat_weights<Layer>(c, array, array);
}

// Checks a weight tensor's device, layout, shape and storage (not its dtype).
void check_weight(const Arg& arg, const at::Tensor& w, c10::IntArrayRef sizes) {
    check_defined(arg, w);
    check_cpu(arg, w);
    check_strided(arg, w);
    check_sizes(arg, w, sizes);
    check_storage_bounds(arg, w);
}

// Reads float weights: each tensor checked, then read by pack() as dense contiguous float32 (a copy only
// where it is not one already; bfloat16, where allowed, is widened exactly). `held` keeps the arrays.
std::vector<LayerWeights> float_weights(const char* op, const RnnConfig& config, const std::vector<at::Tensor>& weights,
                                        bool allow_bf16, std::vector<at::Tensor>& held) {
    check_weight_count(op, config, weights.size());
    held.reserve(weights.size());
    int64_t k = 0;
    auto take = [&](const char* role, c10::IntArrayRef sizes) -> const float* {
        const at::Tensor& w = weights[k];
        const Arg arg{op, "weights", k++, role};
        check_defined(arg, w);
        if (allow_bf16)
            check_dtype(arg, w, at::kFloat, at::kBFloat16);
        else
            check_dtype(arg, w, at::kFloat);
        check_weight(arg, w, sizes);
        at::Tensor data = contiguous_data(w.detach());
        held.push_back(data.scalar_type() == at::kFloat ? data : data.to(at::kFloat));
        return held.back().data_ptr<float>();
    };
    return flat_weights<LayerWeights>(config, take);
}

EngineOptions with_precision(Precision precision) {
    EngineOptions options;
    options.precision = precision;
    return options;
}

} // namespace

PackedWeights::PackedWeights(const std::string& mode, int64_t input_size, int64_t hidden_size, int64_t num_layers,
                             bool bias, bool bidirectional, int64_t proj_size,
                             const std::vector<at::Tensor>& weights) {
    const RnnConfig config = make_config(kWhere, mode, input_size, hidden_size, num_layers, bias, bidirectional,
                                         proj_size);
    std::vector<at::Tensor> held;
    const std::vector<LayerWeights> layers = float_weights(kWhere, config, weights, false, held);
    packed_ = translate_core_errors([&] { return PackedRnn::pack(config, layers); });
}

c10::intrusive_ptr<PackedWeights> PackedWeights::from_float(const std::string& mode, int64_t input_size,
        int64_t hidden_size, int64_t num_layers, bool bias, bool bidirectional, int64_t proj_size,
        const std::vector<at::Tensor>& weights, const std::string& precision) {
    const RnnConfig config = make_config(kFromFloat, mode, input_size, hidden_size, num_layers, bias, bidirectional,
                                         proj_size);
    const EngineOptions options = with_precision(parse_precision(kFromFloat, precision));
    std::vector<at::Tensor> held;
    const std::vector<LayerWeights> layers = float_weights(kFromFloat, config, weights, true, held);
    return c10::make_intrusive<PackedWeights>(
            translate_core_errors([&] { return PackedRnn::pack(config, layers, options); }));
}

c10::intrusive_ptr<PackedWeights> PackedWeights::from_int8(const std::string& mode, int64_t input_size,
        int64_t hidden_size, int64_t num_layers, bool bias, bool bidirectional, int64_t proj_size,
        const std::vector<at::Tensor>& weights, const std::vector<at::Tensor>& scales) {
    const RnnConfig config = make_config(kFromInt8, mode, input_size, hidden_size, num_layers, bias, bidirectional,
                                         proj_size);
    check_weight_count(kFromInt8, config, weights.size());
    const int64_t matrices = config.num_layers * config.num_directions() * matrices_per_direction(config);
    TORCH_CHECK(static_cast<int64_t>(scales.size()) == matrices, kFromInt8, ": scales: expected ", matrices,
                " tensors (one per weight matrix: w_ih, w_hh", config.proj_size > 0 ? ", w_hr" : "",
                " per layer and direction), got ", scales.size());
    std::vector<at::Tensor> held;
    held.reserve(weights.size() + scales.size());
    int64_t k = 0, s = 0;
    // weights[k], checked, as the core reads it (held for the length of pack()).
    auto next_weight = [&](const char* role, c10::IntArrayRef sizes, at::ScalarType dtype) -> const at::Tensor& {
        const at::Tensor& w = weights[k];
        const Arg arg{kFromInt8, "weights", k++, role};
        check_defined(arg, w);
        check_dtype(arg, w, dtype);
        check_weight(arg, w, sizes);
        held.push_back(contiguous_data(w.detach()));
        return held.back();
    };
    auto matrix = [&](const char* role, c10::IntArrayRef sizes) -> Int8Matrix {
        const int8_t* values = next_weight(role, sizes, at::kChar).data_ptr<int8_t>();

        const at::Tensor& scale = scales[s];
        const Arg scale_arg{kFromInt8, "scales", s++, role};
        check_defined(scale_arg, scale);
        check_dtype(scale_arg, scale, at::kFloat);
        check_weight(scale_arg, scale, {sizes[0]});
        held.push_back(contiguous_data(scale.detach()));
        const float* row_scales = held.back().data_ptr<float>();
        for (int64_t r = 0; r < sizes[0]; ++r)
            TORCH_CHECK(std::isfinite(row_scales[r]) && row_scales[r] >= 0, scale_arg,
                        ": expected finite non-negative scales, got ", row_scales[r], " at row ", r);
        return {values, row_scales};
    };
    auto vector = [&](const char* role, c10::IntArrayRef sizes) -> const float* {
        return next_weight(role, sizes, at::kFloat).data_ptr<float>();
    };
    const std::vector<Int8LayerWeights> layers = flat_weights<Int8LayerWeights>(config, matrix, vector);
    return c10::make_intrusive<PackedWeights>(translate_core_errors(
            [&] { return PackedRnn::pack_int8(config, layers, with_precision(Precision::int8)); }));
}

std::vector<at::Tensor> PackedWeights::weights() const {
    std::vector<at::Tensor> out;
    const std::vector<MutableLayerWeights> layers =
            flat_weights<MutableLayerWeights>(config(), [&](const char*, c10::IntArrayRef sizes) {
                out.push_back(at::empty(sizes, at::TensorOptions().dtype(at::kFloat)));
                return out.back().data_ptr<float>();
            });
    for (size_t k = 0; k < layers.size(); ++k) packed_->torch_weights(k, layers[k]);
    return out;
}

std::tuple<std::vector<at::Tensor>, std::vector<at::Tensor>> PackedWeights::int8_weights() const {
    TORCH_CHECK(packed_->precision() == Precision::int8, kInt8Weights,
                ": expected an int8 model, got a model of precision ", precision(),
                " (weights() gives its float32 tensors)");
    std::vector<at::Tensor> out, scales;
    auto matrix = [&](const char*, c10::IntArrayRef sizes) -> MutableInt8Matrix {
        out.push_back(at::empty(sizes, at::TensorOptions().dtype(at::kChar)));
        scales.push_back(at::empty({sizes[0]}, at::TensorOptions().dtype(at::kFloat)));
        return {out.back().data_ptr<int8_t>(), scales.back().data_ptr<float>()};
    };
    auto vector = [&](const char*, c10::IntArrayRef sizes) -> float* {
        out.push_back(at::empty(sizes, at::TensorOptions().dtype(at::kFloat)));
        return out.back().data_ptr<float>();
    };
    const std::vector<MutableInt8LayerWeights> layers = flat_weights<MutableInt8LayerWeights>(config(), matrix, vector);
    for (size_t k = 0; k < layers.size(); ++k) packed_->int8_weights(k, layers[k]);
    return {out, scales};
}

std::vector<std::tuple<int64_t, int64_t, int64_t, int64_t, int64_t, std::string, std::string>> PackedWeights::decisions() const {
    std::vector<std::tuple<int64_t, int64_t, int64_t, int64_t, int64_t, std::string, std::string>> out;
    for (const Decision& d : packed_->decisions())
        out.emplace_back(d.layer, d.direction, d.batch_class, d.threads, d.run_threads,
                         weights_format_name(d.implementation), d.reason);
    return out;
}

void PackedWeights::tune(int64_t max_batch) const {
    translate_core_errors([&] { packed_->tune(max_batch); });
}

PackedWeights::State PackedWeights::state() const {
    std::vector<int64_t> decisions;
    for (const Decision& d : packed_->decisions())
        decisions.insert(decisions.end(), {d.layer, d.direction, d.batch_class, d.threads,
                                           static_cast<int64_t>(d.implementation), d.run_threads});
    std::vector<at::Tensor> tensors, scales;
    switch (packed_->precision()) {
    case Precision::fp32:
        tensors = weights();
        break;
    case Precision::bf16: {
        // The matrices hold bfloat16 values exactly (the rounded weights), so narrowing them is exact;
        // the biases are fp32.
        tensors = weights();
        int64_t k = 0;
        flat_weights<LayerWeights>(
                config(),
                [&](const char*, c10::IntArrayRef) -> const float* {
                    tensors[k] = tensors[k].to(at::kBFloat16);
                    ++k;
                    return nullptr;
                },
                [&](const char*, c10::IntArrayRef) -> const float* {
                    ++k;
                    return nullptr;
                });
        break;
    }
    case Precision::int8:
        std::tie(tensors, scales) = int8_weights();
        break;
    }
    return {state_version, mode(), input_size(), hidden_size(), num_layers(), bias(), bidirectional(), proj_size(),
            tensors, cpu_signature(), decisions, precision(), scales};
}

c10::intrusive_ptr<PackedWeights> PackedWeights::from_state(const c10::IValue& state) {
    static constexpr const char* names[] = {"version", "mode", "input_size", "hidden_size", "num_layers", "bias",
                                            "bidirectional", "proj_size", "weights", "cpu_signature", "decisions",
                                            "precision", "scales"};
    constexpr size_t num_fields = std::tuple_size_v<State>;
    constexpr size_t fields_of_version[] = {0, 9, 11, num_fields, num_fields};
    static_assert(std::size(names) == num_fields);
    static_assert(std::size(fields_of_version) == state_version + 1);
    TORCH_CHECK(state.isTuple(), kSetState, ": state: expected a tuple, got ", state.tagKind());
    const c10::ArrayRef<c10::IValue> f = state.toTupleRef().elements().asArrayRef();
    TORCH_CHECK(!f.empty() && f[0].isInt(), kSetState, ": state[0] (version): expected an int, got ",
                f.empty() ? "an empty tuple" : f[0].tagKind());
    const int64_t version = f[0].toInt();
    TORCH_CHECK(version >= 1 && version <= state_version, kSetState, ": state[0] (version): expected 1, 2, 3 or ",
                state_version, " (the versions this build reads), got ", version);
    const size_t fields = fields_of_version[version];
    TORCH_CHECK(f.size() == fields, kSetState, ": state: expected a tuple of ", fields, " fields for version ",
                version, ", got ", f.size());
    auto expect = [&](size_t i, bool ok, const char* what) {
        TORCH_CHECK(ok, kSetState, ": state[", i, "] (", names[i], "): expected ", what, ", got ", f[i].tagKind());
    };
    expect(1, f[1].isString(), "a str");
    for (size_t i : {2, 3, 4, 7}) expect(i, f[i].isInt(), "an int");
    for (size_t i : {5, 6}) expect(i, f[i].isBool(), "a bool");
    expect(8, f[8].isList(), "a list of tensors");

    auto tensor_list = [&](size_t i) {
        std::vector<at::Tensor> tensors;
        for (const c10::IValue& w : f[i].toListRef()) {
            TORCH_CHECK(w.isTensor(), kSetState, ": state[", i, "] (", names[i], ")[", tensors.size(),
                        "]: expected a Tensor, got ", w.tagKind());
            tensors.push_back(w.toTensor());
        }
        return tensors;
    };
    const std::vector<at::Tensor> weights = tensor_list(8);
    std::vector<Decision> decisions;
    if (version >= 2) {
        expect(9, f[9].isString(), "a str");
        expect(10, f[10].isIntList(), "a list of ints");
        const std::vector<int64_t> flat = f[10].toIntVector();
        const size_t per = version >= 4 ? 6 : 5; // version 4 added run_threads
        TORCH_CHECK(flat.size() % per == 0, kSetState, ": state[10] (decisions): expected ", per,
                    " ints per decision for version ", version, ", got ", flat.size(), " ints");
        // Decisions are measurements of one CPU: elsewhere they are made afresh.
        if (f[9].toStringRef() == cpu_signature())
            for (size_t i = 0; i < flat.size(); i += per) {
                Decision d;
                d.layer = flat[i];
                d.direction = flat[i + 1];
                d.batch_class = flat[i + 2];
                d.threads = flat[i + 3];
                d.implementation = static_cast<WeightsFormat>(flat[i + 4]);
                d.run_threads = per == 6 ? flat[i + 5] : 0; // 0: the class's threads (restore_decisions)
                d.reason = "saved with the model";
                decisions.push_back(d);
            }
    }
    Precision precision = Precision::fp32;
    std::vector<at::Tensor> scales;
    if (version >= 3) {
        expect(11, f[11].isString(), "a str");
        const c10::optional<Precision> named = find_precision(f[11].toStringRef());
        TORCH_CHECK(named.has_value(), kSetState, ": state[11] (precision): expected one of fp32, bf16, int8, got '",
                    f[11].toStringRef(), "'");
        precision = *named;
        expect(12, f[12].isList(), "a list of tensors");
        scales = tensor_list(12);
        TORCH_CHECK(precision == Precision::int8 || scales.empty(), kSetState,
                    ": state[12] (scales): expected an empty list for precision ", precision_name(precision), ", got ",
                    scales.size(), " tensors");
    }
    // The constructor and factories check the values: sizes, mode, and every tensor against them. bf16
    // matrices are bfloat16 tensors holding the packed values, so packing them again rounds nothing.
    const std::string& mode = f[1].toStringRef();
    const int64_t I = f[2].toInt(), H = f[3].toInt(), L = f[4].toInt(), P = f[7].toInt();
    const bool bias = f[5].toBool(), bidirectional = f[6].toBool();
    c10::intrusive_ptr<PackedWeights> packed;
    switch (precision) {
    case Precision::fp32:
        packed = c10::make_intrusive<PackedWeights>(mode, I, H, L, bias, bidirectional, P, weights);
        break;
    case Precision::bf16:
        packed = from_float(mode, I, H, L, bias, bidirectional, P, weights, precision_name(precision));
        break;
    case Precision::int8:
        packed = from_int8(mode, I, H, L, bias, bidirectional, P, weights, scales);
        break;
    }
    translate_core_errors([&] { packed->engine().restore_decisions(decisions); });
    return packed;
}

void register_packed_weights(torch::Library& m) {
    m.class_<PackedWeights>("PackedWeights")
            .def(torch::init<std::string, int64_t, int64_t, int64_t, bool, bool, int64_t, std::vector<at::Tensor>>())
            .def_static("from_float",
                        [](std::string mode, int64_t input_size, int64_t hidden_size, int64_t num_layers, bool bias,
                           bool bidirectional, int64_t proj_size, std::vector<at::Tensor> weights,
                           std::string precision) {
                            return PackedWeights::from_float(mode, input_size, hidden_size, num_layers, bias,
                                                             bidirectional, proj_size, weights, precision);
                        })
            .def_static("from_int8",
                        [](std::string mode, int64_t input_size, int64_t hidden_size, int64_t num_layers, bool bias,
                           bool bidirectional, int64_t proj_size, std::vector<at::Tensor> weights,
                           std::vector<at::Tensor> scales) {
                            return PackedWeights::from_int8(mode, input_size, hidden_size, num_layers, bias,
                                                            bidirectional, proj_size, weights, scales);
                        })
            .def("mode", &PackedWeights::mode)
            .def("input_size", &PackedWeights::input_size)
            .def("hidden_size", &PackedWeights::hidden_size)
            .def("num_layers", &PackedWeights::num_layers)
            .def("bias", &PackedWeights::bias)
            .def("bidirectional", &PackedWeights::bidirectional)
            .def("proj_size", &PackedWeights::proj_size)
            .def("precision", &PackedWeights::precision)
            .def("weights", &PackedWeights::weights)
            .def("int8_weights", &PackedWeights::int8_weights)
            .def("decisions", &PackedWeights::decisions)
            .def("tune", &PackedWeights::tune)
            .def("cached_primitive_count", &PackedWeights::cached_primitive_count)
            .def("weight_bytes", &PackedWeights::weight_bytes)
            // What torch.compile and torch.export trace with (python/mkldnn_rnn/_fake.py): the configuration,
            // which fixes every result's size; the weights stay in the real object.
            .def("__obj_flatten__",
                 [](const c10::intrusive_ptr<PackedWeights>& self) {
                     return std::make_tuple(std::make_tuple(std::string("mode"), self->mode()),
                                            std::make_tuple(std::string("input_size"), self->input_size()),
                                            std::make_tuple(std::string("hidden_size"), self->hidden_size()),
                                            std::make_tuple(std::string("num_layers"), self->num_layers()),
                                            std::make_tuple(std::string("bias"), self->bias()),
                                            std::make_tuple(std::string("bidirectional"), self->bidirectional()),
                                            std::make_tuple(std::string("proj_size"), self->proj_size()),
                                            std::make_tuple(std::string("precision"), self->precision()));
                 })
            .def_pickle([](const c10::intrusive_ptr<PackedWeights>& self) { return self->state(); },
                        // Taking Any rather than State lets a state of the wrong shape reach from_state's
                        // checks instead of failing inside the IValue conversion.
                        [](c10::IValue state) { return PackedWeights::from_state(state); });
}

} // namespace mkldnn_rnn::torch_ext
