"""What the defaults reach: README's snippets with no parameter set.

``--data digits`` (the default): a new user's first try on the bundled 8x8
digits, ``Pipeline([("enc", AutoencoderTransformer(image_shape=(8, 8))),
("arith", ArithmeticMultiOutputClassifier())])``, every other parameter at its
default, fitted on 20,000 pairs of three quarters of the images (the split
every experiment uses) and scored on 10,000 pairs of the held-out quarter.

``--data mnist``: README's code as written, on MNIST: 100,000 pairs of the
training images, 10,000 pairs of the test images. ``--snippet`` picks the
line of README measured:

- ``pipeline``: the autoencoder and the classifier in a Pipeline, fitted
  together;
- ``grid-search``: the autoencoder fitted once on the training pairs and
  frozen, and a 3-fold ``GridSearchCV`` of the Pipeline over the
  classifier's ``hidden_layer_sizes`` ``(250,)`` and ``(1000,)``; the time
  is the search's, refit included, and the autoencoder's is given beside
  it;
- ``fine-tune``: the classifier with ``encoder=FrozenEstimator(encoder)``
  (the same autoencoder), which fine-tunes a copy of its encoder on
  augmented images.

Each random state R draws its own training pairs (R) and test pairs
(R + 1000) and seeds the estimators (``random_state=R``, the only parameter
README leaves out). The table gives the mean and the standard deviation over
the runs of each output's accuracy, of all five right, of the epochs each
network trained and of the wall times. Each finished run is kept in
``--output`` at once, and a rerun of the same command resumes after it.

Run:  python benchmarks/defaults.py [--data digits|mnist]
      [--snippet pipeline|grid-search|fine-tune] [--random-states 0 1 2]
      [--output DIR] [--encoder-params JSON] [--classifier-params JSON]

The two ``--*-params`` options override defaults, to compare candidates.
"""

import argparse
import json
import time
from pathlib import Path

from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from sklarith import ArithmeticMultiOutputClassifier, AutoencoderTransformer
from sklarith.datasets import fetch_mnist, make_arithmetic_pairs
from sklarith.experiments import (
    Figures,
    format_figures,
    mean_std,
    read_figures,
    split_digits,
    stem,
    write,
)

#: Training and test pairs of each data set.
N_PAIRS = {"digits": 20_000, "mnist": 100_000}
N_TEST_PAIRS = 10_000

#: The grid and folds of README's GridSearchCV line.
GRID = {"arith__hidden_layer_sizes": [(250,), (1000,)]}
CV = 3


def images(data):
    """``(train images, train labels, test images, test labels, image_shape)``."""
    if data == "mnist":
        train, test = fetch_mnist(subset="train"), fetch_mnist(subset="test")
        return train.data, train.target, test.data, test.target, (28, 28)
    digits = split_digits()
    return (
        digits.train_images,
        digits.train_labels,
        digits.test_images,
        digits.test_labels,
        (8, 8),
    )


def accuracy_per_output(model, X, Y):
    right = model.predict(X) == Y.to_numpy()
    return dict(zip(Y.columns, right.mean(axis=0).tolist(), strict=True)), float(
        right.all(axis=1).mean()
    )


def one_run(data, snippet, random_state, encoder_params, classifier_params):
    train_X, train_y, test_X, test_y, image_shape = images(data)
    X, Y = make_arithmetic_pairs(
        train_X, train_y, n_pairs=N_PAIRS[data], random_state=random_state
    )
    X_test, Y_test = make_arithmetic_pairs(
        test_X, test_y, n_pairs=N_TEST_PAIRS, random_state=random_state + 1000
    )
    # README's lines leave image_shape at its default, MNIST's.
    shape = {} if image_shape == (28, 28) else {"image_shape": image_shape}

    def encoder():
        return AutoencoderTransformer(
            random_state=random_state, **shape, **encoder_params
        )

    def classifier(**params):
        return ArithmeticMultiOutputClassifier(
            random_state=random_state, **classifier_params, **params
        )

    result = {"random_state": random_state}
    if snippet == "pipeline":
        model = Pipeline([("enc", encoder()), ("arith", classifier())])
        start = time.perf_counter()
        model.fit(X, Y)
        result["seconds"] = time.perf_counter() - start
        result["encoder_epochs"] = len(model["enc"].history_)
        result["classifier_epochs"] = len(model["arith"].history_)
    else:
        start = time.perf_counter()
        fitted_encoder = encoder().fit(X)
        result["encoder_seconds"] = time.perf_counter() - start
        result["encoder_epochs"] = len(fitted_encoder.history_)
        start = time.perf_counter()
        if snippet == "grid-search":
            pipe = Pipeline(
                [("enc", FrozenEstimator(fitted_encoder)), ("arith", classifier())]
            )
            model = GridSearchCV(pipe, GRID, cv=CV).fit(X, Y)
            result["best_params"] = {
                name: list(value) for name, value in model.best_params_.items()
            }
            result["classifier_epochs"] = len(model.best_estimator_["arith"].history_)
        else:
            model = classifier(encoder=FrozenEstimator(fitted_encoder)).fit(X, Y)
            result["classifier_epochs"] = len(model.history_)
        result["seconds"] = time.perf_counter() - start
    result["accuracy"], result["all_right"] = accuracy_per_output(model, X_test, Y_test)
    return result


