// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// All oneDNN 2.x calls of the library. See onednn_backend.hpp.
#include "onednn_backend.hpp"

#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include <omp.h>
#include <oneapi/dnnl/dnnl.hpp>

#include "workspace.hpp"

namespace mkldnn_rnn::detail {
namespace {

using md = dnnl::memory::desc;
using tag = dnnl::memory::format_tag;
constexpr auto f32 = dnnl::memory::data_type::f32;

const dnnl::engine& cpu_engine() {
    static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
    return engine;
}

// dnnl::stream is not safe to share between threads that execute at once; one per thread.
const dnnl::stream& thread_stream() {
    thread_local const dnnl::stream stream(cpu_engine());
    return stream;
}

md sequence_md(int64_t steps, int64_t batch, int64_t channels, int64_t stride_t, int64_t stride_n) {
    return md({steps, batch, channels}, f32, dnnl::memory::dims{stride_t, stride_n, 1});
}

md state_md(int64_t batch, int64_t channels) { return md({1, 1, batch, channels}, f32, tag::ldnc); }

md weights_md(int64_t channels, int64_t gates, int64_t hidden, tag format) {
    return md({1, 1, channels, gates, hidden}, f32, format);
}

md projection_md(int64_t hidden, int64_t proj, tag format) { return md({1, 1, hidden, proj}, f32, format); }

dnnl::memory owned_copy(const md& desc, const std::vector<float>& values) {
    dnnl::memory m(desc, cpu_engine());
    std::memcpy(m.get_data_handle(), values.data(), values.size() * sizeof(float));
    return m;
}

dnnl::memory reordered(const dnnl::memory& from, const md& to) {
    dnnl::memory out(to, cpu_engine());
    dnnl::stream stream(cpu_engine());
    dnnl::reorder(from, out).execute(stream, const_cast<dnnl::memory&>(from), out);
    stream.wait();
    return out;
}

} // namespace

int backend_max_threads() { return omp_get_max_threads(); }

// ---------------------------------------------------------------------------------------------------
struct LayerWeightsMemory::Impl {
    // The weights in one set of layouts; projection is empty without proj_size.
    struct Layouts {
        dnnl::memory layer, iter, projection;
    };

    Layouts plain;
    dnnl::memory bias; // oneDNN takes the bias in ldgo only

    // Layouts asked for by primitives created with format_tag::any, with the descriptors they were
    // asked for (kept here: memory::get_desc() copies a descriptor out of oneDNN on every call, which
    // cost ~1% of an LSTM T=1 step in this lookup). A handful at most in practice (oneDNN's choice
    // depends on whether steps == 1 and on the ISA); bounded all the same.
    struct Other {
        md layer_desc, iter_desc, projection_desc;
        Layouts layouts;
    };
    static constexpr std::size_t max_other_layouts = 4;
    std::mutex mutex;
    std::vector<Other> others;

    Layouts in_layouts(const md& layer, const md& iter, const md& projection) {
        std::lock_guard<std::mutex> lock(mutex);
        for (const Other& o : others)
            if (o.layer_desc == layer && o.iter_desc == iter && o.projection_desc == projection) return o.layouts;
        Other made{layer, iter, projection,
                   {reordered(plain.layer, layer), reordered(plain.iter, iter),
                    projection ? reordered(plain.projection, projection) : dnnl::memory()}};
        if (others.size() == max_other_layouts) others.erase(others.begin());
        others.push_back(made);
        return made.layouts;
    }
};

LayerWeightsMemory::LayerWeightsMemory(const RnnConfig& config, int64_t layer, const PlainLayerWeights& plain)
    : impl_(std::make_unique<Impl>()) {
    const int64_t G = config.num_gates(), H = config.hidden_size;
    impl_->plain.layer = owned_copy(weights_md(config.layer_input_size(layer), G, H, tag::ldigo), plain.layer);
    impl_->plain.iter = owned_copy(weights_md(config.output_size(), G, H, tag::ldigo), plain.iter);
    if (config.proj_size > 0)
        impl_->plain.projection = owned_copy(projection_md(H, config.proj_size, tag::ldio), plain.projection);
    impl_->bias = owned_copy(md({1, 1, bias_gates(config), H}, f32, tag::ldgo), plain.bias);
}

LayerWeightsMemory::~LayerWeightsMemory() = default;

LayerWeightsMemory::Plain LayerWeightsMemory::plain() const {
    auto data = [](const dnnl::memory& m) { return m ? static_cast<const float*>(m.get_data_handle()) : nullptr; };
    return {data(impl_->plain.layer), data(impl_->plain.iter), data(impl_->bias), data(impl_->plain.projection)};
}

// ---------------------------------------------------------------------------------------------------
struct RnnPrimitive::Impl {
    // The memory objects one execution binds; handles are re-pointed per call, never reallocated.
    struct Slot {
        dnnl::memory src_layer, src_iter, src_iter_c, dst_layer, dst_iter, dst_iter_c, scratchpad;
    };

