#!/usr/bin/env python3
"""The numpy reference for bench/table.sh: the same products and the same
training epoch as the Go benchmarks, printed as Go benchmark lines so that one
awk script reads both.

    OPENBLAS_NUM_THREADS=2 python3 numpy_ref.py [-count 5] [-benchtime 300ms] [-only products|epoch|none]

The number of BLAS threads is fixed when numpy is imported, so table.sh runs
this script once per thread count (OPENBLAS_NUM_THREADS and OMP_NUM_THREADS).
Each of the -count rounds prints its own line; table.sh takes the median,
as it does for the Go lines.

The first line names the BLAS numpy loaded and, for OpenBLAS, the kernel
("core") it chose for this CPU.
"""
import ctypes
import os
import sys
import time

import numpy as np

# The shapes of bench_test.go: name, transA, transB, m, n, k.
SHAPES = [
    ("AB_64x784_784x128", False, False, 64, 128, 784),
    ("ABT_64x784_128x784", False, True, 64, 128, 784),
    ("ATB_64x128_64x784", True, False, 128, 784, 64),
    ("AB_64x128_128x784", False, False, 64, 784, 128),
    ("AB_64x128_128x10", False, False, 64, 10, 128),
    ("ABT_64x128_10x128", False, True, 64, 10, 128),
    ("ATB_64x10_64x128", True, False, 10, 128, 64),
    ("AB_64x10_10x128", False, False, 64, 128, 10),
    ("AB_64x784_784x256", False, False, 64, 256, 784),
    ("AB_256x256_256x256", False, False, 256, 256, 256),
    ("AB_512x512_512x512", False, False, 512, 512, 512),
    ("AB_1024x1024_1024x1024", False, False, 1024, 1024, 1024),
]


def blas_name():
    """The BLAS library numpy loaded, and OpenBLAS's core and threads."""
    lib = "unknown"
    with open("/proc/self/maps") as f:
        for line in f:
            path = line.split()[-1]
            base = os.path.basename(path)
            if ("blas" in base or "mkl" in base) and ".so" in base:
                lib = path
                break
    desc = os.path.basename(lib)
    try:
        so = ctypes.CDLL(lib)
        so.openblas_get_corename.restype = ctypes.c_char_p
        so.openblas_get_config.restype = ctypes.c_char_p
        desc = "%s (core %s, %d threads)" % (
            so.openblas_get_config().decode(),
            so.openblas_get_corename().decode(),
            so.openblas_get_num_threads(),
        )
    except (OSError, AttributeError):
        if "openblas" not in lib:
            desc += " (not OpenBLAS: the reference BLAS is much slower; install libopenblas0-pthread)"
    return desc


def timeit(f, benchtime):
    """Calls f until benchtime seconds have passed; returns (calls, s/call)."""
    f()  # warm up: buffers, thread pool
    n, start = 0, time.perf_counter()
    while True:
        f()
        n += 1
        el = time.perf_counter() - start
        if el >= benchtime:
            return n, el / n


def products(rng, count, benchtime, threads):
    for name, ta, tb, m, n, k in SHAPES:
        a = rng.uniform(-1, 1, (k, m) if ta else (m, k))
        b = rng.uniform(-1, 1, (n, k) if tb else (k, n))
        opa = a.T if ta else a  # a view: BLAS gets a transpose flag
        opb = b.T if tb else b
        c = np.empty((m, n))
        for _ in range(count):
            calls, t = timeit(lambda: np.matmul(opa, opb, out=c), benchtime)
            print("BenchmarkMatMul/%s/numpy-%d %d %.0f ns/op %.2f GFLOPS"
                  % (name, threads, calls, t * 1e9, 2 * m * n * k / t / 1e9))
            sys.stdout.flush()


