#!/usr/bin/python3
"""PyTorch peer of bench/fashion-cnn.sh: the reference CNN (conv 1->32, conv 32->64, each 3x3 pad 1 + ReLU + max-pool 2;
linear 3136->128, ReLU; linear 128->10), Adam 1e-3, batch 128, shuffled per epoch, on the full Fashion-MNIST; test
accuracy after each epoch (batch 256, as the Tessera trainer evaluates) and the resident set size (VmRSS, VmHWM).

Like Tessera's ArrayImageDataset the images are kept as bytes and scaled to [0, 1] per batch.

    /usr/bin/python3 bench/fashion_cnn_torch.py [DATA_DIR] [EPOCHS] [THREADS] [MAX_STEPS_PER_EPOCH]

MAX_STEPS_PER_EPOCH 0 (the default) trains on every batch.
"""
import gzip
import struct
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def rss(when):
    fields = {}
    with open("/proc/self/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = value.strip()
    print(f"memory at {when}: VmRSS {fields['VmRSS']}, VmHWM (peak RSS) {fields['VmHWM']}", flush=True)


def idx(path, images):
    with gzip.open(path, "rb") as f:
        data = f.read()
    if images:
        magic, n, rows, cols = struct.unpack(">IIII", data[:16])
        if magic != 2051 or len(data) != 16 + n * rows * cols:
            sys.exit(f"{path}: not an IDX image file of {n}x{rows}x{cols}")
        return torch.frombuffer(bytearray(data[16:]), dtype=torch.uint8).view(n, 1, rows, cols)
    magic, n = struct.unpack(">II", data[:8])
    if magic != 2049 or len(data) != 8 + n:
        sys.exit(f"{path}: not an IDX label file of {n} labels")
    return torch.frombuffer(bytearray(data[8:]), dtype=torch.uint8).long()


class Cnn(nn.Module):
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


def main():
    data = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/fashion-mnist"
    epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    torch.set_num_threads(int(sys.argv[3]) if len(sys.argv) > 3 else 2)
    max_steps = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    rss("start")
    train_x, train_y = idx(f"{data}/train-images-idx3-ubyte.gz", True), idx(f"{data}/train-labels-idx1-ubyte.gz", False)
    test_x, test_y = idx(f"{data}/t10k-images-idx3-ubyte.gz", True), idx(f"{data}/t10k-labels-idx1-ubyte.gz", False)
    print(f"data: {data} ({len(train_y)} train, {len(test_y)} test); torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads", flush=True)
    g = torch.Generator().manual_seed(0)
    torch.manual_seed(0)
    model = Cnn()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(1, epochs + 1):
        model.train()
        start = time.perf_counter()
        order = torch.randperm(len(train_y), generator=g)
        total, steps = 0.0, 0
        for i in range(0, len(order), 128):
            if max_steps and steps == max_steps:
                break
            batch = order[i:i + 128]
            x = train_x[batch].float().div_(255)
            loss = F.cross_entropy(model(x), train_y[batch])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item()
            steps += 1
            if steps == 100:
                rss("step 100")
        seconds = time.perf_counter() - start
        model.eval()
        correct = 0
        with torch.no_grad():
            for i in range(0, len(test_y), 256):
                x = test_x[i:i + 256].float().div_(255)
                correct += (model(x).argmax(1) == test_y[i:i + 256]).sum().item()
        print(f"epoch {epoch}: train loss {total / steps:.4f}, test accuracy {100 * correct / len(test_y):.2f} %, "
              f"{steps} steps in {seconds:.1f} s", flush=True)
        rss(f"end of epoch {epoch}")


if __name__ == "__main__":
    main()