    dnnl::primitive primitive;
    bool lstm = false;
    bool plain_weights = true; // the primitive reads the plain ldigo/ldio weights as packed
    md weights_layer, weights_iter, weights_projection, scratchpad;
    md src_layer, src_iter, src_iter_c, dst_layer, dst_iter, dst_iter_c;

    std::mutex pool_mutex;
    std::vector<std::unique_ptr<Slot>> free_slots;
    std::size_t slot_count = 0;

    std::unique_ptr<Slot> acquire() {
        {
            std::lock_guard<std::mutex> lock(pool_mutex);
            if (!free_slots.empty()) {
                std::unique_ptr<Slot> slot = std::move(free_slots.back());
                free_slots.pop_back();
                return slot;
            }
            ++slot_count;
            free_slots.reserve(slot_count); // so release() never allocates
        }
        const auto& e = cpu_engine();
        auto unbound = [&](const md& d) { return d ? dnnl::memory(d, e, DNNL_MEMORY_NONE) : dnnl::memory(); };
        return std::unique_ptr<Slot>(new Slot{unbound(src_layer), unbound(src_iter), unbound(src_iter_c),
                unbound(dst_layer), unbound(dst_iter), unbound(dst_iter_c), unbound(scratchpad)});
    }

    void release(std::unique_ptr<Slot> slot) {
        std::lock_guard<std::mutex> lock(pool_mutex);
        free_slots.push_back(std::move(slot));
    }
};

RnnPrimitive::RnnPrimitive(const PrimitiveKey& key) : impl_(std::make_unique<Impl>()) {
    Impl& p = *impl_;
    const auto mode = static_cast<Mode>(key.mode);
    const auto direction = static_cast<Direction>(key.direction) == Direction::left_to_right
            ? dnnl::rnn_direction::unidirectional_left2right
            : dnnl::rnn_direction::unidirectional_right2left;
    const bool plain = static_cast<WeightsFormat>(key.weights_format) == WeightsFormat::plain_ldigo;
    const int64_t H = key.hidden, out = key.proj > 0 ? key.proj : key.hidden;
    int64_t gates = 1;
    if (mode == Mode::LSTM) gates = 4;
    if (mode == Mode::GRU) gates = 3;
    const int64_t bias_gates = mode == Mode::GRU ? 4 : gates;

    p.lstm = mode == Mode::LSTM;
    p.src_layer = sequence_md(key.steps, key.batch, key.src_channels, key.src_stride_t, key.src_stride_n);
    p.dst_layer = sequence_md(key.steps, key.batch, out, key.dst_stride_t, key.dst_stride_n);
    p.src_iter = p.dst_iter = state_md(key.batch, out);
    if (p.lstm) p.src_iter_c = p.dst_iter_c = state_md(key.batch, H);
    const md w_layer = weights_md(key.src_channels, gates, H, plain ? tag::ldigo : tag::any);
    const md w_iter = weights_md(out, gates, H, plain ? tag::ldigo : tag::any);
    const md w_proj = key.proj > 0 ? projection_md(H, key.proj, plain ? tag::ldio : tag::any) : md();
    const md bias({1, 1, bias_gates, H}, f32, tag::ldgo);

    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user); // scratchpad from the caller's workspace
    const auto inference = dnnl::prop_kind::forward_inference;
    const auto& engine = cpu_engine();

