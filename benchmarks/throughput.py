"""Training throughput of the estimators against a plain PyTorch loop.

Each estimator is timed on the same data and the same network as a loop
written by hand over in-memory tensors (one permutation per epoch, slices per
batch, Adam, the loss read back each batch as a training loop does to report
it). Validation and early stopping are off on both sides, so that both do the
same work; the estimator's time includes its input validation and net
construction. The two alternate ``--repeats`` times and the best time of each
counts, which discounts other load on the machine. A ratio of 1 means the
estimator costs nothing over the loop.

Run:  python benchmarks/throughput.py [--epochs 2] [--repeats 3]
"""

import argparse
import sys
import time

import numpy as np
import torch

from sklarith import ArithmeticMultiOutputClassifier, AutoencoderTransformer
from sklarith.datasets import fetch_mnist
from sklarith.modules import ConvAutoencoder, MultiHeadCrossEntropy, MultiHeadMLP

from _common import header

N_CLASSES = [10, 2, 10, 9, 2]


def plain_loop(module, loss_fn, X, y, *, epochs, batch_size, lr):
    """The loop a user would write: slices of in-memory tensors, Adam."""
    optimizer = torch.optim.Adam(module.parameters(), lr=lr)
    module.train()
    for _ in range(epochs):
        order = torch.randperm(len(X))
        for start in range(0, len(X), batch_size):
            rows = order[start : start + batch_size]
            optimizer.zero_grad()
            loss = loss_fn(module(X[rows]), y[rows])
            loss.backward()
            optimizer.step()
            loss.item()


def time_call(function):
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def compare(name, fit_estimator, run_loop, n_samples, epochs, repeats):
    estimator_times, loop_times = [], []
    for _ in range(repeats):
        estimator_times.append(time_call(fit_estimator))
        loop_times.append(time_call(run_loop))
    best_estimator, best_loop = min(estimator_times), min(loop_times)
    rate = n_samples * epochs / best_estimator
    print(
        f"| {name} | {n_samples:,} x {epochs} | {best_loop:.1f} s | "
        f"{best_estimator:.1f} s | {rate:,.0f} /s | {best_loop / best_estimator:.3f} |",
        flush=True,
    )


def classifier_case(epochs, repeats, batch_size=256, lr=1e-3):
    rng = np.random.RandomState(0)
    X = rng.standard_normal((100_000, 200)).astype(np.float32)
    Y = np.stack([rng.randint(k, size=len(X)) for k in N_CLASSES], axis=1)
    estimator = ArithmeticMultiOutputClassifier(
        max_epochs=epochs,
        batch_size=batch_size,
        lr=lr,
        early_stopping=False,
        device="cpu",
        random_state=0,
    )
    X_tensor, Y_tensor = torch.from_numpy(X), torch.from_numpy(Y)

    def run_loop():
        torch.manual_seed(0)
        module = MultiHeadMLP(200, N_CLASSES)
        plain_loop(
            module,
            MultiHeadCrossEntropy(N_CLASSES),
            X_tensor,
            Y_tensor,
            epochs=epochs,
            batch_size=batch_size,
            lr=lr,
        )

    compare(
        "ArithmeticMultiOutputClassifier (200→1000→5 heads)",
        lambda: estimator.fit(X, Y),
        run_loop,
        len(X),
        epochs,
        repeats,
    )


def autoencoder_case(epochs, repeats, batch_size=128, lr=2e-3):
    X = fetch_mnist(subset="train").data
    estimator = AutoencoderTransformer(
        max_epochs=epochs,
        batch_size=batch_size,
        lr=lr,
        early_stopping=False,
        device="cpu",
        random_state=0,
    )
    X_tensor = torch.from_numpy(X)

    def run_loop():
        torch.manual_seed(0)
        plain_loop(
            ConvAutoencoder(),
            torch.nn.BCEWithLogitsLoss(),
            X_tensor,
            X_tensor,
            epochs=epochs,
            batch_size=batch_size,
            lr=lr,
        )

    compare(
        "AutoencoderTransformer (MNIST)",
        lambda: estimator.fit(X),
        run_loop,
        len(X),
        epochs,
        repeats,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(header("python benchmarks/throughput.py " + " ".join(sys.argv[1:])))
    print(f"torch threads: {torch.get_num_threads()}\n")
    print("| estimator | samples x epochs | plain loop | estimator | rate | ratio |")
    print("|---|---|---|---|---|---|")
    classifier_case(args.epochs, args.repeats)
    autoencoder_case(args.epochs, args.repeats)


if __name__ == "__main__":
    main()
