"""An independent PyTorch implementation of the DWFF-Net decoder and loss, written from the method description
(docs/methods/dwff.md), for timing against Tessera (bench/dwff-bench.sh). Parameter names follow the official
state dict. Run:  /usr/bin/python3 bench/dwff/dwff_torch.py [--warmup 2] [--iters 5] [--cases official,scene]
"""
import argparse
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def groups(c):
    g = c // 32
    while c % g:
        g -= 1
    return g


def conv_block(cin, cout, p):
    # indices 0..6 as in the official Sequential: conv, GN, ReLU, Dropout2d, conv, GN, ReLU
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.GroupNorm(groups(cout), cout),
                         nn.ReLU(), nn.Dropout2d(p), nn.Conv2d(cout, cout, 3, padding=1, bias=False),
                         nn.GroupNorm(groups(cout), cout), nn.ReLU())


class Block(nn.Module):
    def __init__(self, cin, cout, p):
        super().__init__()
        self.conv = conv_block(cin, cout, p)

    def forward(self, x):
        return self.conv(x)


class Head(nn.Module):
    def __init__(self, fc, mid1, mid2, k):
        super().__init__()
        self.conv1 = Block(fc, mid1, 0.2)
        self.conv2 = Block(mid1, mid2, 0.1)
        self.classifier = nn.Conv2d(mid2, k, 1)

    def forward(self, x):
        up = lambda t: F.interpolate(t, scale_factor=2, mode="bilinear", align_corners=False)
        x = up(up(self.conv1(x)))
        x = up(up(self.conv2(x)))
        return self.classifier(x)


class Dwff(nn.Module):
    def __init__(self, levels, d, fc, mid1, mid2, k):
        super().__init__()
        self.temp_param = nn.Parameter(torch.tensor(1.0))
        self.projections = nn.ModuleList(
            nn.Sequential(nn.Conv2d(d, fc, 1, bias=False), nn.GroupNorm(groups(fc), fc), nn.ReLU())
            for _ in range(levels))
        hd = max(32, fc // 2)
        self.weight_fc = nn.Sequential(nn.Linear(levels * fc, hd, bias=False), nn.ReLU(), nn.Linear(hd, levels))
        self.decoder = Head(fc, mid1, mid2, k)

    def forward(self, feats):
        p = [proj(f) for proj, f in zip(self.projections, feats)]
        v = [t.mean(dim=(2, 3)) for t in p]
        u = torch.cat([t / (t.norm(dim=1, keepdim=True) + 1e-6) for t in v], dim=1)
        s = self.weight_fc(u)
        w = torch.softmax(s / (F.softplus(self.temp_param) + 1e-6), dim=1)
        fused = sum(w[:, i, None, None, None] * t for i, t in enumerate(p))
        return self.decoder(fused), w


def loss_fn(logits, target, w):
    k = logits.shape[1]
    t = F.one_hot(target, k).permute(0, 3, 1, 2).to(logits.dtype)
    prob = logits.softmax(1)
    inter = (prob * t).sum((0, 2, 3))
    tsum = t.sum((0, 2, 3))
    dice_c = 2 * inter / (prob.sum((0, 2, 3)) + tsum).clamp_min(1e-7)
    dice = ((1 - dice_c) * (tsum > 0).to(logits.dtype)).mean()
    bce = F.binary_cross_entropy_with_logits(logits, t, reduction="none")
    focal = ((1 - torch.exp(-bce)) ** 2 * bce).sum() / (logits.shape[0] * logits.shape[2] * logits.shape[3])
    entropy = -(w * torch.log(w + 1e-8)).sum(1).mean()
    return 0.5 * dice + 0.5 * focal - 0.01 * entropy


def bench(name, levels, d, fc, mid1, mid2, k, batch, grid, step, warmup, iters):
    torch.manual_seed(0)
    model = Dwff(levels, d, fc, mid1, mid2, k)
    model.train(step)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.04)
    feats = [torch.randn(batch, d, grid, grid) for _ in range(levels)]
    target = torch.randint(0, k, (batch, 16 * grid, 16 * grid))
    times = []
    for it in range(warmup + iters):
        t0 = time.perf_counter()
        logits, w = model(feats)
        total = loss_fn(logits, target, w)
        opt.zero_grad()
        total.backward()
        if step:
            opt.step()
        total.item()
        if it >= warmup:
            times.append((time.perf_counter() - t0) * 1e3)
    times.sort()
    print("torch  | %-62s | median %9.1f ms | min %9.1f ms | %d iters" % (name, times[len(times) // 2], times[0],
                                                                           iters))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--iters", type=int, default=5)
    ap.add_argument("--cases", default="official,scene")
    ap.add_argument("--threads", type=int, default=0)
    a = ap.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    cases = a.cases.split(",")
    print("torch %s, %d threads" % (torch.__version__, torch.get_num_threads()))
    if "official" in cases:
        bench("decoder fwd+bwd official (Fc512 256/128 L4 D1024 16x16 B2 K16)", 4, 1024, 512, 256, 128, 16, 2, 16,
              False, a.warmup, a.iters)
    if "scene" in cases:
        bench("scene train step (Fc64 64/32 L4 D64 4x4 B16 K11, AdamW)", 4, 64, 64, 64, 32, 11, 16, 4, True,
              a.warmup, a.iters)


if __name__ == "__main__":
    main()
