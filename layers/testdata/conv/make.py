"""Writes golden.json, the fixed inputs and PyTorch's outputs and gradients
that layers/golden_test.go compares the convolution, pooling and BatchNorm2d
layers with. Run from this directory with PyTorch installed:

    python3 make.py

Inputs are fixed, as in CS231n's assignment 2: evenly spaced values
(linspace), and for the cases that must not be monotonic a sine of them,
so no random generator is involved. Everything is float64. The tests read
the JSON alone; Python is needed only to make it again.
"""

import json

import torch

torch.set_default_dtype(torch.float64)


def lin(lo, hi, *shape):
    n = 1
    for s in shape:
        n *= s
    return torch.linspace(lo, hi, n).reshape(*shape)


def wavy(*shape):
    """sin(1.7·i + 0.3) for i = 0, 1, …: spread out and not monotonic."""
    n = 1
    for s in shape:
        n *= s
    return torch.sin(1.7 * torch.arange(n, dtype=torch.float64) + 0.3).reshape(*shape)


def flat(t):
    return [float(v) for v in t.detach().reshape(-1)]


def run(layer, x, dout):
    x = x.clone().requires_grad_(True)
    y = layer(x)
    y.backward(dout)
    return y, x.grad


cases = []

# Convolutions: strides 1 and 2, paddings 0, 1 and 2, kernels 1, 3 and 5,
# sizes the stride does not divide, batches of 1, 2 and 3.
for (n, c, h, w, f, k, s, p, bias, kind) in [
    (2, 3, 4, 4, 3, 4, 2, 1, True, "lin"),  # CS231n's conv_forward_naive check
    (1, 1, 5, 5, 1, 3, 1, 0, True, "lin"),
    (2, 3, 7, 6, 4, 3, 1, 1, True, "wavy"),
    (3, 1, 8, 9, 2, 3, 2, 1, True, "wavy"),
    (1, 3, 6, 7, 2, 5, 1, 2, True, "lin"),
    (3, 2, 9, 7, 3, 5, 2, 2, False, "wavy"),
    (2, 3, 4, 5, 3, 1, 1, 0, True, "wavy"),
    (1, 2, 5, 6, 2, 1, 2, 1, False, "lin"),
]:
    conv = torch.nn.Conv2d(c, f, k, stride=s, padding=p, bias=bias)
    if kind == "lin":
        x = lin(-0.1, 0.5, n, c, h, w)
        wt = lin(-0.2, 0.3, f, c, k, k)
    else:
        x = wavy(n, c, h, w)
        wt = 0.3 * wavy(f, c, k, k).flip(0)
    with torch.no_grad():
        conv.weight.copy_(wt)
        if bias:
            conv.bias.copy_(lin(-0.1, 0.2, f))
    ho, wo = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
    dout = wavy(n, f, ho, wo) * 2 - 0.5
    y, dx = run(conv, x, dout)
    case = dict(layer="Conv2d", n=n, c=c, h=h, w=w, f=f, k=k, stride=s, padding=p, bias=bias,
                x=flat(x), weight=flat(wt), dout=flat(dout), y=flat(y), dx=flat(dx),
                dweight=flat(conv.weight.grad))
    if bias:
        case["b"] = flat(conv.bias)
        case["dbias"] = flat(conv.bias.grad)
    cases.append(case)

# Pooling. "ties" rounds the wavy values to halves, so many windows hold
# their maximum more than once: PyTorch gives the gradient to the first in
# row-major order within the window.
for (name, k, s, n, c, h, w, kind) in [
    ("MaxPool2d", 2, 2, 2, 3, 4, 4, "lin"),  # CS231n's max_pool_forward_naive check
    ("MaxPool2d", 2, 2, 2, 2, 5, 7, "wavy"),
    ("MaxPool2d", 3, 2, 2, 2, 7, 6, "wavy"),
    ("MaxPool2d", 3, 1, 1, 2, 5, 5, "wavy"),
    ("MaxPool2d", 2, 2, 2, 2, 6, 6, "ties"),
    ("MaxPool2d", 3, 1, 1, 3, 5, 6, "ties"),
    ("AvgPool2d", 2, 2, 2, 2, 5, 7, "wavy"),
    ("AvgPool2d", 3, 1, 1, 2, 5, 6, "lin"),
    ("GlobalAvgPool2d", 0, 0, 3, 2, 5, 4, "wavy"),
]:
    if kind == "lin":
        x = lin(-0.3, 0.4, n, c, h, w)
    elif kind == "wavy":
        x = wavy(n, c, h, w)
    else:
        x = torch.round(2 * wavy(n, c, h, w)) / 2
    if name == "MaxPool2d":
        layer = torch.nn.MaxPool2d(k, s)
    elif name == "AvgPool2d":
        layer = torch.nn.AvgPool2d(k, s)
    else:
        layer = torch.nn.AdaptiveAvgPool2d(1)
    with torch.no_grad():
        shape = layer(x).shape
    dout = lin(-1, 2, *shape) * wavy(*shape)
    y, dx = run(layer, x, dout)
    cases.append(dict(layer=name, n=n, c=c, h=h, w=w, k=k, stride=s,
                      x=flat(x), dout=flat(dout), y=flat(y), dx=flat(dx)))

# BatchNorm2d: two training steps (the running statistics after each),
# then evaluation, with its own forward and backward.
for (n, c, h, w) in [(2, 3, 4, 5), (1, 2, 3, 1), (4, 1, 2, 2)]:
    bn = torch.nn.BatchNorm2d(c)
    with torch.no_grad():
        bn.weight.copy_(lin(0.5, 1.5, c))
        bn.bias.copy_(lin(-0.2, 0.3, c))
    steps = []
    for step in range(2):
        x = 3 * wavy(n, c, h, w) + lin(-1, 2, n, c, h, w) + step
        dout = lin(-1, 1, n, c, h, w) * wavy(n, c, h, w)
        bn.weight.grad, bn.bias.grad = None, None
        y, dx = run(bn, x, dout)
        steps.append(dict(x=flat(x), dout=flat(dout), y=flat(y), dx=flat(dx),
                          dweight=flat(bn.weight.grad), dbias=flat(bn.bias.grad),
                          running_mean=flat(bn.running_mean), running_var=flat(bn.running_var)))
    bn.eval()
    x = wavy(n, c, h, w) - 0.5
    dout = lin(0.5, -1, n, c, h, w)
    bn.weight.grad, bn.bias.grad = None, None
    y, dx = run(bn, x, dout)
    evaluation = dict(x=flat(x), dout=flat(dout), y=flat(y), dx=flat(dx),
                      dweight=flat(bn.weight.grad), dbias=flat(bn.bias.grad))
    cases.append(dict(layer="BatchNorm2d", n=n, c=c, h=h, w=w,
                      weight=flat(lin(0.5, 1.5, c)), b=flat(lin(-0.2, 0.3, c)),
                      train=steps, eval=evaluation))

# One case per line; Python's float repr gives every float64 exactly.
with open("golden.json", "w") as out:
    out.write('{"torch": %s, "cases": [\n' % json.dumps(torch.__version__))
    out.write(",\n".join(json.dumps(c) for c in cases))
    out.write("\n]}\n")
