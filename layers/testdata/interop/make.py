"""Makes the golden files of layers/interop_test.go with numpy and PyTorch.

Run from the repository root with a Python that has numpy and torch
(Debian: apt-get install python3-numpy python3-torch):

    /usr/bin/python3 layers/testdata/interop/make.py

numpy 1.24.2 and torch 1.13 made the committed files. The Go test then checks
both directions with no Python:

  Go -> Python: go_model.safetensors and go_model.npz are written by Go
      (this script runs `go test ./layers -run TestGoldenGoModel
      -update-golden` first). numpy alone (np.load for the .npz, the small
      reader below for safetensors) and torch (load_state_dict into
      nn.Sequential) compute their logits on x.npy:
      go_logits_numpy_npz.npy, go_logits_numpy_safetensors.npy,
      go_logits_torch.npy.
  Python -> Go: a float32 and a float64 model trained by torch, each
      written as .npz (state_dict -> numpy -> np.savez, plus the
      architecture) and as safetensors (bytes written by the spec, below),
      with torch's logits on x.npy: torch_f32_logits.npy (computed in
      float32), torch_f32_logits_f64.npy (the same weights evaluated in
      float64), torch_f64_logits.npy.
"""
import json
import os
import struct
import subprocess
import zipfile

import numpy as np
import torch
from torch import nn

here = os.path.dirname(os.path.abspath(__file__))


def path(name):
    return os.path.join(here, name)


# --- safetensors by the spec, with numpy only -------------------------------
def write_safetensors(file, tensors, metadata):
    header, blobs, off = {"__metadata__": metadata}, [], 0
    for name, a in tensors.items():
        a = np.ascontiguousarray(a)
        dtype = {"float64": "F64", "float32": "F32", "int64": "I64"}[a.dtype.name]
        b = a.astype(a.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": dtype, "shape": list(a.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(file, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def read_safetensors(file):
    data = open(file, "rb").read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__", {})
    dtypes = {"F64": "<f8", "F32": "<f4", "I64": "<i8"}
    out = {}
    for name, t in header.items():
        b, e = t["data_offsets"]
        out[name] = np.frombuffer(data[8 + n + b:8 + n + e], dtype=dtypes[t["dtype"]]).reshape(t["shape"])
    return out, meta


# --- the network, from the architecture JSON -------------------------------
def forward_numpy(arch, sd, x):
    for i, layer in enumerate(arch["layers"]):
        if layer["type"] == "Linear":
            x = x @ sd[f"{i}.weight"].T + sd[f"{i}.bias"]
        elif layer["type"] == "ReLU":
            x = np.maximum(x, 0)
        else:
            raise ValueError(f"layer {i}: no numpy code for {layer['type']}")
    return x


def torch_model(arch):
    return nn.Sequential(*[getattr(nn, l["type"])(**l.get("config", {})) for l in arch["layers"]])


def architecture(model):
    layers = []
    for m in model:
        if isinstance(m, nn.Linear):
            layers.append({"type": "Linear", "config": {"in_features": m.in_features, "out_features": m.out_features}})
        else:
            layers.append({"type": type(m).__name__})
    return {"version": 1, "layers": layers}


def save_npz(file, model):
    """state_dict -> numpy -> np.savez, then the architecture as a JSON member."""
    np.savez(file, **{k: v.detach().numpy() for k, v in model.state_dict().items()})
    with zipfile.ZipFile(file, "a") as z:
        z.writestr("__architecture__.json", json.dumps(architecture(model)))


def save_safetensors(file, model):
    sd = {k: v.detach().numpy() for k, v in model.state_dict().items()}
    write_safetensors(file, sd, {"format": "pt", "backprop.architecture": json.dumps(architecture(model))})


# --- Python -> Go ------------------------------------------------------------
def train(dtype, seed):
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 3)).to(dtype)
    X = torch.randn(256, 6, dtype=dtype)
    teacher = torch.randn(6, 3, dtype=dtype)
    y = (X @ teacher).argmax(1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(300):
        opt.zero_grad()
        nn.functional.cross_entropy(model(X), y).backward()
        opt.step()
    return model


def main():
    env = dict(os.environ, GOFLAGS="")
    subprocess.run(["go", "test", "./layers", "-run", "TestGoldenGoModel", "-count=1", "-update-golden"],
                   check=True, env=env)
    rng = np.random.default_rng(7)
    x = rng.standard_normal((32, 6))
    np.save(path("x.npy"), x)

    f32 = train(torch.float32, 1)
    f64 = train(torch.float64, 2)
    with torch.no_grad():
        save_npz(path("torch_f32.npz"), f32)
        save_safetensors(path("torch_f32.safetensors"), f32)
        np.save(path("torch_f32_logits.npy"), f32(torch.from_numpy(x).float()).numpy())
        np.save(path("torch_f32_logits_f64.npy"), f32.double()(torch.from_numpy(x)).numpy())

        save_npz(path("torch_f64.npz"), f64)
        save_safetensors(path("torch_f64.safetensors"), f64)
        np.save(path("torch_f64_logits.npy"), f64(torch.from_numpy(x)).numpy())

    # --- Go -> Python -------------------------------------------------------
    z = np.load(path("go_model.npz"))
    arch = json.loads(z["__architecture__.json"])
    sd = {k: z[k] for k in z.files if not k.startswith("__")}
    np.save(path("go_logits_numpy_npz.npy"), forward_numpy(arch, sd, x))

    st, meta = read_safetensors(path("go_model.safetensors"))
    arch_st = json.loads(meta["backprop.architecture"])
    np.save(path("go_logits_numpy_safetensors.npy"), forward_numpy(arch_st, st, x))

    model = torch_model(arch_st).double()
    model.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in st.items()})
    with torch.no_grad():
        np.save(path("go_logits_torch.npy"), model(torch.from_numpy(x)).numpy())
    print("golden files written to", here)


if __name__ == "__main__":
    main()
