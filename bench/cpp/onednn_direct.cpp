// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// oneDNN's RNN primitive called directly, the way a user wiring oneDNN by hand would: one forward-
// inference primitive created once, every memory object created once, the weights reordered once when
// the primitive wants another layout, then execute + wait in a loop. It does not use mkldnn_rnn: it is
// the peer that tells how much of a Python call is the kernel itself.
//
//   onednn_direct --mode lstm|gru|rnn --T 15 --batch 1 --input 250 --hidden 200 --weights any|ldigo
//                 [--seconds 0.3 --repeats 7 --warmup 0.3]     threads: OMP_NUM_THREADS
//
// --weights any is the naive choice (oneDNN picks its preferred, blocked layout and the implementation
// that goes with it); --weights ldigo keeps PyTorch-like plain weights, which selects another
// implementation. Which one is faster depends on the shape (docs/performance.md). It builds against
// oneDNN 2.x (operation descriptors) and 3.x (primitive descriptors made from the engine directly).
#include <oneapi/dnnl/dnnl.hpp>

#include <unordered_map>

#include "bench_common.hpp"

namespace {

using dnnl::memory;
using tag = memory::format_tag;

struct Built {
    dnnl::primitive primitive;
    dnnl::rnn_primitive_desc_base pd;
};

template <class Primitive, class... DescArgs>
Built build(const dnnl::engine& engine, DescArgs&&... args) {
#if DNNL_VERSION_MAJOR >= 3
    const typename Primitive::primitive_desc pd(engine, std::forward<DescArgs>(args)...);
#else
    const typename Primitive::desc desc(std::forward<DescArgs>(args)...);
    const typename Primitive::primitive_desc pd(desc, engine);
#endif
    return {Primitive(pd), pd};
}

// Creates the primitive for the shape. PyTorch's GRU is oneDNN's linear-before-reset GRU.
Built build_primitive(const dnnl::engine& engine, const bench::Shape& s, tag weights_tag) {
    const auto f32 = memory::data_type::f32;
    const memory::dim G = s.gates(), bias_gates = s.mode == "gru" ? 4 : G;
    const memory::desc src({s.steps, s.batch, s.input}, f32, tag::tnc);
    const memory::desc state({1, 1, s.batch, s.hidden}, f32, tag::ldnc);
    const memory::desc w_layer({1, 1, s.input, G, s.hidden}, f32, weights_tag);
    const memory::desc w_iter({1, 1, s.hidden, G, s.hidden}, f32, weights_tag);
    const memory::desc bias({1, 1, bias_gates, s.hidden}, f32, tag::ldgo);
    const memory::desc dst({s.steps, s.batch, s.hidden}, f32, tag::tnc);
    const auto inference = dnnl::prop_kind::forward_inference;
    const auto l2r = dnnl::rnn_direction::unidirectional_left2right;
    if (s.mode == "lstm")
        return build<dnnl::lstm_forward>(engine, inference, l2r, src, state, state, w_layer, w_iter, bias, dst,
                                         state, state);
    if (s.mode == "gru")
        return build<dnnl::lbr_gru_forward>(engine, inference, l2r, src, state, w_layer, w_iter, bias, dst, state);
    return build<dnnl::vanilla_rnn_forward>(engine, inference, dnnl::algorithm::eltwise_tanh, l2r, src, state,
                                            w_layer, w_iter, bias, dst, state);
}

// A memory of `desc` holding `values` (given in `values_tag`), reordered once if the layouts differ.
memory weights_memory(const dnnl::engine& engine, dnnl::stream& stream, const memory::desc& desc,
                      std::vector<float>& values, tag values_tag) {
#if DNNL_VERSION_MAJOR >= 3
    const memory::dims dims = desc.get_dims();
#else
    const memory::dims dims = desc.dims();
#endif
    memory plain({dims, memory::data_type::f32, values_tag}, engine, values.data());
    if (plain.get_desc() == desc) return plain;
    memory wanted(desc, engine);
    dnnl::reorder(plain, wanted).execute(stream, plain, wanted);
    stream.wait();
    return wanted;
}

void run(bench::Flags& flags) {
    const bench::Shape shape(flags);
    const std::string weights = flags.get("weights", std::string("any"));
    const bench::Protocol protocol(flags);
    flags.check_all_used();
    if (weights != "any" && weights != "ldigo")
        throw std::runtime_error("--weights: expected any or ldigo, got " + weights);

    const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
    dnnl::stream stream(engine);
    const Built built = build_primitive(engine, shape, weights == "any" ? tag::any : tag::ldigo);
    const auto& pd = built.pd;

    // Weights start plain (ldigo), as they come out of a framework; a blocked layout may be padded.
    const float scale = 1.0f / std::sqrt(static_cast<float>(shape.hidden));
    auto w_layer = bench::random_floats(shape.input * shape.gates() * shape.hidden, scale, 1);
    auto w_iter = bench::random_floats(shape.hidden * shape.gates() * shape.hidden, scale, 2);
    auto bias = bench::random_floats(pd.bias_desc().get_size() / sizeof(float), scale, 3);
    auto src = bench::random_floats(pd.src_layer_desc().get_size() / sizeof(float), 1.0f, 4);

    // Zero initial states, as a call without (h0, c0) has; the final states are written out.
    std::unordered_map<int, memory> args = {
            {DNNL_ARG_SRC_LAYER, memory(pd.src_layer_desc(), engine, src.data())},
            {DNNL_ARG_SRC_ITER, memory(pd.src_iter_desc(), engine)},
            {DNNL_ARG_WEIGHTS_LAYER, weights_memory(engine, stream, pd.weights_layer_desc(), w_layer, tag::ldigo)},
            {DNNL_ARG_WEIGHTS_ITER, weights_memory(engine, stream, pd.weights_iter_desc(), w_iter, tag::ldigo)},
            {DNNL_ARG_BIAS, memory(pd.bias_desc(), engine, bias.data())},
            {DNNL_ARG_DST_LAYER, memory(pd.dst_layer_desc(), engine)},
            {DNNL_ARG_DST_ITER, memory(pd.dst_iter_desc(), engine)},
    };
    if (shape.mode == "lstm") {
        args.emplace(DNNL_ARG_SRC_ITER_C, memory(pd.src_iter_c_desc(), engine));
        args.emplace(DNNL_ARG_DST_ITER_C, memory(pd.dst_iter_c_desc(), engine));
    }
    for (const int arg : {DNNL_ARG_SRC_ITER, DNNL_ARG_SRC_ITER_C}) {
        const auto it = args.find(arg);
        if (it == args.end()) continue;
        auto* data = static_cast<float*>(it->second.get_data_handle());
        std::fill(data, data + it->second.get_desc().get_size() / sizeof(float), 0.0f);
    }

    const bench::Rate rate = bench::measure_rate([&] {
        built.primitive.execute(stream, args);
        stream.wait();
    }, protocol);

    auto fields = shape.fields();
    fields.insert(fields.end(), {{"bench", bench::quoted("onednn_direct")}, {"weights", bench::quoted(weights)},
                                 {"impl", bench::quoted(pd.impl_info_str())}});
    bench::print_result(rate, fields);
}

} // namespace

int main(int argc, char** argv) {
    return bench::run_main("onednn_direct", [&] {
        bench::Flags flags(argc, argv);
        run(flags);
    });
}
