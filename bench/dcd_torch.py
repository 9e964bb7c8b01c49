"""Independent PyTorch implementation of the DCD loss (written from the spec: teacher-mined selection of the positive
plus the K highest-scored negatives, logit_scale * cos student scores, entropy weights w and r, the official and the
per-sample KD term, the weighted BCE term, alpha 0.2, T 1) and of the DCD plugin's teacher cross-encoder and
dual-encoder student at the pipeline's sizes, for bench/dcd-bench.sh. Prints `name value unit` lines.

    /usr/bin/python3 bench/dcd_torch.py [REPEATS]
"""
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

B, N, K, D = 512, 16, 7, 256
ALPHA, T = 0.2, 1.0


def select(teacher_full, k):
    # [0] ++ the k negatives with the highest teacher scores, descending (ties: smaller index, via a stable sort)
    neg = teacher_full[:, 1:]
    order = torch.sort(neg, dim=1, descending=True, stable=True).indices[:, :k] + 1
    return torch.cat([torch.zeros(teacher_full.shape[0], 1, dtype=torch.long), order], dim=1)


def dcd_loss(t, s, per_sample):
    with torch.no_grad():
        p = torch.softmax(t, dim=1)
        h = (p * torch.log_softmax(t, dim=1)).sum(dim=1)
        hs = h.sum()
        w = h / hs if hs != 0 else torch.full_like(h, 1.0 / h.numel())
        r = torch.softmax((1 - w) ** 2, dim=0)
    if per_sample:
        kd = T * T * (r * ((t / T - s / T) ** 2).mean(dim=1)).sum()
    else:
        kd = T * T * (r * F.mse_loss(t / T, s / T)).sum()
    y = torch.zeros_like(s)
    y[:, 0] = 1
    ce = (w * F.binary_cross_entropy_with_logits(s, y, reduction='none').mean(dim=1)).sum()
    return ALPHA * kd + (1 - ALPHA) * ce


def median_ms(repeats, fn):
    for _ in range(3):
        fn()
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(ts)


class ItemStem(nn.Module):
    def __init__(self, ch=8, hidden=64, classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, ch, 3, padding=1)
        self.conv2 = nn.Conv2d(ch, 2 * ch, 3, padding=1)
        self.fc1 = nn.Linear(2 * ch * 7 * 7, hidden)
        self.head = nn.Linear(hidden, classes)

    def features(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return F.relu(self.fc1(x.flatten(1)))


class CrossEncoder(nn.Module):
    """Class token, one token per item (stem features projected), word tokens; pre-norm GELU layers; rank head."""

    def __init__(self, vocab=30, length=8, dim=64, depth=2, heads=4, hidden=64):
        super().__init__()
        self.stem = ItemStem(hidden=hidden)
        self.proj = nn.Linear(hidden, dim)
        self.cls = nn.Parameter(torch.randn(1, 1, dim) * 0.02)
        self.image_pos = nn.Parameter(torch.randn(1, 2, dim) * 0.02)
        self.text_pos = nn.Parameter(torch.randn(1, length, dim) * 0.02)
        self.words = nn.Embedding(vocab, dim)
        self.layers = nn.ModuleList([nn.TransformerEncoderLayer(dim, heads, 2 * dim, 0.0, 'gelu', batch_first=True,
                                                                norm_first=True) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim)
        self.rank = nn.Linear(dim, 1)

    def forward(self, images, captions):
        n = images.shape[0]
        items = torch.cat([images[..., :28], images[..., 28:]], dim=0)
        f = self.stem.features(items).reshape(2, n, -1).transpose(0, 1)
        img = self.proj(f) + self.image_pos
        words = self.words(captions) + self.text_pos
        x = torch.cat([self.cls.expand(n, 1, -1), img, words], dim=1)
        pad = torch.cat([torch.zeros(n, 3, dtype=torch.bool), captions == 0], dim=1)
        for layer in self.layers:
            x = layer(x, src_key_padding_mask=pad)
        return self.rank(self.norm(x[:, 0])).squeeze(1)


class DualEncoder(nn.Module):
    def __init__(self, pixels=28 * 56, vocab=30, length=8, hidden=128, dim=32, scale=10.0):
        super().__init__()
        self.img1, self.img2 = nn.Linear(pixels, hidden), nn.Linear(hidden, dim)
        self.words = nn.Embedding(vocab, dim)
        self.text_pos = nn.Parameter(torch.randn(1, length, dim) * 0.02)
        self.txt1, self.txt2 = nn.Linear(length * dim, hidden), nn.Linear(hidden, dim)
        self.scale = scale

    def forward(self, images, captions):
        a = self.img2(F.relu(self.img1(images.flatten(1))))
        x = (self.words(captions) + self.text_pos) * (captions != 0).unsqueeze(2)
        t = self.txt2(F.relu(self.txt1(x.flatten(1))))
        return self.scale * F.cosine_similarity(a, t, dim=1, eps=1e-12)


def main():
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    torch.manual_seed(0)
    teacher = torch.randn(B, N) * 2
    img0 = torch.randn(B, D)
    txt0 = torch.randn(B, N, D)
    for mode, per_sample in (("official", False), ("per_sample", True)):
        def step():
            img = img0.clone().requires_grad_(True)
            txt = txt0.clone().requires_grad_(True)
            sel = select(teacher, K)
            picked = txt.gather(1, sel.unsqueeze(2).expand(-1, -1, D))
            s = 5.0 * (F.normalize(img, dim=1, eps=1e-12).unsqueeze(1) * F.normalize(picked, dim=2, eps=1e-12)).sum(2)
            loss = dcd_loss(teacher.gather(1, sel), s, per_sample)
            loss.backward()
            float(img.grad.sum())
            float(txt.grad.sum())
        print(f"loss_fwd_bwd_{mode} {median_ms(repeats, step):.3f} ms")
    print(f"selection_gather {median_ms(repeats, lambda: float(teacher.gather(1, select(teacher, K)).sum())):.3f} ms")

    pairs = 256
    images = torch.rand(pairs, 1, 28, 56)
    captions = torch.randint(1, 30, (pairs, 8))
    captions[:, 6:] = 0
    ce = CrossEncoder().eval()
    de = DualEncoder().eval()
    with torch.no_grad():
        ms = median_ms(repeats, lambda: float(ce(images, captions).sum()))
        print(f"teacher_pairs_per_s {pairs / (ms / 1e3):.3f} pairs/s")
        ms = median_ms(repeats, lambda: float(de(images, captions).sum()))
        print(f"student_pairs_per_s {pairs / (ms / 1e3):.3f} pairs/s")


if __name__ == "__main__":
    main()
