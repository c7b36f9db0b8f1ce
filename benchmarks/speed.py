"""Speed and scale: sklarith against what a user would otherwise write.

One command, five measurements, each side by side in the same run on the same
data, printed as ratios (1 means sklarith costs nothing extra):

- ``throughput``: training throughput of ``ArithmeticMultiOutputClassifier``
  (200→1000→heads, 100,000 samples) and ``AutoencoderTransformer`` (MNIST)
  against a plain PyTorch loop over the same module: in-memory tensors, one
  permutation per epoch, slices per batch, Adam, the loss read back each batch
  as a training loop does to report it. Validation and early stopping are off
  on both sides. Two ratios: of the training epochs (the throughput), and of
  the whole call, which adds the estimator's input validation and net
  construction. The two alternate ``--repeats`` times; the table gives the
  median times and the median (and range) of the ratios of the pairs.
- ``pca``: ``PCAEncoder(n_components=100).fit`` against scikit-learn's
  ``PCA(100).fit`` on the 60,000 MNIST training images (median of
  ``--repeats``, alternating).
- ``adder``: ``MLPAdderRegressor`` against scikit-learn's ``MLPRegressor``
  (8 sigmoid hidden units, 10,000 pairs): fit time and rounded accuracy on
  10,000 held-out pairs.
- ``dedupe``: the encoder step of the headline Pipeline fitted on 1,000,000
  pairs drawn from the 60,000 training images (``fit``, and ``fit_transform``
  as a Pipeline calls it) against the same encoder fitted on those images
  directly (three rounds), and ``transform`` of the pairs against
  ``transform`` of the images (five rounds), each round in alternating
  order, giving the median and range of the rounds' ratios; beside them, the
  time to read the pairs' pixels once and to find their distinct images.
  ``--dedupe-epochs`` autoencoder epochs, early stopping off: the fixed
  cost of finding the distinct images weighs most when training is short.
- ``seed-000``: ``sklarith reproduce seed-000``, with the encoder fine-tuned
  and frozen, each in a child process: wall time and peak memory of the whole
  experiment.

Training runs on ``--device`` (by default CUDA when available, else the CPU),
the plain loop with its data and module there too, so that on a GPU machine
the same command compares the two on the GPU.

Run:  python benchmarks/speed.py [--only throughput pca adder dedupe seed-000]
      [--epochs 2] [--repeats 5] [--device auto]
"""

import argparse
import subprocess
import sys
import time
import warnings

import numpy as np
import torch
from compare_encoders import time_pca_fits
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor

from sklarith import (
    ArithmeticMultiOutputClassifier,
    AutoencoderTransformer,
    MLPAdderRegressor,
    PCAEncoder,
)
from sklarith._base import resolve_device
from sklarith._distinct import distinct_rows
from sklarith.datasets import fetch_mnist, make_addition, make_arithmetic_pairs
from sklarith.metrics import rounded_accuracy
from sklarith.modules import ConvAutoencoder, MultiHeadCrossEntropy, MultiHeadMLP

from _common import header

N_CLASSES = [10, 2, 10, 9, 2]


def plain_loop(module, loss_fn, X, y, *, epochs, batch_size, lr):
    """The loop a user would write: slices of in-memory tensors, Adam.

    Returns the seconds spent in the epochs, after the optimizer is built.
    """
    optimizer = torch.optim.Adam(module.parameters(), lr=lr)
    module.train()
    start = time.perf_counter()
    for _ in range(epochs):
        order = torch.randperm(len(X))
        for begin in range(0, len(X), batch_size):
            rows = order[begin : begin + batch_size]
            optimizer.zero_grad()
            loss = loss_fn(module(X[rows]), y[rows])
            loss.backward()
            optimizer.step()
            loss.item()
    return time.perf_counter() - start


def warm_up():
    """Take one Adam step, so that torch's one-time imports on the first
    optimizer step (seconds) are charged to neither side of a comparison."""
    weight = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.Adam([weight])
    weight.sum().backward()
    optimizer.step()


