// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
#include "packed_weights.hpp"

#include <ATen/ATen.h>

#include <iterator>
#include <limits>

#include "tensor_checks.hpp"

namespace mkldnn_rnn::torch_ext {
namespace {

constexpr const char* kWhere = "mkldnn_rnn::PackedWeights";
constexpr const char* kSetState = "mkldnn_rnn::PackedWeights.__setstate__";

// Sizes are bounded before anything is computed from them, so that no product of sizes can overflow
// and an absurd size is an error rather than an attempted allocation.
constexpr int64_t kMaxSize = std::numeric_limits<int32_t>::max();

void check_size(const char* name, int64_t value, int64_t min) {
    TORCH_CHECK(value >= min && value <= kMaxSize, kWhere, ": ", name, ": expected a value in [", min, ", ",
                kMaxSize, "], got ", value);
}

Mode parse_mode(const std::string& name) {
    for (Mode mode : {Mode::LSTM, Mode::GRU, Mode::RNN_TANH, Mode::RNN_RELU})
        if (name == mode_name(mode)) return mode;
    TORCH_CHECK(false, kWhere, ": mode: expected one of LSTM, GRU, RNN_TANH, RNN_RELU, got '", name, "'");
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
// [bias_ih, bias_hh], [weight_hr]. `array(role, sizes)` gives the pointer for each in turn (Layer is
// LayerWeights to read them, MutableLayerWeights to write them); returns one Layer per (layer, direction).
template <typename Layer, typename Array>
std::vector<Layer> flat_weights(const RnnConfig& c, Array&& array) {
    const int64_t D = c.num_directions(), gates = c.num_gates() * c.hidden_size;
    std::vector<Layer> layers(static_cast<size_t>(c.num_layers * D));
    for (int64_t l = 0; l < c.num_layers; ++l)
        for (int64_t d = 0; d < D; ++d) {
            const Roles& role = kRoles[d];
            Layer& w = layers[l * D + d];
            w.weight_ih = array(role.weight_ih, {gates, c.layer_input_size(l)});
            w.weight_hh = array(role.weight_hh, {gates, c.output_size()});
            if (c.bias) {
                w.bias_ih = array(role.bias_ih, {gates});
                w.bias_hh = array(role.bias_hh, {gates});
            }
            if (c.proj_size > 0) w.weight_hr = array(role.weight_hr, {c.proj_size, c.hidden_size});
        }
    return layers;
}

} // namespace

PackedWeights::PackedWeights(const std::string& mode, int64_t input_size, int64_t hidden_size, int64_t num_layers,
                             bool bias, bool bidirectional, int64_t proj_size,
                             const std::vector<at::Tensor>& weights) {
    check_size("input_size", input_size, 1);
    check_size("hidden_size", hidden_size, 1);
    check_size("num_layers", num_layers, 1);
    check_size("proj_size", proj_size, 0);
    RnnConfig config;
    config.mode = parse_mode(mode);
    config.input_size = input_size;
    config.hidden_size = hidden_size;
    config.num_layers = num_layers;
    config.bias = bias;
    config.bidirectional = bidirectional;
    config.proj_size = proj_size;
    // The rules between fields (projections are LSTM-only and narrower than hidden_size) are the core's.
    translate_core_errors([&] { config.validate(); });

    const int64_t D = config.num_directions();
    const int64_t per_direction = 2 + (bias ? 2 : 0) + (proj_size > 0 ? 1 : 0);
    const int64_t expected = num_layers * D * per_direction;
    TORCH_CHECK(static_cast<int64_t>(weights.size()) == expected, kWhere, ": weights: expected ", expected,
                " tensors (", per_direction, " per layer and direction, in torch.nn's _flat_weights order), got ",
                weights.size());

    // Each tensor is checked, then read by pack() as dense contiguous data (a copy only where it is not).
    std::vector<at::Tensor> held;
    held.reserve(weights.size());
    int64_t k = 0;
    auto take = [&](const char* role, c10::IntArrayRef sizes) -> const float* {
        const at::Tensor& w = weights[k];
        const Arg arg{kWhere, "weights", k++, role};
        check_defined(arg, w);
        check_dtype(arg, w, at::kFloat);
        check_cpu(arg, w);
        check_strided(arg, w);
        check_sizes(arg, w, sizes);
        check_storage_bounds(arg, w);
        held.push_back(contiguous_data(w.detach()));
        return held.back().data_ptr<float>();
    };
    const std::vector<LayerWeights> layers = flat_weights<LayerWeights>(config, take);
    packed_ = translate_core_errors([&] { return PackedRnn::pack(config, layers); });
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

std::vector<std::tuple<int64_t, int64_t, int64_t, int64_t, std::string, std::string>> PackedWeights::decisions() const {
    std::vector<std::tuple<int64_t, int64_t, int64_t, int64_t, std::string, std::string>> out;
    for (const Decision& d : packed_->decisions())
        out.emplace_back(d.layer, d.direction, d.batch_class, d.threads, weights_format_name(d.implementation), d.reason);
    return out;
}

void PackedWeights::tune(int64_t max_batch) const {
    translate_core_errors([&] { packed_->tune(max_batch); });
}

PackedWeights::State PackedWeights::state() const {
    std::vector<int64_t> decisions;
    for (const Decision& d : packed_->decisions())
        decisions.insert(decisions.end(), {d.layer, d.direction, d.batch_class, d.threads,
                                           static_cast<int64_t>(d.implementation)});
    return {state_version, mode(), input_size(), hidden_size(), num_layers(), bias(), bidirectional(), proj_size(),
            weights(), cpu_signature(), decisions};
}

c10::intrusive_ptr<PackedWeights> PackedWeights::from_state(const c10::IValue& state) {
    static constexpr const char* names[] = {"version", "mode", "input_size", "hidden_size", "num_layers", "bias",
                                            "bidirectional", "proj_size", "weights", "cpu_signature", "decisions"};
    constexpr size_t num_fields = std::tuple_size_v<State>, version_1_fields = 9;
    static_assert(std::size(names) == num_fields);
    TORCH_CHECK(state.isTuple(), kSetState, ": state: expected a tuple, got ", state.tagKind());
    const c10::ArrayRef<c10::IValue> f = state.toTupleRef().elements().asArrayRef();
    TORCH_CHECK(!f.empty() && f[0].isInt(), kSetState, ": state[0] (version): expected an int, got ",
                f.empty() ? "an empty tuple" : f[0].tagKind());
    const int64_t version = f[0].toInt();
    TORCH_CHECK(version == 1 || version == state_version, kSetState, ": state[0] (version): expected 1 or ",
                state_version, " (the versions this build reads), got ", version);
    const size_t fields = version == 1 ? version_1_fields : num_fields;
    TORCH_CHECK(f.size() == fields, kSetState, ": state: expected a tuple of ", fields, " fields for version ",
                version, ", got ", f.size());
    auto expect = [&](size_t i, bool ok, const char* what) {
        TORCH_CHECK(ok, kSetState, ": state[", i, "] (", names[i], "): expected ", what, ", got ", f[i].tagKind());
    };
    expect(1, f[1].isString(), "a str");
    for (size_t i : {2, 3, 4, 7}) expect(i, f[i].isInt(), "an int");
    for (size_t i : {5, 6}) expect(i, f[i].isBool(), "a bool");
    expect(8, f[8].isList(), "a list of tensors");

    std::vector<at::Tensor> weights;
    for (const c10::IValue& w : f[8].toListRef()) {
        TORCH_CHECK(w.isTensor(), kSetState, ": state[8] (weights)[", weights.size(), "]: expected a Tensor, got ",
                    w.tagKind());
        weights.push_back(w.toTensor());
    }
    std::vector<Decision> decisions;
    if (version >= 2) {
        expect(9, f[9].isString(), "a str");
        expect(10, f[10].isIntList(), "a list of ints");
        const std::vector<int64_t> flat = f[10].toIntVector();
        TORCH_CHECK(flat.size() % 5 == 0, kSetState, ": state[10] (decisions): expected 5 ints per decision, got ",
                    flat.size(), " ints");
        // Decisions are measurements of one CPU: elsewhere they are made afresh.
        if (f[9].toStringRef() == cpu_signature())
            for (size_t i = 0; i < flat.size(); i += 5) {
                Decision d;
                d.layer = flat[i];
                d.direction = flat[i + 1];
                d.batch_class = flat[i + 2];
                d.threads = flat[i + 3];
                d.implementation = static_cast<WeightsFormat>(flat[i + 4]);
                d.reason = "saved with the model";
                decisions.push_back(d);
            }
    }
    // The constructor checks the values: sizes, mode, and every tensor against them.
    auto packed = c10::make_intrusive<PackedWeights>(f[1].toStringRef(), f[2].toInt(), f[3].toInt(), f[4].toInt(),
                                                     f[5].toBool(), f[6].toBool(), f[7].toInt(), weights);
    translate_core_errors([&] { packed->engine().restore_decisions(decisions); });
    return packed;
}

void register_packed_weights(torch::Library& m) {
    m.class_<PackedWeights>("PackedWeights")
            .def(torch::init<std::string, int64_t, int64_t, int64_t, bool, bool, int64_t, std::vector<at::Tensor>>())
            .def("mode", &PackedWeights::mode)
            .def("input_size", &PackedWeights::input_size)
            .def("hidden_size", &PackedWeights::hidden_size)
            .def("num_layers", &PackedWeights::num_layers)
            .def("bias", &PackedWeights::bias)
            .def("bidirectional", &PackedWeights::bidirectional)
            .def("proj_size", &PackedWeights::proj_size)
            .def("weights", &PackedWeights::weights)
            .def("decisions", &PackedWeights::decisions)
            .def("tune", &PackedWeights::tune)
            .def("cached_primitive_count", &PackedWeights::cached_primitive_count)
            .def("weight_bytes", &PackedWeights::weight_bytes)
            .def_pickle([](const c10::intrusive_ptr<PackedWeights>& self) { return self->state(); },
                        // Taking Any rather than State lets a state of the wrong shape reach from_state's
                        // checks instead of failing inside the IValue conversion.
                        [](c10::IValue state) { return PackedWeights::from_state(state); });
}

} // namespace mkldnn_rnn::torch_ext
