"""The MNIST addition page's summary: tables and plots over every results file.

``sklarith reproduce mnist-addition ... --output results`` writes one results
file per command. The page sums them up at build time, so that it fills in as
series end: every ``results/mnist-addition--*.json`` of MNIST runs (not
``--quick``) whose digits start from clusters (``--digit-init clusters``,
or ``auto``, the default since issue 16) gives its runs of two numbers
(task ``numbers``) with the arithmetic head. Each file names its digit
reader, the encoder its runs fine-tuned (files from before they named it had
the strided encoder of 32, 64 and 128 filters): the table has rows per reader,
the newest first, and the plot draws the newest reader, with the earlier
readers' points in grey. Runs of the same reader, N and random state in
several files are the same run measured again: the latest file (by its date,
then by when it was written) wins, so a series that repeats an earlier one
replaces it. Nothing here is typed by hand but the goals; the published
figures come from ``sklarith``'s experiment.

:func:`summary_rst` writes the table, and :func:`published_rst` the published
figures, which directives of ``results_directives.py`` parse into the page;
:func:`plot_accuracy` draws the plot, which matplotlib's ``plot`` directive
runs; :func:`plot_digit_sums` draws the sums of ``k`` digits (task
``digit-sums``) the same way. Neither needs Sphinx, so the tests check them
without a docs build.
"""

import json
import math
from pathlib import Path

import numpy as np

from sklarith.experiments import mean_std, seconds_text
from sklarith.experiments.mnist_addition import (
    LENGTH_KEY,
    PUBLISHED,
    PUBLISHED_DIGIT_SUMS,
    reader_name,
)

#: The results files the page sums up, next to the docs.
RESULTS = Path(__file__).resolve().parents[2] / "results"
PATTERN = "mnist-addition--*.json"

#: The goals of the issue that asked for a reader at the supervised ceiling
#: (issue 25): accuracy (%) of the whole sum per N.
GOALS = {1: 99.1, 2: 98.2, 4: 96.5, 15: 88.0, 100: 45.0, 200: 25.0}

#: The lengths at which models trained at another N are also scored
#: (``--eval-n-digits``), each a column of the table and points of the plot.
EVAL_LENGTHS = (15, 100, 200)

#: The lengths whose test rows are few enough that the runs also score them
#: on rows drawn with replacement (``--eval-resampled-rows``), in a table of
#: their own.
RESAMPLED_LENGTHS = (100, 200, 500)


def _selected(figures):
    """Whether a results file holds runs of the page's setting."""
    options = figures.get("options", {})
    return (
        options.get("data") == "mnist"
        and not options.get("quick", False)
        and options.get("digit_init") in ("auto", "clusters")
    )


def read_readers(results=RESULTS, task="numbers"):
    """The runs of ``task`` (``"numbers"`` or ``"digit-sums"``) of each reader
    and length (N or k): ``{reader: {length: [(run, file name), ...]}}``, the
    newest reader first, its runs by length and random state.

    Reads every selected results file in ``results``, oldest first, and keeps
    one run per (reader, length, random state), the one of the latest file.
    """
    files = []
    for path in Path(results).glob(PATTERN):
        figures = json.loads(path.read_text(encoding="utf-8"))
        if _selected(figures):
            files.append((figures.get("date", ""), path.stat().st_mtime, path, figures))
    kept = {}
    for _, _, path, figures in sorted(files, key=lambda f: f[:3]):
        reader = reader_name(figures["results"].get("autoencoder"))
        for run in figures["results"]["runs"]:
            if run.get("task", "numbers") == task and run["head"] == "arithmetic":
                key = reader, run[LENGTH_KEY[task]], run["random_state"]
                # Popped first, so that the newest reader comes last.
                kept.pop(key, None)
                kept[key] = (run, path.name)
    newest_first = list(dict.fromkeys(reader for reader, _, _ in reversed(kept)))
    readers = {reader: {} for reader in newest_first}
    for (reader, length, _), run_and_file in sorted(kept.items()):
        readers[reader].setdefault(length, []).append(run_and_file)
    return {reader: dict(sorted(by_n.items())) for reader, by_n in readers.items()}