def time_call(function):
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def compare(name, estimator, X, y, run_loop, epochs, repeats):
    """Time ``estimator.fit(X, y)`` and ``run_loop()`` alternately; print the
    medians of the paired ratios, for the training epochs and for the whole
    call.

    The order alternates (estimator first, then loop first), so that neither
    side is always the one to run on a warm cache; the ratio of each pair
    cancels slow drifts in the machine's speed, and the median discards the
    odd pair disturbed by other work. The estimator's training time is the
    sum of its epochs' ``dur`` in ``history_``; its whole call adds input
    validation and building the net.
    """
    fit_times, fit_epochs, loop_times, loop_epochs = [], [], [], []
    for repeat in range(repeats):
        for side in ("estimator", "loop") if repeat % 2 == 0 else ("loop", "estimator"):
            if side == "estimator":
                fit_times.append(time_call(lambda: estimator.fit(X, y)))
                fit_epochs.append(sum(estimator.history_[:, "dur"]))
            else:
                start = time.perf_counter()
                loop_epochs.append(run_loop())
                loop_times.append(time.perf_counter() - start)
    training = np.divide(loop_epochs, fit_epochs)
    whole = np.divide(loop_times, fit_times)
    rate = len(X) * epochs / np.median(fit_epochs)
    print(
        f"| {name} | {len(X):,} x {epochs} | {np.median(loop_epochs):.1f} s | "
        f"{np.median(fit_epochs):.1f} s | {rate:,.0f} /s | "
        f"{np.median(training):.3f} ({training.min():.3f}–{training.max():.3f}) | "
        f"{np.median(whole):.3f} ({whole.min():.3f}–{whole.max():.3f}) |",
        flush=True,
    )


def classifier_case(epochs, repeats, device, batch_size=256, lr=1e-3):
    rng = np.random.RandomState(0)
    X = rng.standard_normal((100_000, 200)).astype(np.float32)
    Y = np.stack([rng.randint(k, size=len(X)) for k in N_CLASSES], axis=1)
    estimator = ArithmeticMultiOutputClassifier(
        max_epochs=epochs,
        batch_size=batch_size,
        lr=lr,
        early_stopping=False,
        device=device,
        random_state=0,
    )
    X_tensor, Y_tensor = torch.from_numpy(X).to(device), torch.from_numpy(Y).to(device)

    def run_loop():
        torch.manual_seed(0)
        module = MultiHeadMLP(200, N_CLASSES).to(device)
        return plain_loop(
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
        estimator,
        X,
        Y,
        run_loop,
        epochs,
        repeats,
    )


def autoencoder_case(epochs, repeats, device, batch_size=128, lr=2e-3):
    X = fetch_mnist(subset="train").data
    estimator = AutoencoderTransformer(
        max_epochs=epochs,
        batch_size=batch_size,
        lr=lr,
        early_stopping=False,
        device=device,
        random_state=0,
    )
    X_tensor = torch.from_numpy(X).to(device)

    def run_loop():
        torch.manual_seed(0)
        return plain_loop(
            ConvAutoencoder().to(device),
            torch.nn.BCEWithLogitsLoss(),
            X_tensor,
            X_tensor,
            epochs=epochs,
            batch_size=batch_size,
            lr=lr,
        )

    compare(
        "AutoencoderTransformer (MNIST)", estimator, X, None, run_loop, epochs, repeats
    )


def pca_case(repeats):
    images = fetch_mnist(subset="train").data
    medians = time_pca_fits(images, repeats)
    pca = medians["PCA(100).fit"]
    ours = medians["PCAEncoder(n_components=100).fit"]
    print(
        f"| PCAEncoder vs PCA, fit on {len(images):,} images | {pca:.2f} s | "
        f"{ours:.2f} s | {ours / pca:.3f} |",
        flush=True,
    )


def adder_case():
    X, y = make_addition(10_000, max_sum=256, random_state=0)
    X_test, y_test = make_addition(10_000, max_sum=256, random_state=1)
    models = {
        "MLPRegressor": MLPRegressor(
            hidden_layer_sizes=(8,), activation="logistic", random_state=0
        ),
        "MLPAdderRegressor": MLPAdderRegressor(hidden_layer_sizes=(8,), random_state=0),
    }
    cells = {}
    for name, model in models.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            seconds = time_call(lambda model=model: model.fit(X, y))
        accuracy = rounded_accuracy(y_test, model.predict(X_test))
        cells[name] = f"{seconds:.1f} s, {accuracy:.2%}"
    print(
        "| MLPAdderRegressor vs MLPRegressor, 8 units, sums ≤ 256 (time, rounded "
        f"accuracy) | {cells['MLPRegressor']} | {cells['MLPAdderRegressor']} | |",
        flush=True,
    )


