// Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
// Umbrella header of the torch-free core: PyTorch recurrent networks on oneDNN.
#pragma once

#include "mkldnn_rnn/config.hpp"
#include "mkldnn_rnn/error.hpp"
#include "mkldnn_rnn/packed_rnn.hpp"
#include "mkldnn_rnn/sequences.hpp"
#include "mkldnn_rnn/types.hpp"
#include "mkldnn_rnn/weights.hpp"
