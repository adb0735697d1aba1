// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// Where oneDNN 2.x (2.6 and later: Debian 12) and 3.x (Debian 13's 3.7, upstream) differ, for backend.cpp
// alone: 3.0 removed the operation descriptors (primitive descriptors take the engine and the memory
// descriptors directly) and made memory::desc opaque (queries in place of its public fields and
// operator bool). Everything else the backend uses is the same in both.
#pragma once

#include <oneapi/dnnl/dnnl.hpp>

namespace mkldnn_rnn::detail::onednn {

using md = dnnl::memory::desc;

// Whether a descriptor describes nothing (an absent argument).
inline bool is_zero(const md& d) {
#if DNNL_VERSION_MAJOR >= 3
    return d.is_zero();
#else
    return !d;
#endif
}

inline dnnl::memory::dims dims_of(const md& d) {
#if DNNL_VERSION_MAJOR >= 3
    return d.get_dims();
#else
    return d.dims();
#endif
}

// The descriptors of one forward-inference RNN primitive (absent ones zero).
struct RnnDescs {
    dnnl::rnn_direction direction;
    md src_layer, src_iter, src_iter_c, weights_layer, weights_iter, weights_projection, bias, dst_layer, dst_iter,
            dst_iter_c;
};

inline dnnl::lstm_forward::primitive_desc lstm_pd(const dnnl::engine& e, const RnnDescs& d,
        const dnnl::primitive_attr& attr) {
    const auto inference = dnnl::prop_kind::forward_inference;
#if DNNL_VERSION_MAJOR >= 3
    return {e, inference, d.direction, d.src_layer, d.src_iter, d.src_iter_c, d.weights_layer, d.weights_iter, md(),
            d.weights_projection, d.bias, d.dst_layer, d.dst_iter, d.dst_iter_c, attr};
#else
    const dnnl::lstm_forward::desc desc(inference, d.direction, d.src_layer, d.src_iter, d.src_iter_c,
            d.weights_layer, d.weights_iter, md(), d.weights_projection, d.bias, d.dst_layer, d.dst_iter, d.dst_iter_c);
    return {desc, attr, e};
#endif
}

inline dnnl::lbr_gru_forward::primitive_desc lbr_gru_pd(const dnnl::engine& e, const RnnDescs& d,
        const dnnl::primitive_attr& attr) {
    const auto inference = dnnl::prop_kind::forward_inference;
#if DNNL_VERSION_MAJOR >= 3
    return {e, inference, d.direction, d.src_layer, d.src_iter, d.weights_layer, d.weights_iter, d.bias, d.dst_layer,
            d.dst_iter, attr};
#else
    const dnnl::lbr_gru_forward::desc desc(inference, d.direction, d.src_layer, d.src_iter, d.weights_layer,
            d.weights_iter, d.bias, d.dst_layer, d.dst_iter);
    return {desc, attr, e};
#endif
}

inline dnnl::vanilla_rnn_forward::primitive_desc vanilla_rnn_pd(const dnnl::engine& e, dnnl::algorithm activation,
        const RnnDescs& d, const dnnl::primitive_attr& attr) {
    const auto inference = dnnl::prop_kind::forward_inference;
#if DNNL_VERSION_MAJOR >= 3
    return {e, inference, activation, d.direction, d.src_layer, d.src_iter, d.weights_layer, d.weights_iter, d.bias,
            d.dst_layer, d.dst_iter, attr};
#else
    const dnnl::vanilla_rnn_forward::desc desc(inference, activation, d.direction, d.src_layer, d.src_iter,
            d.weights_layer, d.weights_iter, d.bias, d.dst_layer, d.dst_iter);
    return {desc, attr, e};
#endif
}

} // namespace mkldnn_rnn::detail::onednn
