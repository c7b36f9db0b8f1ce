"""``sklarith reproduce seed-000``: the seed experiment, whole, on MNIST.

The autoencoder learns codes of the 60,000 MNIST training images; the
arithmetic classifier learns the five results (sum units and tens, product
units and tens, a > b) of 1,000,000 random pairs of training images from their
codes; both are tested on pairs drawn only from the 10,000 test images. By
default the encoder is frozen, as in the seed (``Pipeline`` with
``FrozenEstimator``); ``--fine-tune`` trains a copy of it with the heads
(``ArithmeticMultiOutputClassifier(encoder=...)``).
"""

import time

import numpy as np
from sklearn.frozen import FrozenEstimator
from sklearn.pipeline import Pipeline

from .. import ArithmeticMultiOutputClassifier, AutoencoderTransformer
from ..datasets import SEED_TARGETS, fetch_mnist, make_arithmetic_pairs
from ..metrics import reconstruction_bce
from ._report import header, peak_memory_mib

#: The seed's test accuracy (%) per output, and its autoencoder's test BCE.
SEED_ACCURACY = dict(zip(SEED_TARGETS, [95.4, 98.0, 96.3, 96.8, 98.0], strict=True))
SEED_BCE = 0.0706

#: Epochs over the 1,000,000 pairs: the learning rate decays batch by batch,
#: so a few passes settle the weights; these keep the whole run within 10
#: minutes on 2 CPU cores.
CLASSIFIER_EPOCHS = {"frozen": 3, "fine-tuned": 1}


def accuracy_per_output(model, X, Y):
    """Test accuracy (%) of each output, and of all five at once."""
    right = model.predict(X) == Y.to_numpy()
    per_output = dict(zip(Y.columns, right.mean(axis=0) * 100, strict=True))
    return per_output, np.all(right, axis=1).mean() * 100


def build_classifier(autoencoder, fine_tune, max_epochs, seed, verbose):
    """The seed's frozen-encoder Pipeline, or the fine-tuning classifier."""
    if fine_tune:
        return ArithmeticMultiOutputClassifier(
            encoder=autoencoder,
            max_epochs=max_epochs,
            random_state=seed,
            verbose=verbose,
        )
    classifier = ArithmeticMultiOutputClassifier(
        max_epochs=max_epochs, random_state=seed, verbose=verbose
    )
    return Pipeline([("enc", FrozenEstimator(autoencoder)), ("arith", classifier)])


def reproduce(*, n_pairs, n_test_pairs, fine_tune, max_epochs, seed, verbose):
    """Run the experiment; return a dict of the figures it prints."""
    start = time.perf_counter()
    train, test = fetch_mnist(subset="train"), fetch_mnist(subset="test")
    autoencoder = AutoencoderTransformer(random_state=seed, verbose=verbose)
    autoencoder.fit(train.data)
    autoencoder_seconds = time.perf_counter() - start
    bce = reconstruction_bce(autoencoder, test.data)
    print(
        f"autoencoder: test BCE {bce:.4f} (seed: {SEED_BCE}) after "
        f"{autoencoder_seconds:.0f} s",
        flush=True,
    )

    X, Y = make_arithmetic_pairs(
        train.data, train.target, n_pairs=n_pairs, random_state=seed
    )
    classifier = build_classifier(autoencoder, fine_tune, max_epochs, seed, verbose)
    classifier.fit(X, Y)
    del X, Y
    X_test, Y_test = make_arithmetic_pairs(
        test.data, test.target, n_pairs=n_test_pairs, random_state=seed + 1
    )
    per_output, all_five = accuracy_per_output(classifier, X_test, Y_test)
    return {
        "bce": bce,
        "per_output": per_output,
        "all_five": all_five,
        "seconds": time.perf_counter() - start,
        "peak_memory_mib": peak_memory_mib(),
    }


def format_table(figures, label):
    """Markdown table: the seed's row and ours."""
    names = list(SEED_TARGETS)
    seed_cells = " | ".join(f"{SEED_ACCURACY[name]:.1f}" for name in names)
    our_cells = " | ".join(f"{figures['per_output'][name]:.2f}" for name in names)
    return "\n".join(
        [
            "| classifier | " + " | ".join(names) + " | all five |",
            "|---" * (len(names) + 2) + "|",
            f"| seed (Keras, frozen encoder) | {seed_cells} | |",
            f"| {label} | {our_cells} | {figures['all_five']:.2f} |",
        ]
    )


def command_line(args):
    """The command line that reproduces a run with the options of ``args``."""
    words = ["sklarith reproduce seed-000"]
    if args.fine_tune:
        words.append("--fine-tune")
    for option in ("n_pairs", "n_test_pairs", "max_epochs", "random_state"):
        value = getattr(args, option)
        if value is not None:
            words.append(f"--{option.replace('_', '-')} {value}")
    return " ".join(words)


def run(args):
    """The ``sklarith reproduce seed-000`` command."""
    print(header(command_line(args)), flush=True)
    kind = "fine-tuned" if args.fine_tune else "frozen"
    max_epochs = args.max_epochs or CLASSIFIER_EPOCHS[kind]
    figures = reproduce(
        n_pairs=args.n_pairs or 1_000_000,
        n_test_pairs=args.n_test_pairs or 100_000,
        fine_tune=args.fine_tune,
        max_epochs=max_epochs,
        seed=args.random_state or 0,
        verbose=args.verbose,
    )
    print()
    print(format_table(figures, f"sklarith, {kind} encoder, {max_epochs} epoch(s)"))
    print(
        f"\nWall time {figures['seconds']:.0f} s, peak memory "
        f"{figures['peak_memory_mib']:,.0f} MiB."
    )
    return figures


def add_parser(experiments):
    """Register ``seed-000`` on the ``reproduce`` sub-parsers."""
    parser = experiments.add_parser(
        "seed-000",
        help="the seed experiment: arithmetic on MNIST digits from results only",
        description="Train the autoencoder on the 60,000 MNIST training images "
        "and the arithmetic classifier on 1,000,000 pairs of them labelled with "
        "five results only; print the test accuracy of each output on 100,000 "
        "pairs of test images beside the seed's, the wall time and the peak "
        "memory.",
    )
    parser.add_argument(
        "--fine-tune",
        action="store_true",
        help="train a copy of the encoder with the heads instead of freezing it",
    )
    parser.add_argument("--n-pairs", type=int, help="training pairs (1,000,000)")
    parser.add_argument("--n-test-pairs", type=int, help="test pairs (100,000)")
    parser.add_argument(
        "--max-epochs",
        type=int,
        help=f"classifier epochs (frozen: {CLASSIFIER_EPOCHS['frozen']}, "
        f"fine-tuned: {CLASSIFIER_EPOCHS['fine-tuned']})",
    )
    parser.add_argument("--random-state", type=int)
    parser.add_argument(
        "--verbose", type=int, default=1, help="0: no per-epoch tables (default: 1)"
    )
    parser.set_defaults(func=run)
