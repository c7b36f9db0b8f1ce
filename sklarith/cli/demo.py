"""``sklarith demo``: the headline Pipeline, trained and evaluated in one go."""

import contextlib
import io
import time

import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline

from .. import ArithmeticMultiOutputClassifier, AutoencoderTransformer
from ..datasets import fetch_mnist, load_digit_images, make_arithmetic_pairs

#: Demo settings per data set: (autoencoder, classifier, n_pairs), full and quick.
DEMO_SETTINGS = {
    "digits": {
        "autoencoder": {
            "n_components": 32,
            "image_shape": (8, 8),
            "batch_size": 64,
            "max_epochs": 30,
        },
        "classifier": {"max_epochs": 15},
        "n_pairs": 60_000,
        "quick": {"n_pairs": 20_000, "max_epochs": 8},
    },
    "mnist": {
        "autoencoder": {"n_components": 100, "max_epochs": 10},
        "classifier": {"max_epochs": 10},
        "n_pairs": 300_000,
        "quick": {"n_pairs": 50_000, "max_epochs": 3},
    },
}


def load_demo_data(choice, random_state=0):
    """Train and test images for the demo: MNIST when available, else digits.

    Returns ``(name, train_images, train_labels, test_images, test_labels)``.
    """
    if choice in ("auto", "mnist"):
        try:
            # torchvision reports each failed mirror on stdout; one line is ours.
            with contextlib.redirect_stdout(io.StringIO()):
                train = fetch_mnist(subset="train")
                test = fetch_mnist(subset="test")
            return "mnist", train.data, train.target, test.data, test.target
        except OSError as exc:
            if choice == "mnist":
                raise
            reason = str(exc).split(":")[0]
            print(f"{reason}; using scikit-learn's embedded 8x8 digits instead.")
    digits = load_digit_images()
    X_train, X_test, y_train, y_test = train_test_split(
        digits.data,
        digits.target,
        test_size=0.25,
        stratify=digits.target,
        random_state=random_state,
    )
    return "digits", X_train, y_train, X_test, y_test


def format_accuracy_table(Y_true, Y_pred):
    """Test accuracy per output, all outputs at once, and the majority rate."""
    columns = list(Y_true.columns)
    truth = Y_true.to_numpy()
    lines = [f"{'output':<14}{'accuracy':>10}{'chance':>10}"]
    for i, name in enumerate(columns):
        accuracy = np.mean(Y_pred[:, i] == truth[:, i])
        chance = Y_true[name].value_counts(normalize=True).iloc[0]
        lines.append(f"{name:<14}{accuracy:>10.2%}{chance:>10.2%}")
    all_right = np.mean(np.all(Y_pred == truth, axis=1))
    lines.append(f"{'all five':<14}{all_right:>10.2%}")
    return "\n".join(lines)


def format_worked_example(a, b, predicted, expected):
    """One line such as ``7 + 5 = 12 ✓   7 × 5 = 35 ✓   7 > 5 ✓``."""
    sum_units, sum_tens, product_units, product_tens, greater = predicted
    marks = ["✓" if p == e else "✗" for p, e in zip(predicted, expected, strict=True)]
    sum_mark = "✓" if marks[0] == marks[1] == "✓" else "✗"
    product_mark = "✓" if marks[2] == marks[3] == "✓" else "✗"
    relation = ">" if greater else "≤"
    return (
        f"{a} + {b} = {10 * sum_tens + sum_units:<3}{sum_mark}   "
        f"{a} × {b} = {10 * product_tens + product_units:<3}{product_mark}   "
        f"{a} {relation} {b} {marks[4]}"
    )


def demo(args):
    """Train the headline Pipeline and print test accuracy and examples."""
    start = time.perf_counter()
    name, X_train, y_train, X_test, y_test = load_demo_data(args.data)
    settings = DEMO_SETTINGS[name]
    n_pairs = settings["quick"]["n_pairs"] if args.quick else settings["n_pairs"]
    classifier_params = dict(settings["classifier"])
    autoencoder_params = dict(settings["autoencoder"])
    if args.quick:
        classifier_params["max_epochs"] = settings["quick"]["max_epochs"]
        autoencoder_params["max_epochs"] = settings["quick"]["max_epochs"]
    verbose = 0 if args.quiet else 1
    print(
        f"Data: {name}, {len(X_train):,} training and {len(X_test):,} test images; "
        f"{n_pairs:,} training pairs labelled with results only."
    )

    X, Y = make_arithmetic_pairs(
        X_train, y_train, n_pairs=n_pairs, random_state=args.random_state
    )
    X_eval, Y_eval, pairs = make_arithmetic_pairs(
        X_test,
        y_test,
        n_pairs=args.n_test_pairs,
        random_state=args.random_state + 1,
        return_indices=True,
    )
    pipeline = Pipeline(
        [
            (
                "enc",
                AutoencoderTransformer(
                    **autoencoder_params,
                    random_state=args.random_state,
                    verbose=verbose,
                ),
            ),
            (
                "arith",
                ArithmeticMultiOutputClassifier(
                    **classifier_params,
                    random_state=args.random_state,
                    verbose=verbose,
                ),
            ),
        ]
    )
    pipeline.fit(X, Y)
    Y_pred = pipeline.predict(X_eval)

    print(f"\nTest accuracy on {len(X_eval):,} pairs of unseen test images:")
    print(format_accuracy_table(Y_eval, Y_pred))
    print("\nWorked examples (digits shown for reading; the model saw only images):")
    for row in range(args.n_examples):
        a, b = y_test[pairs[row]]
        print("  " + format_worked_example(a, b, Y_pred[row], Y_eval.iloc[row]))
    print(f"\nDone in {time.perf_counter() - start:.0f} s.")


def add_data_options(parser):
    """``--data``, ``--quick`` and ``--quiet``, shared with ``sklarith compare``."""
    parser.add_argument(
        "--data",
        choices=["auto", "mnist", "digits"],
        default="auto",
        help="auto: MNIST when available (data home or download), else the "
        "embedded 8x8 digits",
    )
    parser.add_argument("--quick", action="store_true", help="fewer pairs and epochs")
    parser.add_argument("--quiet", action="store_true", help="no per-epoch progress")


def add_parser(commands):
    """Register ``sklarith demo`` on the ``argparse`` sub-parsers ``commands``."""
    parser = commands.add_parser(
        "demo",
        help="learn to add, multiply and compare digit images from results only",
        description="Train an autoencoder and an arithmetic classifier on pairs of "
        "digit images labelled with results only, then print the test accuracy of "
        "each output and worked examples.",
    )
    add_data_options(parser)
    parser.add_argument("--n-test-pairs", type=int, default=10_000)
    parser.add_argument("--n-examples", type=int, default=6)
    parser.add_argument("--random-state", type=int, default=0)
    parser.set_defaults(func=demo)
