// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// All oneDNN calls of the library, against oneDNN 2.6+ and 3.x alike (api_version.hpp). See backend.hpp.
#include "onednn/backend.hpp"

#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include <omp.h>
#include <oneapi/dnnl/dnnl.hpp>

#include "onednn/api_version.hpp"

#include "util/workspace.hpp"

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

md sequence_md(int64_t steps, int64_t batch, int64_t channels) { return md({steps, batch, channels}, f32, tag::tnc); }

md state_md(int64_t batch, int64_t channels) { return md({1, 1, batch, channels}, f32, tag::ldnc); }

md weights_md(int64_t channels, int64_t gates, int64_t hidden, tag format) {
    return md({1, 1, channels, gates, hidden}, f32, format);
}

md projection_md(int64_t hidden, int64_t proj, tag format) { return md({1, 1, hidden, proj}, f32, format); }

md bias_md(Mode mode, int64_t H) { return md({1, 1, bias_gate_count(mode), H}, f32, tag::ldgo); }

} // namespace

int backend_max_threads() { return omp_get_max_threads(); }

ThreadCap::ThreadCap(int threads) {
    const int now = omp_get_max_threads();
    if (threads >= 1 && threads < now) {
        previous_ = now;
        omp_set_num_threads(threads);
    }
}

ThreadCap::~ThreadCap() {
    if (previous_ > 0) omp_set_num_threads(previous_);
}

void warm_backend() {
    static std::once_flag once;
    std::call_once(once, [] {
        // Any f32 GEMM that reaches oneDNN's JIT driver generates them all; 16 x 16 x 16 does.
        constexpr int n = 16;
        std::vector<float> a(n * n, 0.0f), c(n * n);
        if (dnnl_sgemm('N', 'N', n, n, n, 1.0f, a.data(), n, a.data(), n, 0.0f, c.data(), n) != dnnl_success)
            throw std::runtime_error("mkldnn_rnn: oneDNN's sgemm failed while generating its kernels");
    });
}

// ---------------------------------------------------------------------------------------------------
struct RnnPrimitive::Impl {
    // The memory objects one execution binds; handles are re-pointed per call, never reallocated.
    struct Slot {
        dnnl::memory src_layer, src_iter, src_iter_c, dst_layer, dst_iter, dst_iter_c, scratchpad;
        dnnl::memory weights_layer, weights_iter, weights_projection, bias;
    };

    dnnl::primitive primitive;
    bool lstm = false;
    md weights_layer, weights_iter, weights_projection, bias, scratchpad;
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
        auto unbound = [&](const md& d) { return onednn::is_zero(d) ? dnnl::memory() : dnnl::memory(d, e, DNNL_MEMORY_NONE); };
        return std::unique_ptr<Slot>(new Slot{unbound(src_layer), unbound(src_iter), unbound(src_iter_c),
                unbound(dst_layer), unbound(dst_iter), unbound(dst_iter_c), unbound(scratchpad),
                unbound(weights_layer), unbound(weights_iter), unbound(weights_projection), unbound(bias)});
    }

    void release(std::unique_ptr<Slot> slot) {
        std::lock_guard<std::mutex> lock(pool_mutex);
        free_slots.push_back(std::move(slot));
    }
};

