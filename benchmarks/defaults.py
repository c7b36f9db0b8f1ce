"""What the defaults reach: the headline Pipeline with no parameter set.

A new user's first try: ``Pipeline([("enc", AutoencoderTransformer(
image_shape=(8, 8))), ("arith", ArithmeticMultiOutputClassifier())])``, every
other parameter at its default, fitted on 20,000 pairs of the bundled 8x8
digits' training images (three quarters of them, the split every experiment
uses) and scored on 10,000 pairs of the held-out quarter. Each random state
draws its own pairs and initial weights; the table gives the mean and the
standard deviation over the runs of each output's accuracy, of all five right,
of the epochs each step trained and of the wall time.

Run:  python benchmarks/defaults.py [--random-states 0 1 2] [--output DIR]
      [--encoder-params JSON] [--classifier-params JSON]

The two ``--*-params`` options override defaults, to compare candidates.
"""

import argparse
import json
import time

from sklearn.pipeline import Pipeline

from sklarith import ArithmeticMultiOutputClassifier, AutoencoderTransformer
from sklarith._experiments import format_figures, write
from sklarith._experiments._common import accuracy_per_output, split_digits
from sklarith._experiments._results import Figures, mean_std, to_markdown
from sklarith.datasets import make_arithmetic_pairs

N_PAIRS = 20_000
N_TEST_PAIRS = 10_000


def one_run(images, random_state, encoder_params, classifier_params):
    X, Y = make_arithmetic_pairs(
        images.train_images,
        images.train_labels,
        n_pairs=N_PAIRS,
        random_state=random_state,
    )
    X_test, Y_test = make_arithmetic_pairs(
        images.test_images,
        images.test_labels,
        n_pairs=N_TEST_PAIRS,
        random_state=random_state + 1000,
    )
    model = Pipeline(
        [
            (
                "enc",
                AutoencoderTransformer(
                    image_shape=(8, 8), random_state=random_state, **encoder_params
                ),
            ),
            (
                "arith",
                ArithmeticMultiOutputClassifier(
                    random_state=random_state, **classifier_params
                ),
            ),
        ]
    )
    start = time.perf_counter()
    model.fit(X, Y)
    seconds = time.perf_counter() - start
    per_output, all_right = accuracy_per_output(model, X_test, Y_test)
    return {
        "random_state": random_state,
        "accuracy": per_output,
        "all_right": all_right,
        "encoder_epochs": len(model["enc"].history_),
        "classifier_epochs": len(model["arith"].history_),
        "seconds": seconds,
    }


def table(runs):
    outputs = list(runs[0]["accuracy"])
    rows = [
        [name, mean_std([run["accuracy"][name] for run in runs], 100, 1)]
        for name in outputs
    ]
    rows.append(
        ["all five right", mean_std([run["all_right"] for run in runs], 100, 1)]
    )
    rows.append(
        [
            "autoencoder epochs",
            mean_std([run["encoder_epochs"] for run in runs], digits=1),
        ]
    )
    rows.append(
        [
            "classifier epochs",
            mean_std([run["classifier_epochs"] for run in runs], digits=1),
        ]
    )
    rows.append(["wall time (s)", mean_std([run["seconds"] for run in runs], digits=1)])
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--random-states", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--encoder-params", type=json.loads, default={})
    parser.add_argument("--classifier-params", type=json.loads, default={})
    parser.add_argument("--output", metavar="DIR", help="write the results files")
    args = parser.parse_args()
    start = time.perf_counter()
    images = split_digits()
    runs = []
    for random_state in args.random_states:
        runs.append(
            one_run(images, random_state, args.encoder_params, args.classifier_params)
        )
        print(json.dumps(runs[-1]), flush=True)
    command = "python benchmarks/defaults.py"
    if args.random_states != [0, 1, 2]:
        command += " --random-states " + " ".join(map(str, args.random_states))
    for name in ("encoder_params", "classifier_params"):
        if getattr(args, name):
            option = "--" + name.replace("_", "-")
            command += f" {option} '{json.dumps(getattr(args, name))}'"
    figures = Figures(
        "defaults",
        command,
        {
            "random_states": args.random_states,
            "encoder_params": args.encoder_params,
            "classifier_params": args.classifier_params,
        },
        {
            "header": ["output (held-out pairs)", "mean ± std over runs"],
            "rows": table(runs),
            "runs": runs,
            "notes": [
                f"{len(runs)} runs (random states "
                f"{', '.join(map(str, args.random_states))}), {N_PAIRS:,} training "
                f"and {N_TEST_PAIRS:,} test pairs of the bundled 8x8 digits; "
                "accuracies in %."
            ],
        },
        seconds=time.perf_counter() - start,
    )
    print(to_markdown(figures, format_figures(figures)), end="")
    if args.output:
        write(figures, args.output)


if __name__ == "__main__":
    main()
