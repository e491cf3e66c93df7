#!/usr/bin/env python3
"""The rivals of bench/cnn.sh: one training epoch of cnn-s (bench/cnn_test.go)
in PyTorch, float64 and float32, and in numpy float64 with im2col, printed as
Go benchmark lines so that one awk script reads all contenders.

    python3 cnn_ref.py -impl torch64|torch32|numpy [-threads 2] [-batches 60]
    python3 cnn_ref.py -check      # numpy's gradients against torch float64
    python3 cnn_ref.py -info       # numpy's BLAS and OpenBLAS core, torch

cnn-s, as in cnn_test.go:

    Conv2d(1->32, 3x3, padding 1) - BatchNorm2d(32) - ReLU - MaxPool2d(2)
    Conv2d(32->64, 3x3, padding 1) - BatchNorm2d(64) - ReLU - MaxPool2d(2)
    Flatten - Linear(3136->128) - ReLU - Linear(128->10)

softmax cross-entropy, plain SGD (learning rate 0.01), batches of 64, on
synthetic 28x28 images (uniform in [0, 1), random labels: the time does not
depend on the values). An epoch of 30,000 images is 469 steps; to keep the
interleaved rounds short each run times -batches steps of 64 after 3 warm-up
steps and scales the time to 30,000 images. GFLOPS counts the products as
cnnSFlops in cnn_test.go does.

The numpy version is written as a careful numpy user would: im2col as one
copy of a strided view, the three products of each layer as single matmuls
on OpenBLAS, col2im as nine slice additions, pooling and batch norm as
vectorised reductions. Before it is timed (and with -check), it is run on one
batch beside torch float64 with the same weights, and the loss and every
gradient must agree to 1e-9 relative: the rival computes what torch computes.
"""
import os
import sys
import time

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

import numpy_ref

LR = 0.01
BATCH = 64
EPOCH = 30000


def flops_per_image():
    """cnnSFlops(1) of cnn_test.go: 2 flops per multiply-add, three
    products per Conv2d and Linear layer, less the first convolution's input
    gradient."""
    conv1 = 32 * 1 * 9 * 28 * 28
    conv2 = 64 * 32 * 9 * 14 * 14
    lin = 3136 * 128 + 128 * 10
    return 2 * (3 * (conv1 + conv2 + lin) - conv1)


# ---- numpy, float64, NHWC inside ----