RnnPrimitive::RnnPrimitive(const PrimitiveDims& k) : impl_(std::make_unique<Impl>()) {
    Impl& p = *impl_;
    const auto direction = k.reverse ? dnnl::rnn_direction::unidirectional_right2left
                                     : dnnl::rnn_direction::unidirectional_left2right;
    const int64_t H = k.H, out = k.P > 0 ? k.P : k.H, gates = gate_count(k.mode);
    const tag w_tag = k.plain_weights ? tag::ldigo : tag::any;

    p.lstm = k.mode == Mode::LSTM;
    p.src_layer = sequence_md(k.steps, k.batch, k.C);
    p.dst_layer = sequence_md(k.steps, k.batch, out);
    p.src_iter = p.dst_iter = state_md(k.batch, out);
    if (p.lstm) p.src_iter_c = p.dst_iter_c = state_md(k.batch, H);
    const md w_layer = weights_md(k.C, gates, H, w_tag);
    const md w_iter = weights_md(out, gates, H, w_tag);
    const md w_proj = k.P > 0 ? projection_md(H, k.P, k.plain_weights ? tag::ldio : tag::any) : md();
    p.bias = bias_md(k.mode, H);

    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user); // scratchpad from the caller's workspace
    const auto& engine = cpu_engine();
    const onednn::RnnDescs descs{direction, p.src_layer, p.src_iter, p.src_iter_c, w_layer, w_iter, w_proj, p.bias,
                                 p.dst_layer, p.dst_iter, p.dst_iter_c};

    // Pulls the weights layouts the primitive settled on out of whichever primitive_desc was built.
    auto adopt = [&](const auto& pd) {
        p.weights_layer = pd.weights_layer_desc();
        p.weights_iter = pd.weights_iter_desc();
        p.scratchpad = pd.scratchpad_desc();
        p.primitive = dnnl::primitive(pd);
    };
    try {
        switch (k.mode) {
            case Mode::LSTM: {
                const auto pd = onednn::lstm_pd(engine, descs, attr);
                adopt(pd);
                if (k.P > 0) p.weights_projection = pd.weights_projection_desc();
                break;
            }
            case Mode::GRU: {
                adopt(onednn::lbr_gru_pd(engine, descs, attr));
                break;
            }
            case Mode::RNN_TANH:
            case Mode::RNN_RELU: {
                const auto activation = k.mode == Mode::RNN_TANH ? dnnl::algorithm::eltwise_tanh
                                                                 : dnnl::algorithm::eltwise_relu;
                adopt(onednn::vanilla_rnn_pd(engine, activation, descs, attr));
                break;
            }
        }
    } catch (const dnnl::error& e) {
        throw std::runtime_error(std::string("mkldnn_rnn: oneDNN could not create the ") + mode_name(k.mode)
                + " primitive for steps=" + std::to_string(k.steps) + " batch=" + std::to_string(k.batch)
                + ": " + e.what());
    }
}

RnnPrimitive::~RnnPrimitive() = default;

void RnnPrimitive::prepare_slot() const { impl_->release(impl_->acquire()); }

void RnnPrimitive::execute(const RnnCallArgs& args, const WeightPointers& weights, Workspace& workspace) const {
    Impl& p = *impl_;
    struct SlotReturn { // hands the slot back to the pool even when execution throws
        Impl& p;
        std::unique_ptr<Impl::Slot> slot;
        ~SlotReturn() { p.release(std::move(slot)); }
    } held{p, p.acquire()};
    Impl::Slot& s = *held.slot;

    // oneDNN takes non-const handles; inputs and weights are only read.
    s.src_layer.set_data_handle(const_cast<float*>(args.src_layer));
    s.src_iter.set_data_handle(const_cast<float*>(args.src_iter));
    s.dst_layer.set_data_handle(args.dst_layer);
    s.dst_iter.set_data_handle(args.dst_iter);
    s.weights_layer.set_data_handle(const_cast<float*>(weights.layer));
    s.weights_iter.set_data_handle(const_cast<float*>(weights.iter));
    s.bias.set_data_handle(const_cast<float*>(weights.bias));
    if (p.lstm) {
        s.src_iter_c.set_data_handle(const_cast<float*>(args.src_iter_c));
        s.dst_iter_c.set_data_handle(args.dst_iter_c);
        if (s.weights_projection) s.weights_projection.set_data_handle(const_cast<float*>(weights.projection));
    }
    s.scratchpad.set_data_handle(workspace.scratchpad(p.scratchpad.get_size()));

    // The C entry point: the C++ execute() builds a std::unordered_map of arguments on every call.
    dnnl_exec_arg_t exec_args[11];
    int n = 0;
    auto add = [&](int arg, const dnnl::memory& m) { exec_args[n++] = {arg, m.get()}; };
    add(DNNL_ARG_SRC_LAYER, s.src_layer);
    add(DNNL_ARG_SRC_ITER, s.src_iter);
    add(DNNL_ARG_WEIGHTS_LAYER, s.weights_layer);
    add(DNNL_ARG_WEIGHTS_ITER, s.weights_iter);
    add(DNNL_ARG_BIAS, s.bias);
    add(DNNL_ARG_DST_LAYER, s.dst_layer);
    add(DNNL_ARG_DST_ITER, s.dst_iter);
    add(DNNL_ARG_SCRATCHPAD, s.scratchpad);
    if (p.lstm) {
        add(DNNL_ARG_SRC_ITER_C, s.src_iter_c);
        add(DNNL_ARG_DST_ITER_C, s.dst_iter_c);
        if (s.weights_projection) add(DNNL_ARG_WEIGHTS_PROJECTION, s.weights_projection);
    }
    const dnnl::stream& stream = thread_stream();
    dnnl_status_t status = dnnl_primitive_execute(p.primitive.get(), stream.get(), n, exec_args);
    if (status == dnnl_success) status = dnnl_stream_wait(stream.get());
    if (status != dnnl_success)
        throw std::runtime_error("mkldnn_rnn: oneDNN RNN execution failed with status " + std::to_string(status));
}

