"""The seed-000 experiment on MNIST: learn arithmetic on digits from results only.

The autoencoder is trained on the 60,000 MNIST training images; the arithmetic
classifier on random pairs of training images labelled with the five results
only (sum units and tens, product units and tens, a > b); both are evaluated on
pairs drawn only from the 10,000 test images. Two classifiers are measured:

- frozen: the seed's setup, ``Pipeline([("enc", FrozenEstimator(autoencoder)),
  ("arith", ArithmeticMultiOutputClassifier())])`` on the pixels of the pairs;
- fine-tuned: ``ArithmeticMultiOutputClassifier(encoder=autoencoder)``, which
  trains a copy of the encoder with the heads, on augmented images.

Run:  python benchmarks/seed_000.py [--n-pairs 1000000] [--n-fine-tune-pairs 150000]
"""

import argparse
import sys
import time

import numpy as np
from sklearn.frozen import FrozenEstimator
from sklearn.pipeline import Pipeline

from sklarith import ArithmeticMultiOutputClassifier, AutoencoderTransformer
from sklarith.datasets import SEED_TARGETS, fetch_mnist, make_arithmetic_pairs
from sklarith.metrics import reconstruction_bce

from _common import header, peak_memory_mib

SEED_ACCURACY = dict(zip(SEED_TARGETS, [95.4, 98.0, 96.3, 96.8, 98.0], strict=True))
SEED_BCE = 0.0706


def accuracy_per_output(model, X, Y):
    Y_pred = model.predict(X)
    truth = Y.to_numpy()
    per_output = (Y_pred == truth).mean(axis=0) * 100
    return dict(zip(Y.columns, per_output, strict=True)), np.mean(
        np.all(Y_pred == truth, axis=1)
    ) * 100


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n-pairs", type=int, default=1_000_000)
    parser.add_argument("--n-fine-tune-pairs", type=int, default=150_000)
    parser.add_argument("--n-test-pairs", type=int, default=100_000)
    parser.add_argument("--random-state", type=int, default=0)
    args = parser.parse_args()
    print(header("python benchmarks/seed_000.py " + " ".join(sys.argv[1:])))
    seed = args.random_state

    train, test = fetch_mnist(subset="train"), fetch_mnist(subset="test")
    X_test, Y_test = make_arithmetic_pairs(
        test.data, test.target, n_pairs=args.n_test_pairs, random_state=seed + 1
    )

    start = time.perf_counter()
    autoencoder = AutoencoderTransformer(random_state=seed, verbose=1)
    autoencoder.fit(train.data)
    ae_time = time.perf_counter() - start
    bce = reconstruction_bce(autoencoder, test.data)
    print(f"autoencoder: test BCE {bce:.4f} in {ae_time:.0f} s", flush=True)

    rows = {}
    start = time.perf_counter()
    X, Y = make_arithmetic_pairs(
        train.data, train.target, n_pairs=args.n_pairs, random_state=seed
    )
    frozen = Pipeline(
        [
            ("enc", FrozenEstimator(autoencoder)),
            ("arith", ArithmeticMultiOutputClassifier(random_state=seed, verbose=1)),
        ]
    ).fit(X, Y)
    rows["frozen"] = (
        *accuracy_per_output(frozen, X_test, Y_test),
        args.n_pairs,
        time.perf_counter() - start,
    )
    del X, Y
    print(f"frozen: {rows['frozen']}", flush=True)

    start = time.perf_counter()
    X, Y = make_arithmetic_pairs(
        train.data, train.target, n_pairs=args.n_fine_tune_pairs, random_state=seed
    )
    fine_tuned = ArithmeticMultiOutputClassifier(
        encoder=autoencoder, max_epochs=8, random_state=seed, verbose=1
    ).fit(X, Y)
    rows["fine-tuned"] = (
        *accuracy_per_output(fine_tuned, X_test, Y_test),
        args.n_fine_tune_pairs,
        time.perf_counter() - start,
    )

    names = list(SEED_TARGETS)
    print(f"\nAutoencoder test BCE: {bce:.4f} (seed {SEED_BCE}), fit {ae_time:.0f} s")
    print(f"Test accuracy (%) on {args.n_test_pairs:,} pairs of test images:\n")
    print("| classifier | " + " | ".join(names) + " | all five | pairs | time |")
    print("|---" * (len(names) + 4) + "|")
    seed_row = " | ".join(f"{SEED_ACCURACY[n]:.1f}" for n in names)
    print(f"| seed (Keras, frozen) | {seed_row} | | | |")
    for name, (per_output, all_right, n_pairs, seconds) in rows.items():
        cells = " | ".join(f"{per_output[n]:.2f}" for n in names)
        print(f"| {name} | {cells} | {all_right:.2f} | {n_pairs:,} | {seconds:.0f} s |")
    print(f"\npeak memory: {peak_memory_mib():,.0f} MiB")


if __name__ == "__main__":
    main()
