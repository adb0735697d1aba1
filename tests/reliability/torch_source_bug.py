#!/usr/bin/env python3
# Copyright 2026 The mkldnn_rnn authors. Licensed under the Apache License 2.0.
"""Shows the torch 1.13 bug behind `fuzz_models.py --seed 2`'s one crash (zip#3941), without mkldnn_rnn:
a scripted plain nn.Linear, saved, with `__buffers__` misspelled in its code/__torch__.py, re-zipped
with valid CRCs. torch.jit.load raises a parse error whose text is read from stale memory: run it a few
times and the message changes ("option is not a valid Expr", "is an Atom", ...); after enough other
work in one process the same read segfaults, as it did in the fuzzer's child.

    /usr/bin/python3 tests/reliability/torch_source_bug.py
"""
import io
import zipfile

import torch


class Plain(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(3, 2)

    def forward(self, x):
        return self.linear(x)


def main():
    saved = io.BytesIO()
    torch.jit.save(torch.jit.script(Plain()), saved)
    source = zipfile.ZipFile(saved)
    edited = io.BytesIO()
    with zipfile.ZipFile(edited, "w", zipfile.ZIP_STORED) as z:
        for info in source.infolist():
            content = source.read(info)
            if info.filename.endswith("code/__torch__.py"):
                content = content.replace(b"__buffers__", b"__bufders__", 1)
            z.writestr(info, content)
    for attempt in range(5):
        try:
            torch.jit.load(io.BytesIO(edited.getvalue()))
            print(f"attempt {attempt}: loaded")
        except RuntimeError as exc:
            print(f"attempt {attempt}: RuntimeError: {str(exc).strip().splitlines()[0]!r}")


if __name__ == "__main__":
    main()
