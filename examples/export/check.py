"""Cross-checks a model exported by `go run ./examples/export` with numpy
and PyTorch, on the whole test split.

    go run ./examples/export
    python3 examples/export/check.py out/export

    go run ./examples/export -model out/cnn -out out/export-cnn
    python3 examples/export/check.py out/export-cnn

It needs numpy (Debian: apt-get install python3-numpy); PyTorch is checked
when torch imports (apt-get install python3-torch). It reads the folder's
model.npz with np.load and model.safetensors with the small numpy reader
below (nothing from this repository), runs the forward pass, and compares
the logits with Go's (test_logits.npy) and the predictions with Go's; then
it builds the torch.nn.Sequential of the folder's model.py, loads the
safetensors file into it with load_state_dict and does the same in float64,
in evaluation mode. Exit status 1 if any logit differs by more than 1e-12
(relative, |Δ|/(1+|z|)) or any prediction differs; the largest absolute
difference is printed too.
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


def conv2d(x, w, b, stride, padding):
    """N×C×H×W correlated with w (F×C×k×k), as nn.Conv2d: im2col (the k×k
    windows by sliding_window_view, one row of C·k·k values per output
    pixel), then one matrix product with the F×(C·k·k) weights."""
    x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    f, c, k, _ = w.shape
    win = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(2, 3))[:, :, ::stride, ::stride]
    n, _, h, wd = win.shape[:4]
    cols = win.transpose(0, 2, 3, 1, 4, 5).reshape(n * h * wd, c * k * k)
    y = (cols @ w.reshape(f, c * k * k).T).reshape(n, h, wd, f).transpose(0, 3, 1, 2)
    return y if b is None else y + b[None, :, None, None]


def pool2d(x, k, stride, reduce):
    win = np.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(2, 3))[:, :, ::stride, ::stride]
    return reduce(win, axis=(4, 5))


def forward_numpy(arch, sd, x, batch=500):
    """The network in evaluation mode, in numpy, batch rows at a time (a
    convolution's windows for the whole test split would not fit in memory)."""
    return np.concatenate([forward_batch(arch, sd, x[i:i + batch]) for i in range(0, len(x), batch)])


def forward_batch(arch, sd, x):
    """forward_numpy for one batch: every layer type Go registers."""
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
        elif kind == "BatchNorm2d":  # the same per channel, shapes [C] broadcast as C×1×1
            scale = sd[f"{i}.weight"] / np.sqrt(sd[f"{i}.running_var"] + cfg["eps"])
            shift = sd[f"{i}.bias"] - sd[f"{i}.running_mean"] * scale
            x = x * scale[:, None, None] + shift[:, None, None]
        elif kind == "Conv2d":
            x = conv2d(x, sd[f"{i}.weight"], sd.get(f"{i}.bias"), cfg["stride"], cfg["padding"])
        elif kind == "MaxPool2d":
            x = pool2d(x, cfg["kernel_size"], cfg["stride"], np.max)
        elif kind == "AvgPool2d":
            x = pool2d(x, cfg["kernel_size"], cfg["stride"], np.mean)
        elif kind == "GlobalAvgPool2d":
            x = x.mean(axis=(2, 3), keepdims=True)
        elif kind == "Flatten":
            x = x.reshape(len(x), -1)
        elif kind == "Unflatten":
            x = x.reshape(len(x), *cfg["unflattened_size"])
        else:
            raise SystemExit(f"check.py: layer {i} is a {kind}, which this script has no numpy code for")
    return x


failed = False


def report(what, logits, go_logits):
    global failed
    diff = np.abs(logits - go_logits)
    rel = np.max(diff / (1 + np.abs(go_logits)))
    same = int(np.sum(logits.argmax(1) == go_logits.argmax(1)))
    ok = rel <= TOL and same == len(go_logits)  # False for a NaN
    failed |= not ok
    print(f"{what:<34} max |Δ| {np.max(diff):.1e}   max |Δ|/(1+|z|) {rel:.1e}   "
          f"same predictions {same}/{len(go_logits)}   {'ok' if ok else 'FAIL'}")


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
        sys.path.insert(0, out)
        import model as definition  # the folder's model.py, which Go wrote
        model = definition.build()
        model.load_state_dict(definition.load_safetensors(f"{out}/model.safetensors"))
        model.eval()
        with torch.no_grad():
            report(f"torch {torch.__version__}, model.py", model(torch.from_numpy(x)).numpy(), go_logits)
            # Informative: the same weights rounded to float32, as most
            # PyTorch code would run them.
            pred32 = model.float()(torch.from_numpy(x).float()).numpy().argmax(1)
            print(f"{'torch in float32 (informative)':<34} same predictions {int(np.sum(pred32 == go_logits.argmax(1)))}/{len(x)}")
    if failed:
        raise SystemExit(1)
    print("all agree")


if __name__ == "__main__":
    main()
