"""Writes cnn.npz, a whole small CNN's loss and every gradient on the first
16 FashionMNIST training images, computed by PyTorch autograd in float64;
layers/cnn_golden_test.go compares the Go network with it. Run from this
directory with PyTorch and the dataset's idx files:

    BACKPROP_DATA=/path/to/data python3 make_cnn.py

(the directory that holds fashion-mnist/train-images-idx3-ubyte.gz).

The network is the Sequential

    0 Conv2d(1, 8, 3, padding=1, bias=False)   4 Conv2d(8, 16, 3, padding=1, bias=False)
    1 BatchNorm2d(8)                            5 BatchNorm2d(16)
    2 ReLU                                      6 ReLU
    3 MaxPool2d(2)                              7 MaxPool2d(2)
    8 Flatten
    9 Linear(784, 10)

in training mode, with PyTorch's initial weights for seed 0, and the loss
is the mean cross-entropy of the logits. The archive holds the images as
bytes (x = bytes/255), the labels, every parameter with the state_dict's
name, and the results: loss, logits, x.grad, "<name>.grad" for every
parameter, and the running statistics after the step.
"""

import gzip
import os

import numpy as np
import torch

torch.set_default_dtype(torch.float64)
N = 16

root = os.path.join(os.environ["BACKPROP_DATA"], "fashion-mnist")
with gzip.open(os.path.join(root, "train-images-idx3-ubyte.gz")) as f:
    images = np.frombuffer(f.read(), np.uint8, offset=16)[: N * 784].reshape(N, 1, 28, 28)
with gzip.open(os.path.join(root, "train-labels-idx1-ubyte.gz")) as f:
    labels = np.frombuffer(f.read(), np.uint8, offset=8)[:N].astype(np.int64)

torch.manual_seed(0)
net = torch.nn.Sequential(
    torch.nn.Conv2d(1, 8, 3, padding=1, bias=False),
    torch.nn.BatchNorm2d(8),
    torch.nn.ReLU(),
    torch.nn.MaxPool2d(2),
    torch.nn.Conv2d(8, 16, 3, padding=1, bias=False),
    torch.nn.BatchNorm2d(16),
    torch.nn.ReLU(),
    torch.nn.MaxPool2d(2),
    torch.nn.Flatten(),
    torch.nn.Linear(784, 10),
)
params = {name: p.detach().clone() for name, p in net.named_parameters()}

x = (torch.tensor(images, dtype=torch.float64) / 255).requires_grad_(True)
logits = net(x)
loss = torch.nn.functional.cross_entropy(logits, torch.tensor(labels))
loss.backward()

out = {"images": images, "labels": labels, "loss": np.array(loss.item()),
       "logits": logits.detach().numpy(), "x.grad": x.grad.numpy()}
for name, p in net.named_parameters():
    out[name] = params[name].numpy()
    out[name + ".grad"] = p.grad.numpy()
for name, b in net.named_buffers():
    if b.dtype == torch.float64:
        out[name] = b.numpy()
np.savez("cnn.npz", **out)
