"""Makes the golden files of modelfile/interop_test.go with numpy and PyTorch.

Run from the repository root with a Python that has numpy and torch
(Debian: apt-get install python3-numpy python3-torch):

    /usr/bin/python3 modelfile/testdata/interop/make.py

numpy 1.24.2 and torch 1.13 made the committed files. The Go test then checks
both directions with no Python:

  Go -> Python: go_model.* (an MLP) and go_mix.* (every registered layer
      type) are written by Go
      (this script runs `go test ./modelfile -run TestGoldenGoModel
      -update-golden` first). numpy alone (np.load for the .npz, the small
      reader of examples/export/check.py for safetensors) and torch (load_state_dict into
      nn.Sequential) compute their logits on x.npy:
      go_model_logits_numpy_npz.npy, go_model_logits_numpy_safetensors.npy,
      go_model_logits_torch.npy, and the same for go_mix.
  Python -> Go: a float32 and a float64 model trained by torch, each
      written as .npz (state_dict -> numpy -> np.savez, plus the
      architecture) and as safetensors (bytes written by the spec, below),
      with torch's logits on x.npy: torch_f32_logits.npy (computed in
      float32), torch_f32_logits_f64.npy (the same weights evaluated in
      float64), torch_f64_logits.npy. torch_mix is a float64 network with
      every layer type Go registers (BatchNorm1d, GELU both ways, Dropout,
      Tanh, LeakyReLU, Sigmoid, ReLU), trained and then put in eval mode.
"""
import json
import os
import struct
import subprocess
import sys
import zipfile

import numpy as np
import torch
from torch import nn

here = os.path.dirname(os.path.abspath(__file__))
# numpy's side of the export check is examples/export/check.py's: its
# safetensors reader (numpy only) and its forward pass.
sys.path.insert(0, os.path.join(here, "..", "..", "..", "examples", "export"))
from check import forward_numpy, read_safetensors  # noqa: E402


def path(name):
    return os.path.join(here, name)


# --- safetensors by the spec, with numpy only -------------------------------
def write_safetensors(file, tensors, metadata):
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
    with open(file, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def torch_model(arch):
    return nn.Sequential(*[getattr(nn, l["type"])(**l.get("config", {})) for l in arch["layers"]])


# The constructor arguments each layer type stores as its config.
CONFIG = {
    "Linear": ["in_features", "out_features"],
    "BatchNorm1d": ["num_features", "eps", "momentum"],
    "Dropout": ["p"],
    "LeakyReLU": ["negative_slope"],
    "GELU": ["approximate"],
}


def architecture(model):
    layers = []
    for m in model:
        name = type(m).__name__
        spec = {"type": name}
        if name in CONFIG:
            spec["config"] = {k: getattr(m, k) for k in CONFIG[name]}
        layers.append(spec)
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
def mlp():
    return nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 3))


def mix():
    """Every layer type Go registers, in one network."""
    return nn.Sequential(nn.Linear(6, 8), nn.BatchNorm1d(8), nn.GELU(), nn.Dropout(0.2),
                         nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 8), nn.LeakyReLU(0.1),
                         nn.Linear(8, 8), nn.GELU(approximate="tanh"), nn.Linear(8, 8), nn.Sigmoid(),
                         nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 3))


def train(build, dtype, seed):
    torch.manual_seed(seed)
    model = build().to(dtype)
    X = torch.randn(256, 6, dtype=dtype)
    teacher = torch.randn(6, 3, dtype=dtype)
    y = (X @ teacher).argmax(1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    model.train()
    for _ in range(300):
        opt.zero_grad()
        nn.functional.cross_entropy(model(X), y).backward()
        opt.step()
    return model.eval()


def main():
    env = dict(os.environ, GOFLAGS="")
    subprocess.run(["go", "test", "./modelfile", "-run", "TestGoldenGoModel", "-count=1", "-update-golden"],
                   check=True, env=env)
    rng = np.random.default_rng(7)
    x = rng.standard_normal((32, 6))
    np.save(path("x.npy"), x)

    f32 = train(mlp, torch.float32, 1)
    f64 = train(mlp, torch.float64, 2)
    mixed = train(mix, torch.float64, 3)
    with torch.no_grad():
        for name, model in [("torch_f32", f32), ("torch_f64", f64), ("torch_mix", mixed)]:
            save_npz(path(name + ".npz"), model)
            save_safetensors(path(name + ".safetensors"), model)
        np.save(path("torch_f32_logits.npy"), f32(torch.from_numpy(x).float()).numpy())
        np.save(path("torch_f64_logits.npy"), f64(torch.from_numpy(x)).numpy())
        np.save(path("torch_mix_logits.npy"), mixed(torch.from_numpy(x)).numpy())
        np.save(path("torch_f32_logits_f64.npy"), f32.double()(torch.from_numpy(x)).numpy())

    # --- Go -> Python -------------------------------------------------------
    for name in ["go_model", "go_mix"]:
        z = np.load(path(name + ".npz"))
        arch = json.loads(z["__architecture__.json"])
        sd = {k: z[k] for k in z.files if not k.startswith("__")}
        np.save(path(name + "_logits_numpy_npz.npy"), forward_numpy(arch, sd, x))

        st, meta = read_safetensors(path(name + ".safetensors"))
        arch_st = json.loads(meta["backprop.architecture"])
        np.save(path(name + "_logits_numpy_safetensors.npy"), forward_numpy(arch_st, st, x))

        model = torch_model(arch_st).double().eval()
        model.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in st.items()})
        with torch.no_grad():
            np.save(path(name + "_logits_torch.npy"), model(torch.from_numpy(x)).numpy())
    print("golden files written to", here)


if __name__ == "__main__":
    main()