def epoch_fn(sizes, rng, n=30000, batch=64, lr=0.01):
    """One epoch of the Go BenchmarkEpoch: He-initialised MLP, ReLU, softmax
    cross-entropy, plain SGD, contiguous batches of 64 (the last one 48).

    Written the way a careful numpy user would: every big array is
    preallocated and written with out= or in place, so a step allocates only
    a few row-sized temporaries, as the Go step allocates nothing. (The
    obvious version, `W -= lr * (d.T @ a)`, allocates two weight-sized
    arrays per layer and step and was twice as slow on our test machine.)"""
    x = rng.uniform(0, 1, (n, sizes[0]))
    y = rng.integers(0, 10, n)
    W = [rng.normal(0, np.sqrt(2 / i), (o, i)) for i, o in zip(sizes, sizes[1:])]
    b = [np.zeros(o) for o in sizes[1:]]
    gW = [np.empty_like(w) for w in W]
    L = len(W)
    bufs = {}

    def buf(key, shape):
        a = bufs.get(key)
        if a is None or a.shape != shape:
            a = bufs[key] = np.empty(shape)
        return a

    def step(xb, yb):
        B = len(yb)
        acts = [xb]
        a = xb
        for i in range(L):
            z = buf(("z", i), (B, W[i].shape[0]))
            np.matmul(a, W[i].T, out=z)  # Z = A Wᵀ + b
            z += b[i]
            if i < L - 1:
                np.maximum(z, 0, out=z)  # ReLU, in place
            acts.append(z)
            a = z
        # softmax cross-entropy, δ = (P − Y)/B
        p = buf("p", a.shape)
        np.subtract(a, a.max(axis=1, keepdims=True), out=p)
        np.exp(p, out=p)
        p /= p.sum(axis=1, keepdims=True)
        rows = np.arange(B)
        loss = -np.log(p[rows, yb]).mean()
        p[rows, yb] -= 1
        p *= 1 / B
        d = p
        for i in reversed(range(L)):
            np.matmul(d.T, acts[i], out=gW[i])  # ∂L/∂W = Δᵀ A
            gb = d.sum(axis=0)  # ∂L/∂b
            if i > 0:
                da = buf(("da", i), acts[i].shape)
                np.matmul(d, W[i], out=da)  # Δ W, then the ReLU mask
                da *= acts[i] > 0
            gW[i] *= lr  # SGD, no weight-sized temporaries
            W[i] -= gW[i]
            b[i] -= lr * gb
            if i > 0:
                d = da
        return loss

    def epoch():
        for s in range(0, n, batch):
            step(x[s:s + batch], y[s:s + batch])

    return epoch


def main():
    count, benchtime, only = 5, 0.3, ""
    args = sys.argv[1:]
    while args:
        flag = args.pop(0)
        if flag == "-count":
            count = int(args.pop(0))
        elif flag == "-benchtime":  # seconds, or Go style: 300ms, 1s
            v = args.pop(0)
            benchtime = float(v[:-2]) / 1e3 if v.endswith("ms") else float(v.rstrip("s"))
        elif flag == "-only":  # "products", "epoch", or "none" (the BLAS line alone)
            only = args.pop(0)
        else:
            sys.exit("numpy_ref.py: unknown flag " + flag)
    threads = int(os.environ.get("OPENBLAS_NUM_THREADS", os.cpu_count()))
    print("numpy %s, BLAS: %s" % (np.__version__, blas_name()))
    rng = np.random.default_rng(1)
    if only not in ("epoch", "none"):
        products(rng, count, benchtime, threads)
    if only not in ("products", "none"):
        for sizes in ([784, 128, 10], [784, 256, 128, 10]):
            epoch = epoch_fn(sizes, rng)
            name = "[" + "_".join(map(str, sizes)) + "]"
            for _ in range(count):
                calls, t = timeit(epoch, 0)
                print("BenchmarkEpoch/%s/numpy-%d %d %.0f ns/op" % (name, threads, calls, t * 1e9))
                sys.stdout.flush()


if __name__ == "__main__":
    main()
