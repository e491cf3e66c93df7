"""A network trained by PyTorch, saved so that this library loads it: the
other direction of examples/export.

    go run ./examples/export -model out/cnn -out out/export-cnn
    python3 examples/export/from_torch.py out/export-cnn out/torch-cnn
    go run ./examples/export -torch out/torch-cnn

It builds the torch.nn.Sequential of the first folder's model.py (which Go
wrote) in float64 with PyTorch's own initialisation (torch.manual_seed(0)),
trains it for 20 Adam steps on random images and labels in training mode
(so batch norm's running statistics and num_batches_tracked move), and
writes into the second folder, with nothing but numpy and torch:

    model.safetensors   the state_dict, written by the format's spec (below;
                        safetensors.torch.save_file(sd, path, metadata) does
                        the same where the safetensors package is installed)
    model.npz           the same tensors by np.savez
    inputs.npy          the first 256 test images of the first folder
    logits.npy          torch's logits for them, in evaluation mode, float64

Each file carries the layer list that modelfile.Load rebuilds the network
from (architecture below: PyTorch's class names and constructor arguments).
`go run ./examples/export -torch` loads both files and compares Go's logits
with logits.npy (docs/interop.md).
"""
import json
import os
import struct
import sys
import zipfile

import numpy as np
import torch
from torch import nn


def layer_spec(m):
    """One module as the layer list names it, or SystemExit for a module
    this library has no layer for."""
    name = type(m).__name__

    def single(v, what):  # PyTorch keeps some sizes as pairs: Go's are square
        if isinstance(v, tuple):
            if len(set(v)) != 1:
                raise SystemExit(f"from_torch.py: {m}: {what} {v} is not square")
            v = v[0]
        return v

    if name == "Linear":
        if m.bias is None:
            raise SystemExit(f"from_torch.py: {m}: Go's Linear has a bias")
        return {"type": name, "config": {"in_features": m.in_features, "out_features": m.out_features}}
    if name in ("ReLU", "Sigmoid", "Tanh"):
        return {"type": name}
    if name == "LeakyReLU":
        return {"type": name, "config": {"negative_slope": m.negative_slope}}
    if name == "GELU":
        return {"type": name, "config": {"approximate": m.approximate}}
    if name == "Dropout":
        return {"type": name, "config": {"p": m.p}}
    if name in ("BatchNorm1d", "BatchNorm2d"):
        if not (m.affine and m.track_running_stats) or m.momentum is None:
            raise SystemExit(f"from_torch.py: {m}: Go's batch norm is affine with running statistics and a momentum")
        return {"type": name, "config": {"num_features": m.num_features, "eps": m.eps, "momentum": m.momentum}}
    if name == "Conv2d":
        if single(m.dilation, "dilation") != 1 or m.groups != 1 or m.padding_mode != "zeros" or isinstance(m.padding, str):
            raise SystemExit(f"from_torch.py: {m}: Go's Conv2d has no dilation, groups, padding modes or padding names")
        return {"type": name, "config": {
            "in_channels": m.in_channels, "out_channels": m.out_channels,
            "kernel_size": single(m.kernel_size, "kernel_size"), "stride": single(m.stride, "stride"),
            "padding": single(m.padding, "padding"), "bias": m.bias is not None}}
    if name in ("MaxPool2d", "AvgPool2d"):
        if single(m.padding, "padding") != 0 or m.ceil_mode or single(getattr(m, "dilation", 1), "dilation") != 1:
            raise SystemExit(f"from_torch.py: {m}: Go's pools have no padding, ceil_mode or dilation")
        return {"type": name, "config": {"kernel_size": single(m.kernel_size, "kernel_size"),
                                         "stride": single(m.stride, "stride")}}
    if name == "AdaptiveAvgPool2d" and single(m.output_size, "output_size") == 1:
        return {"type": "GlobalAvgPool2d"}
    if name == "Flatten" and (m.start_dim, m.end_dim) == (1, -1):
        return {"type": name}
    if name == "Unflatten" and m.dim == 1:
        return {"type": name, "config": {"dim": 1, "unflattened_size": list(m.unflattened_size)}}
    raise SystemExit(f"from_torch.py: {m} has no layer in this library")


def architecture(model):
    return {"version": 1, "layers": [layer_spec(m) for m in model]}


def write_safetensors(path, tensors, metadata):
    """The safetensors format: an 8-byte little-endian header length, the
    JSON header (padded with spaces to a multiple of 8), the raw bytes."""
    header, blobs, off = {"__metadata__": metadata}, [], 0
    for name, a in tensors.items():
        a = np.array(a, order="C")  # (np.ascontiguousarray would make a scalar 1-D)
        dtype = {"float64": "F64", "float32": "F32", "int64": "I64"}[a.dtype.name]
        b = a.astype(a.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": dtype, "shape": list(a.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def main():
    if len(sys.argv) != 3:
        raise SystemExit("usage: python3 examples/export/from_torch.py <folder written by go run ./examples/export> <new folder>")
    src, out = sys.argv[1].rstrip("/"), sys.argv[2].rstrip("/")
    if os.path.exists(f"{out}/settings.json"):
        raise SystemExit(f"from_torch.py: {out} holds a model a program saved; give another folder")
    if os.path.exists(out) and os.path.samefile(src, out):
        raise SystemExit("from_torch.py: the new folder must not be the export folder, whose model it would replace")
    sys.path.insert(0, src)
    import model as definition  # the folder's model.py

    torch.manual_seed(0)
    net = definition.build()  # float64, PyTorch's initialisation
    x_test = np.load(f"{src}/test_inputs.npy")
    d = x_test.shape[1]

    net.train()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    for _ in range(20):
        x = torch.randn(64, d, dtype=torch.float64)
        y = torch.randint(0, 10, (64,))
        opt.zero_grad()
        loss = nn.functional.cross_entropy(net(x), y)
        loss.backward()
        opt.step()

    net.eval()
    inputs = x_test[:256]
    with torch.no_grad():
        logits = net(torch.from_numpy(inputs)).numpy()

    os.makedirs(out, exist_ok=True)
    sd = {k: v.detach().numpy() for k, v in net.state_dict().items()}
    arch = json.dumps(architecture(net))
    write_safetensors(f"{out}/model.safetensors", sd, {"format": "pt", "backprop.architecture": arch})
    np.savez(f"{out}/model.npz", **sd)
    with zipfile.ZipFile(f"{out}/model.npz", "a") as z:
        z.writestr("__architecture__.json", arch)
    np.save(f"{out}/inputs.npy", inputs)
    np.save(f"{out}/logits.npy", logits)
    print(f"torch {torch.__version__}: trained {len(net)} modules for 20 steps (last loss {loss.item():.4f}); "
          f"wrote model.safetensors, model.npz, inputs.npy and logits.npy ({len(inputs)} images) in {out}")
    print(f"check in Go: go run ./examples/export -torch {out}")


if __name__ == "__main__":
    main()
