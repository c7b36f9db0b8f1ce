"""What reproducible fits in threads cost a two-thread grid search.

Each fit owns its random streams (its initial weights are drawn under a lock,
everything else from generators of its own), so a grid search reproduces its
scores whichever joblib backend runs it. The alternative design, one lock
around every fit in a process, would run the fits of a threading backend one
after the other: as fast as ``n_jobs=1``. This script times the same grid
search (4 candidates x 2 folds of ``ArithmeticMultiOutputClassifier`` on
pairs of the bundled 8x8 digits' codes) one by one, on two threads and on two
processes, and checks that the three give the same scores.

Run:  python benchmarks/concurrency.py [--n-pairs N] [--output DIR]
"""

import argparse
import time

import joblib
import numpy as np
import torch
from sklearn.model_selection import GridSearchCV, KFold

from sklarith import ArithmeticMultiOutputClassifier, PCAEncoder
from sklarith.datasets import make_arithmetic_pairs
from sklarith.experiments import (
    Figures,
    format_figures,
    split_digits,
    to_markdown,
    write,
)

#: The backends timed: label, joblib backend, n_jobs.
BACKENDS = [
    ("one by one (what a lock around every fit gives)", "sequential", 1),
    ("two threads, each fit with its own streams", "threading", 2),
    ("two processes", "loky", 2),
]


def search_scores(X, Y, backend, n_jobs):
    search = GridSearchCV(
        ArithmeticMultiOutputClassifier(max_epochs=3, device="cpu"),
        {"hidden_layer_sizes": [(64,), (256,)], "random_state": [0, 1]},
        cv=KFold(2),
        n_jobs=n_jobs,
        refit=False,
    )
    start = time.perf_counter()
    with joblib.parallel_backend(backend):
        search.fit(X, Y)
    seconds = time.perf_counter() - start
    scores = np.stack([search.cv_results_[f"split{k}_test_score"] for k in (0, 1)])
    return seconds, scores


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n-pairs", type=int, default=20_000)
    parser.add_argument("--output", metavar="DIR", help="write the results files")
    args = parser.parse_args()
    start = time.perf_counter()
    images = split_digits()
    encoder = PCAEncoder(n_components=16, image_shape=(8, 8)).fit(images.train_images)
    X, Y = make_arithmetic_pairs(
        images.train_images, images.train_labels, n_pairs=args.n_pairs, random_state=0
    )
    codes = encoder.transform(X)
    # One fit first, so that no timed run pays torch's first-call costs.
    ArithmeticMultiOutputClassifier(max_epochs=1, device="cpu").fit(codes, Y)
    rows, reference = [], None
    for label, backend, n_jobs in BACKENDS:
        seconds, scores = search_scores(codes, Y, backend, n_jobs)
        reference = scores if reference is None else reference
        same = "yes" if np.array_equal(scores, reference) else "NO"
        rows.append([label, f"{seconds:.1f} s", same])
    one_by_one = float(rows[0][1].split()[0])
    for row in rows:
        row.insert(2, f"{one_by_one / float(row[1].split()[0]):.2f}")
    figures = Figures(
        "concurrency",
        "python benchmarks/concurrency.py"
        + ("" if args.n_pairs == 20_000 else f" --n-pairs {args.n_pairs}"),
        {"n_pairs": args.n_pairs},
        {
            "header": ["grid search run", "wall time", "speed-up", "same scores"],
            "rows": rows,
            "notes": [
                f"4 candidates x 2 folds, {args.n_pairs:,} pairs, 3 epochs each; "
                f"torch uses {torch.get_num_threads()} threads per fit."
            ],
        },
        seconds=time.perf_counter() - start,
    )
    print(to_markdown(figures, format_figures(figures)), end="")
    if args.output:
        write(figures, args.output)


if __name__ == "__main__":
    main()