class NumpyCNN:
    """cnn-s in numpy. Activations are NHWC (channels last), so that im2col
    is one reshape of a strided view and batch norm reduces over the leading
    axes; the weights have PyTorch's shapes and the flatten follows
    PyTorch's NCHW order, so torch's parameters load as they are."""

    def __init__(self, params):
        # params: torch's state, in Sequential order, as float64 arrays.
        self.p = [np.array(a, dtype=np.float64) for a in params]
        self.g = [np.zeros_like(a) for a in self.p]
        self.bn = [dict(mean=np.zeros(32), var=np.ones(32)), dict(mean=np.zeros(64), var=np.ones(64))]

    # Conv2d 3x3, padding 1, stride 1.
    @staticmethod
    def conv_fwd(x, w, b):
        n, h, wd, c = x.shape
        f = w.shape[0]
        xp = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
        cols = sliding_window_view(xp, (3, 3), axis=(1, 2)).reshape(n * h * wd, c * 9)  # (c,u,v) order
        wm = w.reshape(f, c * 9)
        y = cols @ wm.T
        y += b
        return y.reshape(n, h, wd, f), cols

    @staticmethod
    def conv_bwd(dy, cols, w, xshape, need_dx):
        n, h, wd, c = xshape
        f = w.shape[0]
        dm = dy.reshape(-1, f)
        gw = (dm.T @ cols).reshape(w.shape)
        gb = dm.sum(axis=0)
        if not need_dx:
            return gw, gb, None
        dcols = (dm @ w.reshape(f, c * 9)).reshape(n, h, wd, c, 3, 3)
        dxp = np.zeros((n, h + 2, wd + 2, c))
        for u in range(3):
            for v in range(3):
                dxp[:, u:u + h, v:v + wd, :] += dcols[..., u, v]
        return gw, gb, dxp[:, 1:-1, 1:-1, :]

    def bn_fwd(self, x, gamma, beta, i):
        mu = x.mean(axis=(0, 1, 2))
        var = x.var(axis=(0, 1, 2))
        m = x.size // x.shape[-1]
        st = self.bn[i]
        st["mean"] = 0.9 * st["mean"] + 0.1 * mu
        st["var"] = 0.9 * st["var"] + 0.1 * var * m / (m - 1)
        inv = 1 / np.sqrt(var + 1e-5)
        xhat = (x - mu) * inv
        return xhat * gamma + beta, (xhat, inv)

    @staticmethod
    def bn_bwd(dy, gamma, cache):
        xhat, inv = cache
        m = dy.size // dy.shape[-1]
        gg = (dy * xhat).sum(axis=(0, 1, 2))
        gb = dy.sum(axis=(0, 1, 2))
        dx = (gamma * inv / m) * (m * dy - gb - xhat * gg)
        return gg, gb, dx

    @staticmethod
    def pool_fwd(x):
        n, h, w, c = x.shape
        xr = x.reshape(n, h // 2, 2, w // 2, 2, c)
        y = xr.max(axis=(2, 4))
        return y, xr

    @staticmethod
    def pool_bwd(dy, xr, y):
        # δ goes to the window's maximum; exact ties happen only between
        # zeros after ReLU, whose gradient ReLU then stops, so sharing it
        # there changes nothing.
        mask = xr == y[:, :, None, :, None, :]
        return (mask * dy[:, :, None, :, None, :]).reshape(xr.shape[0], xr.shape[1] * 2, xr.shape[3] * 2, xr.shape[5])

    def gradients(self, x, y):
        """Loss of the batch x (N×1×28×28, NCHW as given) and labels y; the
        gradients go to self.g."""
        p = self.p
        n = x.shape[0]
        a0 = x.transpose(0, 2, 3, 1)
        z1, cols1 = self.conv_fwd(a0, p[0], p[1])
        b1, bc1 = self.bn_fwd(z1, p[2], p[3], 0)
        r1 = np.maximum(b1, 0)
        m1, xr1 = self.pool_fwd(r1)
        z2, cols2 = self.conv_fwd(m1, p[4], p[5])
        b2, bc2 = self.bn_fwd(z2, p[6], p[7], 1)
        r2 = np.maximum(b2, 0)
        m2, xr2 = self.pool_fwd(r2)
        f = m2.transpose(0, 3, 1, 2).reshape(n, 3136)  # PyTorch's flatten order
        h = f @ p[8].T
        h += p[9]
        hr = np.maximum(h, 0)
        o = hr @ p[10].T
        o += p[11]
        # softmax cross-entropy, mean over the batch
        e = np.exp(o - o.max(axis=1, keepdims=True))
        e /= e.sum(axis=1, keepdims=True)
        rows = np.arange(n)
        loss = -np.log(e[rows, y]).mean()
        e[rows, y] -= 1
        d = e / n
        g = self.g
        g[10] = d.T @ hr
        g[11] = d.sum(axis=0)
        d = (d @ p[10]) * (h > 0)
        g[8] = d.T @ f
        g[9] = d.sum(axis=0)
        d = (d @ p[8]).reshape(n, 64, 7, 7).transpose(0, 2, 3, 1)
        d = self.pool_bwd(d, xr2, m2) * (b2 > 0)
        g[6], g[7], d = self.bn_bwd(d, p[6], bc2)
        g[4], g[5], d = self.conv_bwd(d, cols2, p[4], m1.shape, True)
        d = self.pool_bwd(d, xr1, m1) * (b1 > 0)
        g[2], g[3], d = self.bn_bwd(d, p[2], bc1)
        g[0], g[1], _ = self.conv_bwd(d, cols1, p[0], a0.shape, False)
        return loss

    def step(self, x, y):
        loss = self.gradients(x, y)
        for p, g in zip(self.p, self.g):
            p -= LR * g
        return loss


# ---- PyTorch ----

def torch_model(torch, dtype, seed=1):
    nn = torch.nn
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10),
    ).to(dtype)


def data(batches, seed=2):
    rng = np.random.default_rng(seed)
    xs = [rng.uniform(0, 1, (BATCH, 1, 28, 28)) for _ in range(batches)]
    ys = [rng.integers(0, 10, BATCH) for _ in range(batches)]
    return xs, ys


