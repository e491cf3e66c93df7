"""Cross-checks a model exported by `go run ./examples/export` with numpy
and PyTorch, on the whole test split.

    go run ./examples/export
    python3 examples/export/check.py out/export

It needs numpy (Debian: apt-get install python3-numpy); PyTorch is checked
when torch imports (apt-get install python3-torch). It reads the folder's
model.npz with np.load and model.safetensors with the small numpy reader
below (nothing from this repository), runs the forward pass, and compares
the logits with Go's (test_logits.npy) and the predictions with Go's, and
then does the same with torch.nn.Sequential after load_state_dict. Exit
status 1 if any logit differs by more than 1e-12 (relative, |Δ|/(1+|z|)) or
any prediction differs.
"""
import json
import math
import struct
import sys

import numpy as np

TOL = 1e-12


def read_safetensors(path):
    data = open(path, "rb").read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__", {})
    dtypes = {"F64": "<f8", "F32": "<f4", "I64": "<i8"}
    sd = {}
    for name, t in header.items():
        b, e = t["data_offsets"]
        sd[name] = np.frombuffer(data[8 + n + b:8 + n + e], dtype=dtypes[t["dtype"]]).reshape(t["shape"])
    return sd, meta


def forward_numpy(arch, sd, x):
    """The network in evaluation mode, in numpy: every layer type Go registers."""
    erf = np.vectorize(math.erf)
    for i, layer in enumerate(arch["layers"]):
        kind, cfg = layer["type"], layer.get("config", {})
        if kind == "Linear":
            x = x @ sd[f"{i}.weight"].T + sd[f"{i}.bias"]
        elif kind == "ReLU":
            x = np.maximum(x, 0)
        elif kind == "LeakyReLU":
            x = np.where(x > 0, x, cfg["negative_slope"] * x)
        elif kind == "Sigmoid":
            x = 1 / (1 + np.exp(-x))
        elif kind == "Tanh":
            x = np.tanh(x)
        elif kind == "GELU" and cfg["approximate"] == "none":
            x = 0.5 * x * (1 + erf(x / math.sqrt(2)))
        elif kind == "GELU" and cfg["approximate"] == "tanh":
            x = 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))
        elif kind == "Dropout":
            pass  # the identity in evaluation mode
        elif kind == "BatchNorm1d":
            x = (x - sd[f"{i}.running_mean"]) / np.sqrt(sd[f"{i}.running_var"] + cfg["eps"]) * sd[f"{i}.weight"] + sd[f"{i}.bias"]
        else:
            raise SystemExit(f"check.py: layer {i} is a {kind}, which this script has no numpy code for")
    return x


failed = False


def report(what, logits, go_logits):
    global failed
    rel = np.max(np.abs(logits - go_logits) / (1 + np.abs(go_logits)))
    same = int(np.sum(logits.argmax(1) == go_logits.argmax(1)))
    ok = rel <= TOL and same == len(go_logits)
    failed |= not ok
    print(f"{what:<34} max |Δ|/(1+|z|) {rel:.1e}   same predictions {same}/{len(go_logits)}   {'ok' if ok else 'FAIL'}")


def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: python3 examples/export/check.py <folder written by go run ./examples/export>")
    out = sys.argv[1].rstrip("/")
    x = np.load(f"{out}/test_inputs.npy")
    labels = np.load(f"{out}/test_labels.npy")
    go_logits = np.load(f"{out}/test_logits.npy")
    print(f"numpy {np.__version__}; {len(x)} test images ({len(np.unique(labels))} classes)")

    z = np.load(f"{out}/model.npz")
    arch = json.loads(z["__architecture__.json"])
    sd_npz = {k: z[k] for k in z.files if not k.startswith("__")}
    report("numpy, model.npz (np.load)", forward_numpy(arch, sd_npz, x), go_logits)

    sd, meta = read_safetensors(f"{out}/model.safetensors")
    arch_st = json.loads(meta["backprop.architecture"])
    report("numpy, model.safetensors", forward_numpy(arch_st, sd, x), go_logits)

    try:
        import torch
    except ImportError:
        print("torch is not installed: PyTorch not checked")
    else:
        model = torch.nn.Sequential(*[getattr(torch.nn, l["type"])(**l.get("config", {})) for l in arch_st["layers"]])
        model.double().load_state_dict({k: torch.from_numpy(v.copy()) for k, v in sd.items()})
        model.eval()
        with torch.no_grad():
            report(f"torch {torch.__version__}, load_state_dict", model(torch.from_numpy(x)).numpy(), go_logits)
            # Informative: the same weights rounded to float32, as most
            # PyTorch code would run them.
            pred32 = model.float()(torch.from_numpy(x).float()).numpy().argmax(1)
            print(f"{'torch in float32 (informative)':<34} same predictions {int(np.sum(pred32 == go_logits.argmax(1)))}/{len(x)}")
    if failed:
        raise SystemExit(1)
    print("all agree")


if __name__ == "__main__":
    main()
