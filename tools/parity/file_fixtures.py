"""Write tests/fixtures/files.json: what the safetensors library (the format `d2l` saves in)
answers for files that are missing or are not safetensors files, and for saving a lazy layer's
state dict before its first forward.

Run from the repository root with a Python that has torch and safetensors installed:

    python tools/parity/file_fixtures.py

Each bad file is recorded with its bytes (hex), so `tests/file_parity.rs` can write the same
file and compare `d2l::state::load_safetensors`'s error text with `safetensors.torch.load_file`'s
(the path in a message is written as `{path}`, a memory address as `0x...`).
"""

import os
import re
import struct
import tempfile

import safetensors
import torch
from safetensors.torch import load_file, save_file
from torch import nn

from common import outcome, write_json

BAD_FILES = {
    "not a safetensors file": b"hello world, not a file",
    "empty": b"",
    "shorter than its header length": b"\x05\x00",
    "header longer than the file": struct.pack("<Q", 100) + b"{}",
    "header not JSON": struct.pack("<Q", 8) + b"{notjson",
    "header not an object": struct.pack("<Q", 2) + b"[]",
    "data shorter than declared": None,  # made by `short_data()`
}


def short_data():
    """A valid header for two float32 values followed by only one."""
    header = b'{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}'
    header += b" " * (-len(header) % 8)
    return struct.pack("<Q", len(header)) + header + struct.pack("<f", 1.0)


def generic(message, path):
    message = message.replace(path, "{path}")
    return re.sub(r" at 0x[0-9a-f]+", " at 0x...", message)


def main():
    cases = []
    with tempfile.TemporaryDirectory() as tmp:
        missing = os.path.join(tmp, "missing.safetensors")
        res = outcome(lambda: load_file(missing))
        res["message"] = generic(res["message"], missing)
        cases.append({"title": "missing file", "bytes": None, **res})
        for title, data in BAD_FILES.items():
            data = short_data() if data is None else data
            path = os.path.join(tmp, "bad.safetensors")
            with open(path, "wb") as f:
                f.write(data)
            res = outcome(lambda: sorted(load_file(path)))
            if not res["accepted"]:
                res["message"] = generic(res["message"], path)
            cases.append({"title": title, "bytes": data.hex(), **res})
        path = os.path.join(tmp, "lazy.safetensors")
        res = outcome(lambda: save_file(nn.LazyLinear(3).state_dict(), path))
        res["message"] = generic(res["message"], path)
        save_lazy = res
    write_json("files.json", {
        "torch_version": torch.__version__,
        "safetensors_version": safetensors.__version__,
        "load": cases,
        "save_uninitialized": save_lazy,
    })


if __name__ == "__main__":
    main()
