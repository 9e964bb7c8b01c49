#!/usr/bin/python3
"""Independent PyTorch implementation of the W-PCA proxy (docs/methods/wpca.md §2) for bench/wpca-proxy.sh.

Written from the spec, not from the Java code: for each candidate (names such as bert64-bneck32, one per line of
CANDIDATES_FILE) build the encoder over 28 image rows (width 32, 2 heads; BERT block: post-norm attention and FFN;
bottleneck block: attention and FFN on width 16 between two projections), forward one batch in eval mode without
gradients, and for every block's FFN pre-activation linear1(x) reshaped to [B*L, d] count the principal components
explaining more than 99 % of the variance (float64 covariance, eigvalsh, strict rule, edge rules); W-PCA = encoder
parameters x mean count. Prints one CSV line: torch,N,batch,seconds,candidates_per_s,ms_per_candidate,cpu_ms_per_candidate,checksum.

  /usr/bin/python3 bench/wpca_proxy_torch.py CANDIDATES_FILE [N] [WARMUP] [BATCH] [THREADS]
"""
import sys
import time

import torch
from torch import nn

H, HEADS, L, D_IN = 32, 2, 28, 28


def pca_count(h, eta=0.99):
    n, d = h.shape
    if n == 1:
        return 1
    x = h.double()
    x = x - x.mean(0, keepdim=True)
    c = x.T @ x / (n - 1)
    ev = torch.linalg.eigvalsh(c).flip(0).clamp_min(0)
    total = ev.sum().item()
    if total == 0:
        return 1
    if eta >= 1:
        return d
    acc = 0.0
    for k, v in enumerate((ev / total).tolist()):
        acc += v
        if acc > eta:
            return k + 1
    return d


class Bert(nn.Module):
    def __init__(self, f):
        super().__init__()
        self.attn = nn.MultiheadAttention(H, HEADS, batch_first=True)
        self.norm1 = nn.LayerNorm(H)
        self.linear1 = nn.Linear(H, f)
        self.linear2 = nn.Linear(f, H)
        self.norm2 = nn.LayerNorm(H)

    def forward(self, x, probe):
        a = self.norm1(x + self.attn(x, x, x, need_weights=False)[0])
        h = self.linear1(a)
        probe.append(h)
        return self.norm2(a + self.linear2(nn.functional.gelu(h)))


class Bottleneck(nn.Module):
    def __init__(self, f):
        super().__init__()
        i = H // 2
        self.bottleneck_in = nn.Linear(H, i)
        self.attn = nn.MultiheadAttention(i, HEADS, batch_first=True)
        self.norm1 = nn.LayerNorm(i)
        self.linear1 = nn.Linear(i, f)
        self.linear2 = nn.Linear(f, i)
        self.norm2 = nn.LayerNorm(i)
        self.bottleneck_out = nn.Linear(i, H)
        self.norm3 = nn.LayerNorm(H)

    def forward(self, x, probe):
        b = self.bottleneck_in(x)
        a = self.norm1(b + self.attn(b, b, b, need_weights=False)[0])
        h = self.linear1(a)
        probe.append(h)
        f = self.norm2(a + self.linear2(nn.functional.gelu(h)))
        return self.norm3(x + self.bottleneck_out(f))


class Encoder(nn.Module):
    def __init__(self, name):
        super().__init__()
        self.embed = nn.Linear(D_IN, H)
        self.pos_embedding = nn.Parameter(torch.randn(L, H) * 0.02)
        blocks = []
        for part in name.split("-"):
            blocks.append(Bert(int(part[4:])) if part.startswith("bert") else Bottleneck(int(part[5:])))
        self.layers = nn.ModuleList(blocks)

    def forward(self, x, probe):
        x = self.embed(x.reshape(x.shape[0], L, D_IN)) + self.pos_embedding
        for b in self.layers:
            x = b(x, probe)
        return x


def score(name, x):
    torch.manual_seed(0)
    m = Encoder(name).eval()
    params = sum(p.numel() for p in m.parameters())
    probe = []
    with torch.no_grad():
        m(x, probe)
    counts = [pca_count(h.reshape(-1, h.shape[-1])) for h in probe]
    return params * sum(counts) / len(counts)


def main():
    names = [l.strip() for l in open(sys.argv[1]) if l.strip()]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    warmup = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    batch = int(sys.argv[4]) if len(sys.argv) > 4 else 32
    torch.set_num_threads(int(sys.argv[5]) if len(sys.argv) > 5 else 2)
    x = torch.rand(batch, 1, 28, 28, generator=torch.Generator().manual_seed(5))
    total = 0.0
    for name in names[:warmup]:
        total += score(name, x)
    c0 = time.process_time()
    t0 = time.perf_counter()
    for name in names[warmup:warmup + n]:
        total += score(name, x)
    sec = time.perf_counter() - t0
    cpu = time.process_time() - c0
    print("torch,%d,%d,%.3f,%.2f,%.3f,%.3f,%.6g" % (n, batch, sec, n / sec, 1000 * sec / n, 1000 * cpu / n, total))


if __name__ == "__main__":
    main()
