"""What the digit start from clusters costs on a few hundred rows.

``DigitArithmeticClassifier(digit_init="clusters")``, what the default
``"auto"`` runs for pairs and numbers, first clusters the images and fits
the cluster digits to the results, then trains the network on those digits
for about 300 optimizer steps, before the results alone;
``digit_init="random"`` starts from random weights. On a few hundred rows
that start must cost about what the fit costs, not a minute.
This benchmark fits both, every other parameter at its default, on rows of
pairs of scikit-learn's 8x8 digits labelled with the five results of the
arithmetic experiment, and reports the fit time and the share of held-out
pairs with all five results right, per number of training pairs, over
three random states.

Run:  python benchmarks/digit_start_cost.py [--n-pairs 300 1000]
      [--random-states 0 1 2] [--output DIR]
"""

import argparse
import time
import warnings

from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from sklarith import DigitArithmeticClassifier
from sklarith.datasets import load_digit_images, make_arithmetic_pairs
from sklarith.experiments import Figures, format_figures, mean_std, to_markdown, write

STARTS = ("random", "clusters")


def one_fit(digit_init, n_pairs, random_state, images):
    train_images, test_images, train_labels, test_labels = images
    X, Y = make_arithmetic_pairs(
        train_images, train_labels, n_pairs=n_pairs, random_state=random_state
    )
    X_test, Y_test = make_arithmetic_pairs(
        test_images, test_labels, n_pairs=2000, random_state=random_state + 1
    )
    start = time.perf_counter()
    with warnings.catch_warnings():
        # Defaults on a few hundred rows: the point is the time, not whether
        # max_epochs="auto" was enough.
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = DigitArithmeticClassifier(
            digit_init=digit_init, random_state=random_state
        ).fit(X, Y)
    seconds = time.perf_counter() - start
    return {
        "digit_init": digit_init,
        "n_pairs": n_pairs,
        "random_state": random_state,
        "seconds": seconds,
        "accuracy": float(clf.score(X_test, Y_test)),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n-pairs", type=int, nargs="+", default=[300, 1000])
    parser.add_argument("--random-states", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--output", metavar="DIR", help="write the results files")
    args = parser.parse_args()
    start = time.perf_counter()
    digits = load_digit_images()
    images = train_test_split(
        digits.data,
        digits.target,
        test_size=0.25,
        stratify=digits.target,
        random_state=0,
    )
    # torch loads parts of itself at the first fit of a process (seconds):
    # not a cost of either start.
    one_fit("random", 20, 0, images)
    runs = [
        one_fit(digit_init, n_pairs, random_state, images)
        for n_pairs in args.n_pairs
        for random_state in args.random_states
        for digit_init in STARTS
    ]
    rows = []
    for n_pairs in args.n_pairs:
        of = {
            init: [
                r for r in runs if r["n_pairs"] == n_pairs and r["digit_init"] == init
            ]
            for init in STARTS
        }
        rows.append(
            [
                f"{n_pairs:,}",
                *(mean_std([r["seconds"] for r in of[init]], 1, 1) for init in STARTS),
                *(
                    mean_std([r["accuracy"] for r in of[init]], 100, 1)
                    for init in STARTS
                ),
            ]
        )
    command = "python benchmarks/digit_start_cost.py"
    if args.n_pairs != [300, 1000]:
        command += " --n-pairs " + " ".join(map(str, args.n_pairs))
    if args.random_states != [0, 1, 2]:
        command += " --random-states " + " ".join(map(str, args.random_states))
    figures = Figures(
        "digit-start-cost",
        command,
        {"n_pairs": args.n_pairs, "random_states": args.random_states},
        {
            "header": [
                "training pairs",
                "fit (s), random start",
                "fit (s), clusters start",
                "all five right (%), random",
                "all five right (%), clusters",
            ],
            "rows": rows,
            "runs": runs,
            "notes": [
                f"DigitArithmeticClassifier with every parameter at its default but "
                f"digit_init, on pairs of scikit-learn's 8x8 digits (training pairs "
                f"from 1,347 images, 2,000 test pairs from the other 450), mean ± "
                f"std over random states {', '.join(map(str, args.random_states))}."
            ],
        },
        seconds=time.perf_counter() - start,
    )
    print(to_markdown(figures, format_figures(figures)), end="")
    if args.output:
        write(figures, args.output)


if __name__ == "__main__":
    main()