def dedupe_case(epochs, n_pairs=1_000_000):
    train = fetch_mnist(subset="train")
    X, _ = make_arithmetic_pairs(
        train.data, train.target, n_pairs=n_pairs, random_state=0
    )
    images = train.data
    # The least any transform of the pairs can cost on this machine: reading
    # their pixels once, at the memory's speed, on all of torch's threads.
    pixels = torch.from_numpy(X)
    read_once = np.median([time_call(pixels.sum) for _ in "abc"])
    print(
        f"| reading the {n_pairs:,} pairs once ({X.nbytes / 1e9:.1f} GB, "
        f"median of 3) | | {read_once:.2f} s | |",
        flush=True,
    )
    # What every encoder pays on the pairs: hash each image, group the
    # hashes, compare each image in full with the first of its group.
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        first, _ = distinct_rows(X.reshape(-1, images.shape[1]))
        timings.append(time.perf_counter() - start)
    print(
        f"| finding the {len(first):,} distinct images of {n_pairs:,} pairs "
        f"(median of 3) | | {np.median(timings):.1f} s | |",
        flush=True,
    )
    for name, make in {
        # Early stopping off, so that both sides train the same epochs: the
        # distinct images of the pairs come in another order than the images,
        # so with it on, one side may stop an epoch before the other.
        "AutoencoderTransformer": lambda: AutoencoderTransformer(
            max_epochs=epochs, early_stopping=False, random_state=0
        ),
        "PCAEncoder": lambda: PCAEncoder(n_components=100),
    }.items():
        on_images = make().fit(images)
        fits = alternately(
            {
                "fit": lambda m=make: m().fit(images),
                "fit on pairs": lambda m=make: m().fit(X),
                "fit_transform on pairs": lambda m=make: m().fit_transform(X),
            },
            rounds=3,
        )
        transforms = alternately(
            {
                "transform": lambda e=on_images: e.transform(images),
                "transform of pairs": lambda e=on_images: e.transform(X),
            },
            rounds=5,
        )
        rows = [
            ("fit", fits["fit"], fits["fit on pairs"]),
            (
                "fit_transform (a Pipeline's fit)",
                fits["fit"],
                fits["fit_transform on pairs"],
            ),
            ("transform", transforms["transform"], transforms["transform of pairs"]),
        ]
        for method, on_images_seconds, on_pairs_seconds in rows:
            reference = "transform" if method == "transform" else "fit"
            ratios = np.divide(on_pairs_seconds, on_images_seconds)
            print(
                f"| {name}.{method} of {n_pairs:,} pairs vs .{reference} of "
                f"{len(images):,} images ({len(ratios)} rounds) | "
                f"{np.median(on_images_seconds):.1f} s | "
                f"{np.median(on_pairs_seconds):.1f} s | "
                f"{np.median(ratios):.3f} ({ratios.min():.3f}–{ratios.max():.3f}) |",
                flush=True,
            )


def alternately(functions, rounds):
    """Call each of ``functions`` (name to function) once per round, in an
    order that reverses every round; the times, name by name.

    Each round's ratios cancel slow drifts in the machine's speed, and the
    reversed order keeps any side from always running on a warm cache.
    """
    times = {name: [] for name in functions}
    for round_ in range(rounds):
        names = list(functions) if round_ % 2 == 0 else list(functions)[::-1]
        for name in names:
            times[name].append(time_call(functions[name]))
    return times


def seed_000_case():
    for options in (["--fine-tune"], []):
        command = [sys.executable, "-m", "sklarith", "reproduce", "seed-000", *options]
        start = time.perf_counter()
        output = subprocess.run(
            [*command, "--verbose=0"], capture_output=True, text=True, check=True
        ).stdout
        seconds = time.perf_counter() - start
        name = " ".join(["sklarith reproduce seed-000", *options])
        print(f"\n`{name}`, {seconds:.0f} s in all:\n")
        print("\n".join(output.splitlines()[3:]), flush=True)


SECTIONS = ["throughput", "pca", "adder", "dedupe", "seed-000"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="+", choices=SECTIONS, default=SECTIONS)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--dedupe-epochs", type=int, default=2)
    parser.add_argument(
        "--device", default="auto", help="'auto' (CUDA when available), 'cpu', 'cuda'"
    )
    args = parser.parse_args()
    device = resolve_device(args.device)
    print(header("python benchmarks/speed.py " + " ".join(sys.argv[1:])))
    print(f"torch threads: {torch.get_num_threads()}, training device: {device}\n")
    if "throughput" in args.only:
        warm_up()
        print(
            "| training | samples x epochs | plain loop, epochs | estimator, epochs "
            "| rate | ratio, epochs (range) | ratio, whole fit (range) |"
        )
        print("|---|---|---|---|---|---|---|")
        classifier_case(args.epochs, args.repeats, device)
        autoencoder_case(args.epochs, args.repeats, device)
        print()
    if {"pca", "adder", "dedupe"} & set(args.only):
        print("| measurement | reference | sklarith | ratio |")
        print("|---|---|---|---|")
    if "pca" in args.only:
        pca_case(max(args.repeats, 5))
    if "adder" in args.only:
        adder_case()
    if "dedupe" in args.only:
        dedupe_case(args.dedupe_epochs)
    if "seed-000" in args.only:
        seed_000_case()


if __name__ == "__main__":
    main()
