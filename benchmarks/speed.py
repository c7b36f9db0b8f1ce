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
  ``--repeats``, alternating), and the memory ``PCAEncoder.transform``
  allocates for the 10,000 test images (traced by ``tracemalloc``) against
  its output.
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
- ``experiments``: the arithmetic experiment (``sklarith reproduce
  arithmetic``), with the encoder fine-tuned and frozen, each in a child
  process of its own: wall time and peak memory of the whole run.

Training runs on ``--device`` (by default CUDA when available, else the CPU),
the plain loop with its data and module there too, so that on a GPU machine
the same command compares the two on the GPU.

Each section prints a table with the command that repeats it, the machine
and the date; ``--output DIR`` writes it to the results files
``DIR/speed--only-<section>.*`` (the experiments write their own).

Run:  python benchmarks/speed.py [--only throughput pca adder dedupe experiments]
      [--epochs 2] [--repeats 8] [--device auto] [--output DIR]
"""

import argparse
import multiprocessing
import time
import tracemalloc
import warnings
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import torch
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor

from sklarith import (
    ArithmeticMultiOutputClassifier,
    AutoencoderTransformer,
    MLPAdderRegressor,
    PCAEncoder,
)
from sklarith.datasets import fetch_mnist, make_addition, make_arithmetic_pairs
from sklarith.experiments import (
    Figures,
    arithmetic,
    format_figures,
    to_markdown,
    write,
)
from sklarith.metrics import rounded_accuracy
from sklarith.modules import ConvAutoencoder, MultiHeadCrossEntropy, MultiHeadMLP
from sklarith.utils import distinct_rows, resolve_device

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
    """Time ``estimator.fit(X, y)`` and ``run_loop()`` alternately; return
    the row of the medians of the paired ratios, for the training epochs and
    for the whole call.

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
    return [
        name,
        f"{len(X):,} × {epochs}",
        f"{np.median(loop_epochs):.1f} s",
        f"{np.median(fit_epochs):.1f} s",
        f"{rate:,.0f} /s",
        f"**{np.median(training):.3f}** ({ratio_range(training)})",
        f"{np.median(whole):.3f} ({ratio_range(whole)})",
    ]


def ratio_range(ratios):
    return f"{np.min(ratios):.3f}–{np.max(ratios):.3f}"


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

    return compare(
        "`ArithmeticMultiOutputClassifier` (200→1000→5 heads)",
        estimator,
        X,
        Y,
        run_loop,
        epochs,
        repeats,
    )


