"""Autoencoder or PCA? The comparison on MNIST, and what PCAEncoder.fit costs.

Two measurements in one run:

- ``PCAEncoder(n_components=100).fit`` against scikit-learn's ``PCA(100).fit``
  on the same 60,000 MNIST training images, side by side: one warm-up each,
  then ``--repeats`` rounds alternating the two, and the median of each. The
  budget is 1.15x. Also the memory ``PCAEncoder.transform`` allocates for
  the 10,000 test images (traced by ``tracemalloc``) against its output.
- the table ``sklarith compare --data mnist`` prints (the same code): the
  autoencoder and the PCA fitted on the training images, the same classifier
  on each set of codes and on the raw pixels, tested on pairs of test images.

Run:  python benchmarks/compare_encoders.py [--repeats 15] [--n-pairs 300000]
      [--n-test-pairs 100000] [--timing-only]
"""

import argparse
import sys
import time
import tracemalloc

import numpy as np
from sklearn.decomposition import PCA

from sklarith import ArithmeticMultiOutputClassifier, PCAEncoder
from sklarith._distinct import distinct_rows
from sklarith.cli.compare import (
    compare_features,
    compared_encoders,
    describe_protocol,
    format_comparison_table,
)
from sklarith.cli.demo import DEMO_SETTINGS
from sklarith.datasets import fetch_mnist

from _common import header, peak_memory_mib

BUDGET = 1.15


def seconds(function):
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def time_pca_fits(images, repeats):
    """Median fit times of PCAEncoder and PCA, measured alternately."""
    fits = {
        "PCA(100).fit": lambda: PCA(n_components=100).fit(images),
        "PCAEncoder(n_components=100).fit": lambda: PCAEncoder(n_components=100).fit(
            images
        ),
        "  of which distinct_rows": lambda: distinct_rows(images),
    }
    for fit in fits.values():
        fit()
    times = {name: [] for name in fits}
    for _ in range(repeats):
        for name, fit in fits.items():
            times[name].append(seconds(fit))
    return {name: float(np.median(values)) for name, values in times.items()}


def transform_memory(encoder, images):
    """Peak memory traced while encoding ``images``, and the output's size."""
    tracemalloc.start()
    try:
        codes = encoder.transform(images)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, codes.nbytes


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument(
        "--n-pairs", type=int, default=DEMO_SETTINGS["mnist"]["n_pairs"]
    )
    parser.add_argument("--n-test-pairs", type=int, default=100_000)
    parser.add_argument("--random-state", type=int, default=0)
    parser.add_argument(
        "--timing-only", action="store_true", help="skip the comparison table"
    )
    args = parser.parse_args()
    print(header("python benchmarks/compare_encoders.py " + " ".join(sys.argv[1:])))
    train, test = fetch_mnist(subset="train"), fetch_mnist(subset="test")

    medians = time_pca_fits(train.data, args.repeats)
    print(
        f"\nFit on the {len(train.data):,} training images, median of {args.repeats}:"
    )
    for name, median in medians.items():
        print(f"  {name:<36}{median * 1000:>8.0f} ms")
    ratio = medians["PCAEncoder(n_components=100).fit"] / medians["PCA(100).fit"]
    verdict = "within" if ratio <= BUDGET else "OVER"
    print(f"  ratio {ratio:.3f} ({verdict} the {BUDGET}x budget)")
    encoder = PCAEncoder(n_components=100).fit(train.data)
    peak, output = transform_memory(encoder, test.data)
    print(
        f"PCAEncoder.transform of the {len(test.data):,} test images: peak "
        f"{peak / 2**20:.1f} MiB allocated, of which the codes {output / 2**20:.1f} "
        f"MiB (the images: {test.data.nbytes / 2**20:.1f} MiB)",
        flush=True,
    )
    if args.timing_only:
        return

    settings = DEMO_SETTINGS["mnist"]
    classifier = ArithmeticMultiOutputClassifier(
        **settings["classifier"], random_state=args.random_state, verbose=1
    )
    protocol = describe_protocol(
        "MNIST",
        len(train.data),
        len(test.data),
        args.n_pairs,
        args.n_test_pairs,
        classifier,
    )
    print(f"\n{protocol}", flush=True)
    rows = compare_features(
        compared_encoders(settings, random_state=args.random_state, verbose=1),
        classifier,
        train.data,
        train.target,
        test.data,
        test.target,
        n_pairs=args.n_pairs,
        n_test_pairs=args.n_test_pairs,
        random_state=args.random_state,
        log=lambda line: print(line, flush=True),
    )
    print(f"\n{protocol}\n\n{format_comparison_table(rows)}")
    print(f"\npeak memory: {peak_memory_mib():.0f} MiB")


if __name__ == "__main__":
    main()