def read_runs(results=RESULTS):
    """The runs of each N of the newest reader: ``{N: [(run, file name), ...]}``."""
    readers = read_readers(results)
    return next(iter(readers.values())) if readers else {}


def percent(values):
    """Mean and sample standard deviation (%) of fractions; the standard
    deviation is None for one value, and both for none."""
    values = 100 * np.asarray([v for v in values if v is not None], dtype=float)
    if not len(values):
        return None, None
    return float(values.mean()), float(values.std(ddof=1)) if len(values) > 1 else None


def _cell(values):
    # A no-break space: a narrow cell wraps after the ±, not before.
    return mean_std(values, 100, separator="\u00a0± ")


def best_published(n_digits):
    """``"DeepProofLog 80.8"``: the best published figure at N and its system."""
    figures = PUBLISHED.get(n_digits)
    if not figures:
        return ""
    system = max(figures, key=lambda name: float(figures[name]))
    return f"{system} {figures[system]}"


def _list_table(rows):
    lines = [".. list-table::", "   :header-rows: 1", "   :widths: auto", ""]
    for row in rows:
        lines.append(f"   * - {row[0]}")
        lines += [f"     - {cell}" if cell else "     -" for cell in row[1:]]
    return lines


def summary_rst(results=RESULTS):
    """The summary table as reStructuredText lines, then the files of each row,
    then the long sums on resampled rows."""
    readers = read_readers(results)
    if not readers:
        return ["No results file holds such runs yet."]
    header = ["N", "reader", "runs", "sum", "images' digits"]
    header += [f"at N={length}" for length in EVAL_LENGTHS]
    header += ["time per run", "best published", "goal"]
    rows = [header]
    sources = []
    for reader, by_n in readers.items():
        for n_digits, runs in by_n.items():
            measured = [run for run, _ in runs]
            walls = [run["wall_seconds"] for run in measured if "wall_seconds" in run]
            goal = GOALS.get(n_digits)
            at = [
                [run.get("accuracy_at", {}).get(f"N={length}") for run in measured]
                for length in EVAL_LENGTHS
            ]
            rows.append(
                [
                    str(n_digits),
                    reader,
                    str(len(measured)),
                    _cell([run["accuracy"] for run in measured]),
                    _cell([run.get("image_accuracy") for run in measured]),
                    *(_cell(accuracies) for accuracies in at),
                    seconds_text(float(np.mean(walls))) if walls else "",
                    best_published(n_digits),
                    "" if goal is None else f"≥ {goal:g}",
                ]
            )
            # Plain text, not literals, so that a long name wraps at its
            # hyphens; escaped, so that "--" stays two hyphens, not a dash.
            names = dict.fromkeys(name.replace("--", r"\-\-") for _, name in runs)
            sources.append(
                f"- N = {n_digits}, {reader}: "
                + ", ".join(f"results/{n}" for n in names)
            )
    lines = [*_list_table(rows), "", "The runs of each row come from:", "", *sources]
    return lines + resampled_rst(readers)


def resampled_rst(readers):
    """The long sums scored on rows drawn with replacement, a table apart."""
    header, rows = None, []
    for reader, by_n in readers.items():
        for n_digits, runs in by_n.items():
            measured = [run for run, _ in runs]
            cells = []
            for length in RESAMPLED_LENGTHS:
                label = next(
                    (
                        key
                        for run in measured
                        for key in run.get("accuracy_at", {})
                        if key.startswith(f"N={length}, ") and "resampled" in key
                    ),
                    None,
                )
                cells.append(
                    _cell([run.get("accuracy_at", {}).get(label) for run in measured])
                    if label
                    else ""
                )
                if label and header is None:
                    n_rows = label.split(", ")[1].split(" ")[0]
                    header = ["N trained", "reader", "runs"] + [
                        f"at N={n}" for n in RESAMPLED_LENGTHS
                    ]
            if any(cells):
                rows.append([str(n_digits), reader, str(len(measured)), *cells])
    if not rows:
        return []
    return [
        "",
        f"The same models on {n_rows} rows drawn from the test images with "
        "replacement at each length (``--eval-resampled-rows``), apart from "
        "the standard rows above, which at N = 100 are only 50:",
        "",
        *_list_table([header, *rows]),
    ]


