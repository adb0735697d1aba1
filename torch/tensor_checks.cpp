// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
#include "tensor_checks.hpp"

namespace mkldnn_rnn::torch_ext {

std::ostream& operator<<(std::ostream& out, const Arg& arg) {
    out << arg.op << ": " << arg.name;
    if (arg.index >= 0) out << '[' << arg.index << ']';
    if (arg.role) out << " (" << arg.role << ')';
    return out;
}

void check_defined(const Arg& arg, const at::Tensor& t) {
    TORCH_CHECK(t.defined(), arg, ": expected a tensor, got an undefined tensor");
}

void check_dtype(const Arg& arg, const at::Tensor& t, at::ScalarType expected) {
    TORCH_CHECK(t.scalar_type() == expected, arg, ": expected dtype ", expected, ", got ", t.scalar_type());
}

void check_dtype(const Arg& arg, const at::Tensor& t, at::ScalarType expected, at::ScalarType alternative) {
    TORCH_CHECK(t.scalar_type() == expected || t.scalar_type() == alternative, arg, ": expected dtype ", expected,
                " or ", alternative, ", got ", t.scalar_type());
}

void check_cpu(const Arg& arg, const at::Tensor& t) {
    TORCH_CHECK(t.device().is_cpu(), arg, ": expected device cpu, got ", t.device());
}

void check_strided(const Arg& arg, const at::Tensor& t) {
    TORCH_CHECK(t.layout() == at::kStrided, arg, ": expected layout Strided, got ", t.layout());
}

void check_storage_bounds(const Arg& arg, const at::Tensor& t) {
    if (t.numel() == 0) return;
    int64_t last = t.storage_offset(); // index of the farthest element, in elements
    for (int64_t d = 0; d < t.dim(); ++d) {
        TORCH_CHECK(t.stride(d) >= 0, arg, ": expected non-negative strides, got ", t.strides());
        last += (t.size(d) - 1) * t.stride(d);
    }
    const auto needed = (static_cast<uint64_t>(last) + 1) * t.element_size();
    // torch.jit.load gives a storage its declared byte size even when the archive's record holds fewer
    // bytes; an empty record leaves no data at all, which is what can be detected here.
    TORCH_CHECK(t.has_storage() && t.storage().data() != nullptr, arg,
                ": expected a tensor with data, got a storage without any (a corrupt or truncated file?)");
    TORCH_CHECK(t.storage_offset() >= 0 && needed <= t.storage().nbytes(), arg,
                ": expected storage of at least ", needed, " bytes for size ", t.sizes(), ", strides ", t.strides(),
                " and offset ", t.storage_offset(), ", got ", t.storage().nbytes(),
                " bytes (a corrupt or truncated file?)");
}

void check_dim(const Arg& arg, const at::Tensor& t, int64_t dim) {
    TORCH_CHECK(t.dim() == dim, arg, ": expected a ", dim, "-D tensor, got a ", t.dim(), "-D tensor of size ",
                t.sizes());
}

void check_sizes(const Arg& arg, const at::Tensor& t, c10::IntArrayRef expected) {
    TORCH_CHECK(t.sizes() == expected, arg, ": expected size ", expected, ", got ", t.sizes());
}

void check_activation(const Arg& arg, const at::Tensor& t) {
    check_defined(arg, t);
    check_dtype(arg, t, at::kFloat, at::kBFloat16);
    check_cpu(arg, t);
    TORCH_CHECK(t.layout() == at::kStrided || t.layout() == at::kMkldnn, arg,
                ": expected layout Strided or Mkldnn, got ", t.layout());
    TORCH_CHECK(!t.requires_grad(), arg,
                ": expected a tensor that does not require grad (inference only; use the original torch.nn "
                "module to train), got requires_grad=True");
}

at::Tensor contiguous_data(const at::Tensor& t) {
    // to_dense() of an mkldnn tensor is already contiguous. is_neg() and contiguous() check flags held
    // by the tensor, so the common case (nothing to do) costs no dispatch.
    if (t.is_mkldnn()) return t.to_dense();
    return (t.is_neg() ? t.resolve_neg() : t).contiguous();
}

at::Tensor activation_data(const at::Tensor& t) {
    at::Tensor data = contiguous_data(t);
    return data.scalar_type() == at::kFloat ? data : data.to(at::kFloat);
}

} // namespace mkldnn_rnn::torch_ext