    // Pulls the weights layouts the primitive settled on out of whichever primitive_desc was built.
    auto adopt = [&](const auto& pd) {
        p.weights_layer = pd.weights_layer_desc();
        p.weights_iter = pd.weights_iter_desc();
        p.scratchpad = pd.scratchpad_desc();
        p.primitive = dnnl::primitive(pd);
    };
    try {
        switch (mode) {
            case Mode::LSTM: {
                dnnl::lstm_forward::desc d(inference, direction, p.src_layer, p.src_iter, p.src_iter_c, w_layer,
                        w_iter, md(), w_proj, bias, p.dst_layer, p.dst_iter, p.dst_iter_c);
                dnnl::lstm_forward::primitive_desc pd(d, attr, engine);
                adopt(pd);
                if (key.proj > 0) p.weights_projection = pd.weights_projection_desc();
                break;
            }
            case Mode::GRU: {
                dnnl::lbr_gru_forward::desc d(inference, direction, p.src_layer, p.src_iter, w_layer, w_iter,
                        bias, p.dst_layer, p.dst_iter);
                adopt(dnnl::lbr_gru_forward::primitive_desc(d, attr, engine));
                break;
            }
            case Mode::RNN_TANH:
            case Mode::RNN_RELU: {
                const auto activation = mode == Mode::RNN_TANH ? dnnl::algorithm::eltwise_tanh
                                                               : dnnl::algorithm::eltwise_relu;
                dnnl::vanilla_rnn_forward::desc d(inference, activation, direction, p.src_layer, p.src_iter,
                        w_layer, w_iter, bias, p.dst_layer, p.dst_iter);
                adopt(dnnl::vanilla_rnn_forward::primitive_desc(d, attr, engine));
                break;
            }
        }
    } catch (const dnnl::error& e) {
        throw std::runtime_error(std::string("mkldnn_rnn: oneDNN could not create the ") + mode_name(mode)
                + " primitive for steps=" + std::to_string(key.steps) + " batch=" + std::to_string(key.batch)
                + ": " + e.what());
    }
    p.plain_weights = plain;
}

RnnPrimitive::~RnnPrimitive() = default;

void RnnPrimitive::execute(const RnnCallArgs& args, const LayerPack& weights, Workspace& workspace) const {
    Impl& p = *impl_;
    LayerWeightsMemory::Impl& w = weights.onednn->impl();
    const LayerWeightsMemory::Impl::Layouts layouts = p.plain_weights
            ? w.plain
            : w.in_layouts(p.weights_layer, p.weights_iter, p.weights_projection);

    struct SlotReturn { // hands the slot back to the pool even when execution throws
        Impl& p;
        std::unique_ptr<Impl::Slot> slot;
        ~SlotReturn() { p.release(std::move(slot)); }
    } held{p, p.acquire()};
    Impl::Slot& s = *held.slot;

    // oneDNN takes non-const handles; inputs are only read.
    s.src_layer.set_data_handle(const_cast<float*>(args.src_layer));
    s.src_iter.set_data_handle(const_cast<float*>(args.src_iter));
    s.dst_layer.set_data_handle(args.dst_layer);
    s.dst_iter.set_data_handle(args.dst_iter);
    if (p.lstm) {
        s.src_iter_c.set_data_handle(const_cast<float*>(args.src_iter_c));
        s.dst_iter_c.set_data_handle(args.dst_iter_c);
    }
    s.scratchpad.set_data_handle(workspace.scratchpad(p.scratchpad.get_size()));

    // The C entry point: the C++ execute() builds a std::unordered_map of arguments on every call.
    dnnl_exec_arg_t exec_args[11];
    int n = 0;
    auto add = [&](int arg, const dnnl::memory& m) { exec_args[n++] = {arg, m.get()}; };
    add(DNNL_ARG_SRC_LAYER, s.src_layer);
    add(DNNL_ARG_SRC_ITER, s.src_iter);
    add(DNNL_ARG_WEIGHTS_LAYER, layouts.layer);
    add(DNNL_ARG_WEIGHTS_ITER, layouts.iter);
    add(DNNL_ARG_BIAS, w.bias);
    add(DNNL_ARG_DST_LAYER, s.dst_layer);
    add(DNNL_ARG_DST_ITER, s.dst_iter);
    add(DNNL_ARG_SCRATCHPAD, s.scratchpad);
    if (p.lstm) {
        add(DNNL_ARG_SRC_ITER_C, s.src_iter_c);
        add(DNNL_ARG_DST_ITER_C, s.dst_iter_c);
        if (layouts.projection) add(DNNL_ARG_WEIGHTS_PROJECTION, layouts.projection);
    }
    const dnnl::stream& stream = thread_stream();
    dnnl_status_t status = dnnl_primitive_execute(p.primitive.get(), stream.get(), n, exec_args);
    if (status == dnnl_success) status = dnnl_stream_wait(stream.get());
    if (status != dnnl_success)
        throw std::runtime_error("mkldnn_rnn: oneDNN RNN execution failed with status " + std::to_string(status));
}

} // namespace mkldnn_rnn::detail
