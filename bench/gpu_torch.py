"""PyTorch CUDA reference for gpu-backend/device-check.sh: the same benchmarks as io.tessera.backend.gpu.GpuBenchmark
(sgemm 4096^2, conv2d N=64 64->64 56^2 3x3 fwd and fwd+bwd, the reference CNN train step at batch 128), float32,
TF32 off (as the Java side by default). Median milliseconds after warm-up. Not part of any test suite."""
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
torch.backends.cudnn.benchmark = True
dev = torch.device("cuda")


def median_ms(fn, warmup=3, reps=10):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    t = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        torch.cuda.synchronize()
        t.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(t)


def row(name, ms, flops=0.0):
    g = "%.0f" % (flops / (ms / 1e3) / 1e9) if flops else ""
    print("| %-44s | %10.3f | %10s |" % (name, ms, g))


class ReferenceCnn(nn.Module):
    """The shape of io.tessera.training.models.ReferenceCnn: conv 3x3 (1->32), relu, pool 2, conv 3x3 (32->64),
    relu, pool 2, fc 3136->128, relu, fc 128->10 (its class doc)."""

    def __init__(self, c1=32, c2=64, hidden=128):
        super().__init__()
        self.conv1 = nn.Conv2d(1, c1, 3, padding=1)
        self.conv2 = nn.Conv2d(c1, c2, 3, padding=1)
        self.fc1 = nn.Linear(c2 * 7 * 7, hidden)
        self.fc2 = nn.Linear(hidden, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc2(F.relu(self.fc1(x.flatten(1))))


def main():
    print("device:", torch.cuda.get_device_name(0), "torch", torch.__version__, "cuda", torch.version.cuda,
          "cudnn", torch.backends.cudnn.version())
    print("| benchmark                                    |  median ms |    GFLOP/s |")
    print("|---|---:|---:|")
    a = torch.randn(4096, 4096, device=dev)
    b = torch.randn(4096, 4096, device=dev)
    row("sgemm 4096x4096x4096", median_ms(lambda: a @ b), 2.0 * 4096 ** 3)
    x = torch.randn(64, 64, 56, 56, device=dev)
    w = torch.randn(64, 64, 3, 3, device=dev) * 0.05
    flops = 2.0 * 64 * 64 * 56 * 56 * 64 * 9
    row("conv2d N=64 64->64 56x56 3x3 fwd", median_ms(lambda: F.conv2d(x, w, padding=1)), flops)
    xg = x.clone().requires_grad_(True)
    wg = w.clone().requires_grad_(True)
    up = torch.randn(64, 64, 56, 56, device=dev)
    row("conv2d N=64 64->64 56x56 3x3 fwd+bwd", median_ms(lambda: F.conv2d(xg, wg, padding=1).backward(up)),
        3 * flops)
    model = ReferenceCnn().to(dev)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    xs = torch.rand(128, 1, 28, 28, device=dev)
    ys = torch.arange(128, device=dev) % 10

    def step():
        opt.zero_grad()
        F.cross_entropy(model(xs), ys).backward()
        opt.step()

    row("reference CNN train step, batch 128", median_ms(step, reps=20))
    print("(no FDConv row: the FDConv reference is the official PyTorch module, not bundled here)")


if __name__ == "__main__":
    main()