def check():
    """numpy's loss and gradients on one batch against torch float64 with
    the same weights; exits with an error unless all agree to 1e-9."""
    import torch
    model = torch_model(torch, torch.float64)
    params = [t.detach().numpy().copy() for t in model.parameters()]
    xs, ys = data(1, seed=7)
    x, y = xs[0], ys[0]
    xt = torch.from_numpy(x)
    lt = torch.nn.functional.cross_entropy(model(xt), torch.from_numpy(y))
    lt.backward()
    net = NumpyCNN(params)
    ln = net.gradients(x, y)
    # Each difference is measured against the largest entry of its
    # reference. The gradients of the convolutions' biases are zero in
    # exact arithmetic (BatchNorm subtracts the bias again), so both sides
    # hold rounding errors of order 1e-15 there: those must stay below
    # 1e-12 in absolute value instead.
    worst = abs(ln - lt.item()) / abs(lt.item())
    ok = True
    for (name, t), g in zip(model.named_parameters(), net.g):
        ref = t.grad.numpy()
        diff, scale = np.abs(g - ref).max(), np.abs(ref).max()
        if scale < 1e-12:
            ok = ok and diff <= 1e-12
        else:
            worst = max(worst, diff / scale)
    ok = ok and worst <= 1e-9
    print("numpy cnn-s against torch float64 on one batch: loss %.12f vs %.12f, worst gradient difference %.1e of its largest entry (%s)"
          % (ln, lt.item(), worst, "ok" if ok else "FAILED"))
    if not ok:
        sys.exit(1)


def bench(impl, threads, batches):
    xs, ys = data(batches + 3)
    if impl == "numpy":
        import torch  # for the weights only, as in check()
        net = NumpyCNN([t.detach().numpy().copy() for t in torch_model(torch, torch.float64).parameters()])
        step = lambda i: net.step(xs[i], ys[i])
    else:
        import torch
        torch.set_num_threads(threads)
        dtype = torch.float64 if impl == "torch64" else torch.float32
        model = torch_model(torch, dtype)
        opt = torch.optim.SGD(model.parameters(), lr=LR)
        lossf = torch.nn.CrossEntropyLoss()
        txs = [torch.from_numpy(x).to(dtype) for x in xs]
        tys = [torch.from_numpy(y) for y in ys]

        def step(i):
            opt.zero_grad()
            loss = lossf(model(txs[i]), tys[i])
            loss.backward()
            opt.step()
            return loss
    for i in range(3):
        step(i)
    start = time.perf_counter()
    for i in range(3, batches + 3):
        step(i)
    sec = time.perf_counter() - start
    epoch = sec * EPOCH / (batches * BATCH)
    print("BenchmarkCNNEpoch/%s-%d 1 %.0f ns/op %.3f s/epoch %.2f GFLOPS"
          % (impl, threads, epoch * 1e9, epoch, flops_per_image() * batches * BATCH / sec / 1e9))
    sys.stdout.flush()


def info():
    print("numpy %s: %s" % (np.__version__, numpy_ref.blas_name()))
    try:
        import torch
        torch.set_num_threads(int(os.environ.get("THREADS", "2")))
        print("torch %s, %d threads (torch.set_num_threads)" % (torch.__version__, torch.get_num_threads()))
    except ImportError:
        print("torch: not installed for %s" % sys.executable)


def main():
    args = sys.argv[1:]
    impl, threads, batches = None, 2, 60
    while args:
        a = args.pop(0)
        if a == "-impl":
            impl = args.pop(0)
        elif a == "-threads":
            threads = int(args.pop(0))
        elif a == "-batches":
            batches = int(args.pop(0))
        elif a == "-check":
            check()
            return
        elif a == "-info":
            info()
            return
        else:
            sys.exit("cnn_ref.py: unknown argument %s (want -impl torch64|torch32|numpy, -threads, -batches, -check, -info)" % a)
    if impl not in ("torch64", "torch32", "numpy"):
        sys.exit("cnn_ref.py: -impl must be torch64, torch32 or numpy")
    bench(impl, threads, batches)


if __name__ == "__main__":
    main()
