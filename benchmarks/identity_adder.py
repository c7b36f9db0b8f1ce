"""The seed-002 experiment on MNIST: read a digit and add a random integer to it.

The seed's protocol: each of the 60,000 MNIST training images gets a random
integer 0-9; 48,000 of them train the network and the other 12,000 are held
out for validation (here: early stopping with the best weights, through
``validation_fraction=0.2``); the 10,000 MNIST test images, each with its own
random integer, are the evaluation set. Reported: the accuracy of the digit,
of the sum and of both, on the test images and on the 12,000 held out, the
number of parameters and the wall time of the fit.

Run:  python benchmarks/identity_adder.py [--max-epochs 15] [--no-augment] ...
"""

import argparse
import sys
import time

import numpy as np

from sklarith import IdentityAdderClassifier
from sklarith.datasets import fetch_mnist, make_identity_adder

from _common import header, peak_memory_mib

# The seed's figures: both right on its 12,000 held-out images; digit and
# sum on the 10,000 test images.
SEED_VALIDATION_BOTH = 98.84
SEED_TEST_DIGIT, SEED_TEST_SUM = 99.16, 99.12


def accuracies(model, X, y):
    """Accuracy (%) of the digit, of the sum and of both."""
    right = model.predict(X) == np.asarray(y)
    return (*(right.mean(axis=0) * 100), right.all(axis=1).mean() * 100)


def main():
    defaults = IdentityAdderClassifier().get_params()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--max-epochs", type=int, default=defaults["max_epochs"])
    parser.add_argument("--batch-size", type=int, default=defaults["batch_size"])
    parser.add_argument("--lr", type=float, default=defaults["lr"])
    parser.add_argument(
        "--channels", type=int, nargs="+", default=list(defaults["channels"])
    )
    parser.add_argument(
        "--hidden-layer-sizes",
        type=int,
        nargs="+",
        default=list(defaults["hidden_layer_sizes"]),
    )
    parser.add_argument("--dropout", type=float, default=defaults["dropout"])
    parser.add_argument(
        "--n-iter-no-change", type=int, default=defaults["n_iter_no_change"]
    )
    parser.add_argument("--no-augment", action="store_true")
    parser.add_argument("--random-state", type=int, default=0)
    args = parser.parse_args()
    print(header("python benchmarks/identity_adder.py " + " ".join(sys.argv[1:])))
    seed = args.random_state

    train, test = fetch_mnist(subset="train"), fetch_mnist(subset="test")
    X, y = make_identity_adder(train.data, train.target, random_state=seed)
    X_test, y_test = make_identity_adder(test.data, test.target, random_state=seed + 1)

    clf = IdentityAdderClassifier(
        channels=tuple(args.channels),
        hidden_layer_sizes=tuple(args.hidden_layer_sizes),
        dropout=args.dropout,
        augment=not args.no_augment,
        max_epochs=args.max_epochs,
        batch_size=args.batch_size,
        lr=args.lr,
        validation_fraction=0.2,
        n_iter_no_change=args.n_iter_no_change,
        random_state=seed,
        verbose=1,
    )
    start = time.perf_counter()
    clf.fit(X, y)
    seconds = time.perf_counter() - start

    valid_split = clf.net_.train_split
    _, valid = valid_split(np.arange(len(X)))
    X_valid, y_valid = X[valid.indices], y.iloc[valid.indices]
    n_parameters = sum(p.numel() for p in clf.net_.module_.parameters())
    epochs = len(clf.history_)
    best = int(np.argmin(clf.history_[:, "valid_loss"])) + 1
    rows = {
        f"held out ({len(X_valid):,} training images)": accuracies(
            clf, X_valid, y_valid
        ),
        f"test ({len(X_test):,} test images)": accuracies(clf, X_test, y_test),
    }

    print(
        f"\nTrained on {len(X) - len(X_valid):,} images: {epochs} epochs "
        f"(best {best}), {n_parameters:,} parameters, {seconds:.0f} s.\n"
    )
    print("| evaluated on | digit | sum | both right |")
    print("|---|---|---|---|")
    print(f"| seed, held out | | | {SEED_VALIDATION_BOTH:.2f} |")
    print(f"| seed, test | {SEED_TEST_DIGIT:.2f} | {SEED_TEST_SUM:.2f} | |")
    for name, (digit, total, both) in rows.items():
        print(f"| {name} | {digit:.2f} | {total:.2f} | {both:.2f} |")
    print(f"\npeak memory: {peak_memory_mib():,.0f} MiB")


if __name__ == "__main__":
    main()
