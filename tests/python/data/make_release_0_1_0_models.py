# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""Wrote release_0_1_0_models.pt with mkldnn_rnn 0.1.0 (commit 7696d71): a scripted model of every
module kind, its inputs and the outputs 0.1.0 gave. Kept to show how the fixture was made; it is run
against that release only (test_release_compat.py loads the file with the current one).

    git checkout 7696d71 && make build && \
    PYTHONPATH=python /usr/bin/python3 tests/python/data/make_release_0_1_0_models.py
"""
from pathlib import Path
from typing import Tuple

import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence

import mkldnn_rnn


class EveryKind(nn.Module):
    """An LSTM with projection (bidirectional, batch_first), a GRU on a PackedSequence, an RNN and a cell."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(5, 8, num_layers=2, bidirectional=True, batch_first=True, proj_size=3)
        self.gru = nn.GRU(5, 7)
        self.rnn = nn.RNN(5, 6, nonlinearity="relu", bias=False)
        self.cell = nn.LSTMCell(5, 4)

    def forward(self, x: Tensor, lengths: Tensor) -> Tuple[Tensor, Tensor, Tensor, Tensor, Tensor, Tensor]:
        lstm_out, (lstm_h, _) = self.lstm(x)
        gru_out, gru_h = self.gru(pack_padded_sequence(x.transpose(0, 1), lengths, enforce_sorted=False))
        rnn_out, _ = self.rnn(x.transpose(0, 1))
        cell_h, _ = self.cell(x[:, 0])
        return lstm_out, lstm_h, gru_out.data, gru_h, rnn_out, cell_h


def main():
    torch.manual_seed(0)
    model = EveryKind().eval()
    x, lengths = torch.randn(3, 6, 5), torch.tensor([6, 2, 4])
    scripted = torch.jit.script(mkldnn_rnn.to_mkldnn(model))
    with torch.no_grad():
        outputs = scripted(x, lengths)
    here = Path(__file__).resolve().parent
    torch.jit.save(scripted, str(here / "release_0_1_0_models.pt"))
    torch.save({"inputs": (x, lengths), "outputs": outputs, "state_dict": model.state_dict()},
               str(here / "release_0_1_0_io.pt"))


if __name__ == "__main__":
    main()