def published_rst():
    """Every published figure, a row per system, a column per N (two numbers
    of N digits) or k (a sum of k digits), as reStructuredText lines."""
    columns = [(f"N={n}", figures) for n, figures in sorted(PUBLISHED.items())]
    columns += [
        (f"k={k}", figures) for k, figures in sorted(PUBLISHED_DIGIT_SUMS.items())
    ]
    systems = list(dict.fromkeys(s for _, figures in columns for s in figures))
    lines = [".. list-table::", "   :header-rows: 1", "   :widths: auto", ""]
    lines += ["   * - system"] + [f"     - {name}" for name, _ in columns]
    for system in systems:
        lines.append(f"   * - {system}")
        lines += [
            f"     - {figures[system]}" if system in figures else "     -"
            for _, figures in columns
        ]
    return lines


def _published_series(published=PUBLISHED):
    """Each published system's (length, accuracy %) points, in order of
    length, from :data:`PUBLISHED` or :data:`PUBLISHED_DIGIT_SUMS`."""
    series = {}
    for length, figures in sorted(published.items()):
        for system, accuracy in figures.items():
            series.setdefault(system, []).append((length, float(accuracy)))
    return series


def _published_styled(published=PUBLISHED):
    """The published systems as the plots draw them, ``(label, style, points)``."""
    systems = _published_series(published)
    series = []
    # Systems at the same length are drawn a little apart, each at a fixed
    # offset, so that no marker hides another.
    for i, (system, points) in enumerate(systems.items()):
        style = {
            "marker": "v^<>dphP*X"[i % 10],
            "linestyle": ":" if len(points) > 1 else "none",
            "color": f"C{1 + i % 9}",
            "markeredgecolor": "0.25",
            "markeredgewidth": 0.5,
            "markersize": 6,
            "linewidth": 1,
            "shift": (i - (len(systems) - 1) / 2) * 0.02,
        }
        series.append((system, style, [(n, a, None) for n, a in points]))
    return series


def _series(by_n, earlier_readers=None):
    """What the plot draws, as ``(label, style, points)``, ``points`` a list
    of ``(N, mean %, std % or None)``: every published system, the earlier
    readers' runs (``{reader: by_n}``) at the N they were trained at, ours
    at the N each model was trained at, and the models trained at an N other
    than :data:`EVAL_LENGTHS` again, from their own N to each length scored."""
    earlier_readers = earlier_readers or {}
    series = _published_styled()
    for reader, earlier in earlier_readers.items():
        points = [
            (n, *percent([r["accuracy"] for r, _ in earlier[n]])) for n in earlier
        ]
        style = {"marker": "o", "markersize": 5, "color": "0.6", "linewidth": 1}
        series.append((f"sklarith, reader {reader}, trained at N", style, points))
    trained = sorted(by_n)
    if trained:
        ours = [(n, *percent([r["accuracy"] for r, _ in by_n[n]])) for n in trained]
        style = {"marker": "o", "markersize": 7, "color": "black", "linewidth": 2}
        series.append(("sklarith, trained and tested at N", style, ours))
    transfers = [n for n in trained if n not in EVAL_LENGTHS]
    for i, n_digits in enumerate(transfers):
        runs = [run for run, _ in by_n[n_digits]]
        # The line starts at the model's own point, which ours above marks.
        points = [(n_digits, percent([r["accuracy"] for r in runs])[0], None)]
        for length in EVAL_LENGTHS:
            accuracies = [r.get("accuracy_at", {}).get(f"N={length}") for r in runs]
            if any(a is not None for a in accuracies):
                points.append((length, *percent(accuracies)))
        if len(points) == 1:
            continue
        scored = [str(n) for n, _, _ in points[1:]]
        lengths = " and ".join(
            [", ".join(scored[:-1]), scored[-1]] if len(scored) > 1 else scored
        )
        style = {
            "marker": "s",
            "markersize": 5,
            "linestyle": "--",
            "linewidth": 1.2,
            "color": _blue(i, len(transfers)),
            "markevery": slice(1, None),
            "shift": 0.06 * (1 + i),
        }
        series.append(
            (f"sklarith, trained at N={n_digits}, tested at N={lengths}", style, points)
        )
    return series