def autoencoder_case(epochs, repeats, device, batch_size=128, lr=2e-3):
    X = fetch_mnist(subset="train").data
    # Without augmentation, like the plain loop it is timed against.
    estimator = AutoencoderTransformer(
        augment=False,
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

    return compare(
        "`AutoencoderTransformer` (MNIST)",
        estimator,
        X,
        None,
        run_loop,
        epochs,
        repeats,
    )


def time_pca_fits(images, repeats):
    """Median fit times of PCAEncoder and PCA, measured alternately."""
    fits = {
        "PCA(100).fit": lambda: PCA(n_components=100).fit(images),
        "PCAEncoder(100).fit": lambda: PCAEncoder(n_components=100).fit(images),
    }
    for fit in fits.values():
        fit()
    times = alternately(fits, rounds=repeats)
    return {name: float(np.median(values)) for name, values in times.items()}


def transform_memory(encoder, images):
    """Peak memory traced while encoding ``images``, and the codes' size."""
    tracemalloc.start()
    try:
        codes = encoder.transform(images)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, codes.nbytes


def pca_case(repeats):
    train, test = fetch_mnist(subset="train"), fetch_mnist(subset="test")
    medians = time_pca_fits(train.data, repeats)
    pca, ours = medians["PCA(100).fit"], medians["PCAEncoder(100).fit"]
    encoder = PCAEncoder(n_components=100).fit(train.data)
    peak, codes = transform_memory(encoder, test.data)
    return [
        [
            f"`PCAEncoder(100).fit` against `PCA(100).fit`, {len(train.data):,} "
            f"images (median of {repeats}, alternating)",
            f"{pca:.2f} s",
            f"{ours:.2f} s",
            f"{ours / pca:.3f}",
        ],
        [
            f"`PCAEncoder.transform` of the {len(test.data):,} test images "
            f"({mib(test.data.nbytes)}): peak memory allocated, against the codes "
            "it returns",
            mib(codes),
            mib(peak),
            f"{peak / codes:.2f}",
        ],
    ]


def mib(n_bytes):
    return f"{n_bytes / 2**20:.1f} MiB"


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
        cells[name] = f"{seconds:.1f} s, {accuracy:.2%} right"
    return [
        [
            "`MLPAdderRegressor` against `MLPRegressor`, 8 sigmoid units, sums ≤ "
            "256: fit time and rounded accuracy on 10,000 held-out pairs",
            cells["MLPRegressor"],
            cells["MLPAdderRegressor"],
            "",
        ]
    ]


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
    table = [
        [
            f"reading the {n_pairs:,} pairs once ({X.nbytes / 1e9:.1f} GB, a torch "
            "sum; median of 3)",
            "",
            f"{read_once:.2f} s",
            "",
        ]
    ]
    # What every encoder pays on the pairs: hash each image, group the
    # hashes, compare each image in full with the first of its group.
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        first, _ = distinct_rows(X.reshape(-1, images.shape[1]))
        timings.append(time.perf_counter() - start)
    table.append(
        [
            f"finding the {len(first):,} distinct images of {n_pairs:,} pairs "
            "(median of 3)",
            "",
            f"{np.median(timings):.1f} s",
            "",
        ]
    )
    for name, make in {
        # Early stopping off, so that both sides train the same epochs: the
        # distinct images of the pairs come in another order than the images,
        # so with it on, one side may stop an epoch before the other. Without
        # augmentation, as the committed figures were measured.
        "AutoencoderTransformer": lambda: AutoencoderTransformer(
            augment=False, max_epochs=epochs, early_stopping=False, random_state=0
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
                "fit_transform",
                fits["fit"],
                fits["fit_transform on pairs"],
            ),
            ("transform", transforms["transform"], transforms["transform of pairs"]),
        ]
        for method, on_images_seconds, on_pairs_seconds in rows:
            reference = "transform" if method == "transform" else "fit"
            ratios = np.divide(on_pairs_seconds, on_images_seconds)
            details = [f"{epochs} epochs"] if name == "AutoencoderTransformer" else []
            if method == "fit_transform":
                details.append("what a Pipeline calls")
            details = f" ({', '.join(details)})" if details else ""
            table.append(
                [
                    f"`{name}.{method}`{details} on {n_pairs:,} pairs against "
                    f"`.{reference}` on their {len(images):,} images "
                    f"({len(ratios)} rounds)",
                    f"{np.median(on_images_seconds):.1f} s",
                    f"{np.median(on_pairs_seconds):.1f} s",
                    f"{np.median(ratios):.3f} ({ratio_range(ratios)})",
                ]
            )
    return table


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


def experiment_case(output):
    """The arithmetic experiment, fine-tuned and frozen, each in a fresh
    process so that its peak memory is its own; writes their results files
    to ``output`` (when given)."""
    rows = []
    for fine_tune in (True, False):
        spawn = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as child:
            figures = child.submit(arithmetic.run, verbose=0, fine_tune=fine_tune)
            figures = figures.result()
        print(to_markdown(figures, format_figures(figures)), flush=True)
        if output:
            write(figures, output)
        rows.append(
            [
                f"`{figures.command}`",
                f"{figures.seconds:,.0f} s",
                f"{figures.peak_memory_mib:,.0f} MiB",
            ]
        )
    return ["experiment", "whole run", "peak memory"], rows


#: The columns of the measurement tables.
RATIO_HEADER = ["measurement", "reference", "sklarith", "ratio"]
THROUGHPUT_HEADER = [
    "training",
    "samples × epochs",
    "plain loop, epochs",
    "estimator, epochs",
    "rate",
    "ratio, epochs (range)",
    "ratio, whole fit (range)",
]


def run_section(name, args, device):
    """Run one section; return its table header and rows."""
    if name == "throughput":
        warm_up()
        return THROUGHPUT_HEADER, [
            classifier_case(args.epochs, args.repeats, device),
            autoencoder_case(args.epochs, args.repeats, device),
        ]
    if name == "pca":
        return RATIO_HEADER, pca_case(args.repeats)
    if name == "adder":
        return RATIO_HEADER, adder_case()
    if name == "dedupe":
        return RATIO_HEADER, dedupe_case(args.dedupe_epochs)
    return experiment_case(args.output)


#: The options each section depends on, beside ``--only``.
SECTION_OPTIONS = {
    "throughput": ["epochs", "repeats", "device"],
    "pca": ["repeats"],
    "adder": [],
    "dedupe": ["dedupe_epochs"],
    "experiments": [],
}

SECTIONS = list(SECTION_OPTIONS)


def section_command(name, args, parser):
    """The command that repeats one section: its non-default options only."""
    words = ["python benchmarks/speed.py", f"--only {name}"]
    for option in SECTION_OPTIONS[name]:
        value = getattr(args, option)
        if value != parser.get_default(option):
            words.append(f"--{option.replace('_', '-')} {value}")
    return " ".join(words)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="+", choices=SECTIONS, default=SECTIONS)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=8)
    parser.add_argument("--dedupe-epochs", type=int, default=2)
    parser.add_argument(
        "--device", default="auto", help="'auto' (CUDA when available), 'cpu', 'cuda'"
    )
    parser.add_argument(
        "--output", metavar="DIR", help="write each section's results files to DIR"
    )
    args = parser.parse_args()
    device = resolve_device(args.device)
    print(f"torch threads: {torch.get_num_threads()}, training device: {device}\n")
    for name in args.only:
        start = time.perf_counter()
        header, rows = run_section(name, args, device)
        if name == "experiments":
            continue
        options = {option: getattr(args, option) for option in SECTION_OPTIONS[name]}
        figures = Figures(
            f"speed-{name}",
            section_command(name, args, parser),
            options,
            {"header": header, "rows": rows},
        )
        figures.seconds = time.perf_counter() - start
        print(to_markdown(figures, format_figures(figures)), flush=True)
        if args.output:
            write(figures, args.output)


if __name__ == "__main__":
    main()
