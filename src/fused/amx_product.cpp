// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
#include "fused/amx_product.hpp"

#include "platform/targets.hpp" // first: it includes <immintrin.h>

#include "platform/cpu_features.hpp"
#include "platform/isa.hpp"

namespace mkldnn_rnn::detail {
namespace {

// LDTILECFG's 64-byte operand (palette 1).
struct alignas(64) TileConfig {
    uint8_t palette = 1, start_row = 0;
    uint8_t reserved[14] = {};
    uint16_t colsb[16] = {};
    uint8_t rows[16] = {};
};

// Tiles: 0-3 the gates' sums (C), 4 a full slice of 16 k groups of x (A: 32 bf16 or 64 int8 values), 5
// its weights (B), 6 and 7 the same for the last slice when the groups are not a multiple of 16. GCC's tile intrinsics paste their tile numbers into
// the instruction text, so they are macros, not constants.
#define MKLDNN_RNN_TILE_A 4
#define MKLDNN_RNN_TILE_B 5
#define MKLDNN_RNN_TILE_TAIL_A 6
#define MKLDNN_RNN_TILE_TAIL_B 7

// The shape the calling thread's tiles have: reloaded only when rows or the tail change.
struct Configured {
    int rows = 0, tail_groups = -1;
};
thread_local Configured configured;

MKLDNN_RNN_AMX void configure(int rows, int tail_groups) {
    if (configured.rows == rows && configured.tail_groups == tail_groups) return;
    TileConfig c;
    for (int t = 0; t < 4; ++t) {
        c.rows[t] = static_cast<uint8_t>(rows);
        c.colsb[t] = 64;
    }
    c.rows[MKLDNN_RNN_TILE_A] = static_cast<uint8_t>(rows);
    c.colsb[MKLDNN_RNN_TILE_A] = 64;
    c.rows[MKLDNN_RNN_TILE_B] = 16;
    c.colsb[MKLDNN_RNN_TILE_B] = 64;
    if (tail_groups > 0) {
        c.rows[MKLDNN_RNN_TILE_TAIL_A] = static_cast<uint8_t>(rows);
        c.colsb[MKLDNN_RNN_TILE_TAIL_A] = static_cast<uint16_t>(4 * tail_groups);
        c.rows[MKLDNN_RNN_TILE_TAIL_B] = static_cast<uint8_t>(tail_groups);
        c.colsb[MKLDNN_RNN_TILE_TAIL_B] = 64;
    }
    _tile_loadconfig(&c);
    configured = {rows, tail_groups};
}

// The products of all slices into the gates' sums (tiles 0..G-1, started by the caller). One k group is 4
// bytes in both layouts (a bf16 pair, an int8 quad), so slices, tails and strides are the same;
// DP is the instruction, _tile_dpbf16ps or _tile_dpbusd.
#define MKLDNN_RNN_SLICE(gate, a, b, DP)                                                   \
    do {                                                                                   \
        _tile_loadd(b, ws + (gate) * 64, w_stride);                                        \
        DP(gate, a, b);                                                                    \
    } while (0)
#define MKLDNN_RNN_SLICES(DP)                                                                              \
    do {                                                                                                   \
        for (int64_t s = 0; s * 16 < groups; ++s) {                                                        \
            const char* ws = reinterpret_cast<const char*>(w) + s * 16 * w_stride;                      \
            if (s == full) {                                                                               \
                _tile_loadd(MKLDNN_RNN_TILE_TAIL_A, xs + s * 64, x_stride);                                \
                MKLDNN_RNN_SLICE(0, MKLDNN_RNN_TILE_TAIL_A, MKLDNN_RNN_TILE_TAIL_B, DP);                   \
                if (G > 1) MKLDNN_RNN_SLICE(1, MKLDNN_RNN_TILE_TAIL_A, MKLDNN_RNN_TILE_TAIL_B, DP);        \
                if (G > 2) MKLDNN_RNN_SLICE(2, MKLDNN_RNN_TILE_TAIL_A, MKLDNN_RNN_TILE_TAIL_B, DP);        \
                if (G > 3) MKLDNN_RNN_SLICE(3, MKLDNN_RNN_TILE_TAIL_A, MKLDNN_RNN_TILE_TAIL_B, DP);        \
            } else {                                                                                       \
                _tile_loadd(MKLDNN_RNN_TILE_A, xs + s * 64, x_stride);                                     \
                MKLDNN_RNN_SLICE(0, MKLDNN_RNN_TILE_A, MKLDNN_RNN_TILE_B, DP);                             \
                if (G > 1) MKLDNN_RNN_SLICE(1, MKLDNN_RNN_TILE_A, MKLDNN_RNN_TILE_B, DP);                  \
                if (G > 2) MKLDNN_RNN_SLICE(2, MKLDNN_RNN_TILE_A, MKLDNN_RNN_TILE_B, DP);                  \
                if (G > 3) MKLDNN_RNN_SLICE(3, MKLDNN_RNN_TILE_A, MKLDNN_RNN_TILE_B, DP);                  \
            }                                                                                              \
        }                                                                                                  \
    } while (0)

// The gates' sums out of tiles 0..G-1, gate g at byte 64 g of each row.
MKLDNN_RNN_AMX void store_sums(int G, void* out, std::size_t out_stride) {
    char* o = static_cast<char*>(out);
    _tile_stored(0, o, out_stride);
    if (G > 1) _tile_stored(1, o + 64, out_stride);
    if (G > 2) _tile_stored(2, o + 128, out_stride);
    if (G > 3) _tile_stored(3, o + 192, out_stride);
}

} // namespace

bool amx_available(Precision precision) {
    return isa_for(precision) == Isa::avx512_core_amx && amx_tiles_granted();
}

MKLDNN_RNN_AMX void amx_bf16_product(const uint16_t* w, int64_t groups, int G, const TileStart* start, const void* x,
        std::size_t x_stride, int rows, float* out, std::size_t out_stride) {
    const int64_t full = groups / 16;
    configure(rows, static_cast<int>(groups % 16));
    const std::size_t w_stride = static_cast<std::size_t>(G) * 64; // bytes from one k group to the next
#define MKLDNN_RNN_START(gate)                                                            \
    do {                                                                                  \
        if (start[gate].rows) _tile_loadd(gate, start[gate].rows, start[gate].stride);   \
        else _tile_zero(gate);                                                            \
    } while (0)
    MKLDNN_RNN_START(0);
    if (G > 1) MKLDNN_RNN_START(1);
    if (G > 2) MKLDNN_RNN_START(2);
    if (G > 3) MKLDNN_RNN_START(3);
#undef MKLDNN_RNN_START
    const char* xs = static_cast<const char*>(x);
    MKLDNN_RNN_SLICES(_tile_dpbf16ps);
    store_sums(G, out, out_stride);
}

MKLDNN_RNN_AMX void amx_int8_product(const int8_t* w, int64_t groups, int G, const void* x, std::size_t x_stride,
        int rows, int32_t* out, std::size_t out_stride) {
    const int64_t full = groups / 16;
    configure(rows, static_cast<int>(groups % 16));
    const std::size_t w_stride = static_cast<std::size_t>(G) * 64;
    _tile_zero(0);
    if (G > 1) _tile_zero(1);
    if (G > 2) _tile_zero(2);
    if (G > 3) _tile_zero(3);
    const char* xs = static_cast<const char*>(x);
    MKLDNN_RNN_SLICES(_tile_dpbusd);
    store_sums(G, out, out_stride);
}

} // namespace mkldnn_rnn::detail
