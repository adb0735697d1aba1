// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// Argument checks shared by the ops and PackedWeights. A failed check is a c10::Error (RuntimeError in
// Python) whose message names the op, the argument, what was expected and what was given:
//   "mkldnn_rnn::rnn: hx: expected size [2, 3, 20], got [1, 3, 20]"
// Messages are formatted only when a check fails, so the passing path is a few comparisons.
#pragma once

#include <cstdint>
#include <ostream>

#include <ATen/core/Tensor.h>
#include <c10/util/Exception.h>
#include <c10/util/Optional.h>

#include "mkldnn_rnn/error.hpp"

namespace mkldnn_rnn::torch_ext {

// An argument as messages name it: "<op>: <name>", "<op>: <name>[<index>]" for an entry of a list,
// followed by " (<role>)" when the entry has one, e.g. "mkldnn_rnn::PackedWeights: weights[3] (bias_hh)".
struct Arg {
    const char* op;
    const char* name;
    int64_t index = -1;
    const char* role = nullptr;
};
std::ostream& operator<<(std::ostream& out, const Arg& arg);

void check_defined(const Arg& arg, const at::Tensor& t);
void check_dtype(const Arg& arg, const at::Tensor& t, at::ScalarType expected);
// Either of two dtypes: "expected dtype Float or BFloat16, got Half".
void check_dtype(const Arg& arg, const at::Tensor& t, at::ScalarType expected, at::ScalarType alternative);
void check_cpu(const Arg& arg, const at::Tensor& t);
void check_strided(const Arg& arg, const at::Tensor& t);
// The tensor has data, and every element its sizes, strides and offset reach lies inside its storage. A
// tensor built by torch's own API always passes; one unpickled from a corrupt file (an empty or
// truncated storage record) may not, and reading it would crash.
void check_storage_bounds(const Arg& arg, const at::Tensor& t);
void check_dim(const Arg& arg, const at::Tensor& t, int64_t dim);
// The exact size; also checks the number of dimensions.
void check_sizes(const Arg& arg, const at::Tensor& t, c10::IntArrayRef expected);

// An activation (input, hx, cx): float32 or bfloat16 on the CPU, strided or mkldnn layout, not requiring
// grad.
void check_activation(const Arg& arg, const at::Tensor& t);

// `t`'s values as a dense contiguous tensor that the core can read through data_ptr: `t` itself when
// it already is one, else a copy. Mkldnn tensors are made dense, and negative views (is_neg(), e.g.
// from torch._neg_view) are materialised, because data_ptr would read them with the wrong sign.
at::Tensor contiguous_data(const at::Tensor& t);

// A checked activation as the core reads it: contiguous_data(t), widened to float32 (exactly) when it
// is bfloat16. A dense contiguous float32 tensor is returned as it is, without a copy.
at::Tensor activation_data(const at::Tensor& t);

// An optional tensor argument counts as given when present and defined (C++ callers may pass either).
inline bool given(const c10::optional<at::Tensor>& t) { return t.has_value() && t->defined(); }

// Runs a call into the torch-free core, turning its mkldnn_rnn::Error into a c10::Error with the same
// message, so that Python and TorchScript see the usual RuntimeError.
template <typename Fn>
decltype(auto) translate_core_errors(Fn&& fn) {
    try {
        return fn();
    } catch (const mkldnn_rnn::Error& e) {
        TORCH_CHECK(false, e.what());
    }
}

} // namespace mkldnn_rnn::torch_ext