def table(runs):
    outputs = list(runs[0]["accuracy"])
    rows = [
        [name, mean_std([run["accuracy"][name] for run in runs], 100, 2)]
        for name in outputs
    ]
    rows.append(
        ["all five right", mean_std([run["all_right"] for run in runs], 100, 2)]
    )
    for key, label in [
        ("encoder_epochs", "autoencoder epochs"),
        ("classifier_epochs", "classifier epochs"),
        ("encoder_seconds", "autoencoder fit (s)"),
        ("seconds", "fit (s)"),
    ]:
        if key in runs[0]:
            rows.append([label, mean_std([run[key] for run in runs], digits=1)])
    return rows


def command_line(args):
    words = ["python benchmarks/defaults.py"]
    if args.data != "digits":
        words.append(f"--data {args.data}")
    if args.snippet != "pipeline":
        words.append(f"--snippet {args.snippet}")
    if args.random_states != [0, 1, 2]:
        words.append("--random-states " + " ".join(map(str, args.random_states)))
    for name in ("encoder_params", "classifier_params"):
        if getattr(args, name):
            option = "--" + name.replace("_", "-")
            words.append(f"{option} '{json.dumps(getattr(args, name))}'")
    return " ".join(words)


def description(args, runs):
    if args.data == "mnist":
        pairs = (
            f"{N_PAIRS['mnist']:,} training pairs of MNIST's 60,000 training "
            f"images and {N_TEST_PAIRS:,} test pairs of its 10,000 test images"
        )
    else:
        pairs = (
            f"{N_PAIRS['digits']:,} training and {N_TEST_PAIRS:,} test pairs of "
            "the bundled 8x8 digits"
        )
    snippet = {
        "pipeline": "the autoencoder and the classifier fitted together in a Pipeline",
        "grid-search": "the autoencoder fitted on the training pairs, frozen, "
        f"and a {CV}-fold GridSearchCV of the Pipeline over hidden_layer_sizes "
        "(250,) and (1000,) (fit: the search, refit included)",
        "fine-tune": "ArithmeticMultiOutputClassifier(encoder=FrozenEstimator("
        "encoder)), which fine-tunes a copy of the encoder of the autoencoder "
        "fitted on the training pairs (fit: the classifier's)",
    }[args.snippet]
    states = ", ".join(str(run["random_state"]) for run in runs)
    runs_text = (
        "1 run (random state" if len(runs) == 1 else f"{len(runs)} runs (random states"
    )
    return (
        f"{runs_text} {states}) of {snippet}, every parameter at its default; "
        f"{pairs}; accuracies in %."
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", choices=["digits", "mnist"], default="digits")
    parser.add_argument(
        "--snippet",
        choices=["pipeline", "grid-search", "fine-tune"],
        default="pipeline",
    )
    parser.add_argument("--random-states", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--encoder-params", type=json.loads, default={})
    parser.add_argument("--classifier-params", type=json.loads, default={})
    parser.add_argument("--output", metavar="DIR", help="write the results files")
    args = parser.parse_args()
    command = command_line(args)
    path = Path(args.output or ".") / f"{stem(command)}.json"
    runs, seconds = [], 0.0
    if args.output and path.exists():
        kept = read_figures(path)
        runs, seconds = list(kept.results["runs"]), kept.seconds or 0.0
    done = {run["random_state"] for run in runs}
    for random_state in args.random_states:
        if random_state in done:
            continue
        start = time.perf_counter()
        runs.append(
            one_run(
                args.data,
                args.snippet,
                random_state,
                args.encoder_params,
                args.classifier_params,
            )
        )
        seconds += time.perf_counter() - start
        print(json.dumps(runs[-1]), flush=True)
        if args.output:
            write(figures_of(args, command, runs, seconds), args.output)
    print(format_figures(figures_of(args, command, runs, seconds)))


def figures_of(args, command, runs, seconds):
    return Figures(
        "defaults",
        command,
        {
            "data": args.data,
            "snippet": args.snippet,
            "random_states": args.random_states,
            "encoder_params": args.encoder_params,
            "classifier_params": args.classifier_params,
        },
        {
            "header": ["output (held-out pairs)", "mean ± std over runs"],
            "rows": table(runs),
            "runs": runs,
            "notes": [description(args, runs)],
        },
        seconds=seconds,
    )


if __name__ == "__main__":
    main()
