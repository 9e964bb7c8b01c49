#!/usr/bin/python3
"""PyTorch side of bench/compare-torch.sh: the same cases as the Tessera JMH benchmarks it runs, timed the same way
(warm-up, then the mean time per call over timed rounds), printed as one "case<TAB>wall ms<TAB>CPU ms" line per case
(CPU: process time per call, which a busy machine inflates far less than wall time when one thread is used).

    /usr/bin/python3 bench/compare_torch.py THREADS WARMUP_S MEASURE_S

Cases (shapes and settings of bench/jmh):
  conv2d_fwd      conv2d N=8 64->64 56x56 3x3 padding 1, bias, no gradient (TensorOpsBenchmark.conv2dForward)
  conv2d_fwdbwd   the same with gradients of input, weight and bias for a fixed upstream gradient
                  (TensorOpsBenchmark.conv2dForwardBackward)
  conv32_fwdbwd   conv2d N=8 64->64 32x32 3x3 padding 1 forward+backward (FdConvBenchmark's plain layer)
  cnn_step        the reference CNN training step, batch 128 of random 28x28 images, cross-entropy, Adam 1e-3
                  (CnnBenchmark.trainStep, variant plain)

PyTorch has no FDConv layer; the FDConv rows of the table compare Tessera's FDConv with Tessera's plain layer.
"""
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Cnn(nn.Module):
    """The reference CNN of docs/benchmarks.md (same as bench/fashion_cnn_torch.py)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.fc1 = nn.Linear(3136, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc2(F.relu(self.fc1(x.flatten(1))))


def timed(fn, warmup_s, measure_s):
    """Mean wall and process-CPU milliseconds per call: calls for warmup_s, then for at least measure_s (>= 3 calls)."""
    end = time.perf_counter() + warmup_s
    while time.perf_counter() < end:
        fn()
    n = 0
    start = time.perf_counter()
    cpu0 = time.process_time()
    while True:
        fn()
        n += 1
        elapsed = time.perf_counter() - start
        if elapsed >= measure_s and n >= 3:
            return 1000.0 * elapsed / n, 1000.0 * (time.process_time() - cpu0) / n


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: compare_torch.py THREADS WARMUP_S MEASURE_S")
    threads, warmup_s, measure_s = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    print(f"# torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"mkldnn {torch.backends.mkldnn.is_available()}", flush=True)

    def conv_case(n, c, hw):
        x = torch.randn(n, c, hw, hw)
        w = (torch.randn(c, c, 3, 3) * 0.05).requires_grad_()
        b = (torch.randn(c) * 0.1).requires_grad_()
        g = torch.randn(n, c, hw, hw)
        xg = x.clone().requires_grad_()

        def fwd():
            with torch.no_grad():
                F.conv2d(x, w, b, padding=1)

        def fwdbwd():
            xg.grad = None
            w.grad = None
            b.grad = None
            F.conv2d(xg, w, b, padding=1).backward(g)

        return fwd, fwdbwd

    fwd56, fwdbwd56 = conv_case(8, 64, 56)
    _, fwdbwd32 = conv_case(8, 64, 32)

    model = Cnn()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.rand(128, 1, 28, 28)
    y = torch.randint(0, 10, (128,))

    def step():
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()

    for name, fn in (("conv2d_fwd", fwd56), ("conv2d_fwdbwd", fwdbwd56), ("conv32_fwdbwd", fwdbwd32),
                     ("cnn_step", step)):
        wall, cpu = timed(fn, warmup_s, measure_s)
        print(f"{name}\t{wall:.3f}\t{cpu:.3f}", flush=True)


if __name__ == "__main__":
    main()