// ---------------------------------------------------------------------------------------------------
struct PreferredLayouts::Impl {
    // One set of layouts with the descriptors it was made for (kept here: memory::get_desc() copies a
    // descriptor out of oneDNN on every call, which cost ~1% of an LSTM T=1 step in this lookup).
    struct Layouts {
        md layer_desc, iter_desc, projection_desc;
        dnnl::memory layer, iter, projection;
    };
    static constexpr std::size_t max_layouts = 4;
    mutable std::mutex mutex;
    std::vector<std::shared_ptr<const Layouts>> layouts;
};

PreferredLayouts::PreferredLayouts() : impl_(std::make_unique<Impl>()) {}
PreferredLayouts::~PreferredLayouts() = default;

WeightPointers PreferredLayouts::for_primitive(const RnnPrimitive& primitive, const PlainWeights& plain) const {
    const RnnPrimitive::Impl& p = primitive.impl();
    auto data = [](const dnnl::memory& m) { return m ? static_cast<const float*>(m.get_data_handle()) : nullptr; };
    std::lock_guard<std::mutex> lock(impl_->mutex);
    for (const auto& l : impl_->layouts)
        if (l->layer_desc == p.weights_layer && l->iter_desc == p.weights_iter && l->projection_desc == p.weights_projection)
            return {data(l->layer), data(l->iter), plain.bias.data(), data(l->projection), l};

    const auto& engine = cpu_engine();
    dnnl::stream stream(engine);
    // A reorder from the plain arrays, which are read only (oneDNN takes non-const handles).
    auto reordered = [&](const float* from, const md& from_desc, const md& to) {
        dnnl::memory src(from_desc, engine, const_cast<float*>(from));
        dnnl::memory out(to, engine);
        dnnl::reorder(src, out).execute(stream, src, out);
        return out;
    };
    const dnnl::memory::dims wl = onednn::dims_of(p.weights_layer);
    const dnnl::memory::dims wi = onednn::dims_of(p.weights_iter);
    auto made = std::make_shared<Impl::Layouts>(Impl::Layouts{p.weights_layer, p.weights_iter, p.weights_projection,
                       reordered(plain.layer.data(), weights_md(wl[2], wl[3], wl[4], tag::ldigo), p.weights_layer),
                       reordered(plain.iter.data(), weights_md(wi[2], wi[3], wi[4], tag::ldigo), p.weights_iter),
                       {}});
    if (!onednn::is_zero(p.weights_projection)) {
        const dnnl::memory::dims wp = onednn::dims_of(p.weights_projection);
        made->projection = reordered(plain.projection.data(), projection_md(wp[2], wp[3], tag::ldio), p.weights_projection);
    }
    stream.wait();
    if (impl_->layouts.size() == Impl::max_layouts) impl_->layouts.erase(impl_->layouts.begin());
    impl_->layouts.push_back(made);
    return {data(made->layer), data(made->iter), plain.bias.data(), data(made->projection), made};
}

void PreferredLayouts::clear() {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->layouts.clear();
}

std::size_t PreferredLayouts::bytes() const {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    std::size_t total = 0;
    for (const auto& l : impl_->layouts)
        total += l->layer_desc.get_size() + l->iter_desc.get_size() + l->projection_desc.get_size();
    return total;
}

} // namespace mkldnn_rnn::detail