def _blue(i, n):
    """The i-th of n blues, light to dark, for the models tested at other N."""
    import matplotlib.pyplot as plt

    return plt.cm.Blues(0.55 + 0.4 * i / max(n - 1, 1))


def _draw(ax, series):
    for label, style, points in series:
        style = dict(style)
        shift = np.full(len(points), math.exp(style.pop("shift", 0.0)))
        if "markevery" in style:
            # A point without its marker is another series' point: not shifted.
            shift[: style["markevery"].start] = 1.0
        n, mean, std = zip(*points, strict=True)
        ax.errorbar(
            np.array(n, dtype=float) * shift,
            mean,
            yerr=None if all(s is None for s in std) else [s or 0 for s in std],
            capsize=3,
            label=label,
            **style,
        )


def _log_n_axis(ax, ticks):
    ax.set_xscale("log")
    ax.set_xticks(ticks, [str(t) for t in ticks])
    ax.minorticks_off()
    ax.set_xlim(ticks[0] / 1.4, ticks[-1] * 1.4)
    ax.grid(alpha=0.3)


def plot_accuracy(results=RESULTS, ax=None):
    """Accuracy of the whole sum against N: ours (mean ± std over the runs)
    at the N each model was trained at, the same models scored at
    :data:`EVAL_LENGTHS`, and every published system; an inset zooms on the
    short numbers, where the systems lie within a few points."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 6.6), layout="constrained")
    readers = read_readers(results)
    newest = next(iter(readers), None)
    series = _series(
        readers.get(newest, {}),
        {reader: by_n for reader, by_n in readers.items() if reader != newest},
    )
    _draw(ax, series)
    ticks = sorted({n for _, _, points in series for n, _, _ in points})
    _log_n_axis(ax, ticks)
    ax.set_ylim(0, 100)
    ax.set_xlabel("N, digits of each number")
    ax.set_ylabel("whole sum right (% of test rows)")
    # Ours first in the legend; drawn last, on top of the published systems.
    handles, labels = ax.get_legend_handles_labels()
    first = len(_published_series())
    ax.legend(
        handles[first:] + handles[:first],
        labels[first:] + labels[:first],
        loc="upper center",
        bbox_to_anchor=(0.5, -0.1),
        ncol=2,
        frameon=False,
    )
    short = [
        (label, style, [p for p in points if p[0] <= 4])
        for label, style, points in series
        if any(p[0] <= 4 for p in points)
    ]
    inset = ax.inset_axes([0.06, 0.07, 0.42, 0.45])
    _draw(inset, short)
    _log_n_axis(inset, [n for n in ticks if n <= 4])
    lowest = min(mean - (std or 0) for _, _, points in short for _, mean, std in points)
    inset.set_ylim(math.floor(lowest) - 1, 100)
    inset.set_title("N ≤ 4, zoomed", fontsize="small")
    inset.tick_params(labelsize="small")
    return ax


def plot_digit_sums(results=RESULTS, ax=None):
    """Accuracy of the whole sum of ``k`` digits against ``k``: the newest
    reader's runs (mean ± std over them) and the published systems, whose
    rows reuse the training images where ours use each once."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4.8), layout="constrained")
    series = _published_styled(PUBLISHED_DIGIT_SUMS)
    by_k = next(iter(read_readers(results, task="digit-sums").values()), {})
    if by_k:
        ours = [(k, *percent([r["accuracy"] for r, _ in by_k[k]])) for k in by_k]
        style = {"marker": "o", "markersize": 7, "color": "black", "linewidth": 2}
        series.append(("sklarith, each training image in one row", style, ours))
    _draw(ax, series)
    _log_n_axis(ax, sorted({k for _, _, points in series for k, _, _ in points}))
    ax.set_ylim(0, 100)
    ax.set_xlabel("k, digits summed in a row")
    ax.set_ylabel("whole sum right (% of test rows)")
    ax.legend(loc="lower left", frameon=False)
    return ax
