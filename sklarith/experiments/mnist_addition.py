"""MNIST addition: add two numbers of N handwritten digits from the sum alone.

The benchmark of neuro-symbolic learning, on the protocol of DeepProbLog,
NeurASP, DeepStochLog and A-NeSI: each image used once, so 60,000 training
images make 30,000/N training rows and 10,000 test images 5,000/N test rows.
An autoencoder is first trained on the training images (no labels), then a
copy of its encoder is fine-tuned with the classifier's head: ``arithmetic``
(per-image digit distributions combined by exact column addition, trained on
the likelihood of the observed sums) or ``mlp`` (one learned softmax head per
digit of the sum). No digit label is used in training, model selection or
stopping: the fine-tuning has a fixed schedule.

``--tasks digit-sums`` adds the task of CTSketch and ISED, the sum
a1 + ... + ak of a row of k single digits (``--n-terms``; each image used
once too: 60,000/k training rows), learnt by the same head from the value of
the sum alone. Both tasks share the autoencoder of a random state.

One digit network serves rows of any length: ``--eval-n-digits 15 100``
also scores every model with the arithmetic head (trained at any N, or on
digit sums) on the test numbers of 15 and of 100 digits, from the digits its
network predicts for their images, added by integer arithmetic
(``--eval-n-terms`` likewise on digit sums). Each image used once, 10,000
test images make only 50 rows at N = 100, whose accuracy has a binomial
standard error near 7 points: ``--eval-resampled-rows 5000`` also scores
each of those lengths on 5,000 rows drawn from the test images with
replacement (every image in about 100 rows at N = 100), reported in columns
of their own, never mixed with the standard ones.

The runs are every (random state, task, N or k, head): ``--random-state``,
``--random-state`` + 1, ... for ``--n-runs``. Each run reports the accuracy
of the whole sum, of each digit of the sum (their mean in the table), of the
digit read for each test image (digit labels used for this evaluation only),
the accuracies at the lengths to evaluate, and its wall time: its own
fine-tuning and evaluation plus its share of the autoencoder's pre-training
(the pre-training time of its random state divided by the runs of that
random state in the command). The table gives, per task, N or k and head,
mean ± std over the runs beside the published figures.

With ``--output DIR`` each run is added to ``DIR/<command>.json`` (and its
table) as soon as it ends, and each random state's autoencoder is kept in
``DIR/mnist-addition-autoencoder--...joblib`` with its training time: run
the same command with the same ``--output`` again, after an interruption,
and it trains only the runs missing from the file, and no autoencoder it
has kept. A long series can run in the background this way
(``nohup sklarith reproduce mnist-addition ... --output results &``) and
lose at most the run in progress. A kept autoencoder that cannot be read
(a save cut off by an older sklarith, say) is set aside as
``<name>.unreadable``, with a warning, and trained again. The ``.joblib`` of
the command holds the classifiers trained by its last invocation.
"""

import time
from pathlib import Path

import joblib
import numpy as np

from sklarith import (
    ArithmeticMultiOutputClassifier,
    AutoencoderTransformer,
    DigitArithmeticClassifier,
)
from sklarith.datasets import make_digit_sums, make_number_addition
from sklarith.structures import DigitSum, NumberSum

from ._common import HEADS, NETWORK, READER, accuracy_per_output, load_images, log
from ._files import set_aside, write_atomically
from .results import (
    UnreadableResultsError,
    command_line,
    markdown_table,
    mean_std,
    options_of,
    read_figures,
    record,
    seconds_text,
    stem,
    write_results,
)

COMMAND = "sklarith reproduce mnist-addition"

#: The tasks: two numbers of N digits, or one row of k single digits.
TASKS = ("numbers", "digit-sums")

OPTIONS = {
    "n_runs": {
        "type": int,
        "minimum": 1,
        "help": "runs, with random states --random-state, --random-state + 1, ...",
    },
    "tasks": {
        "nargs": "+",
        "choices": list(TASKS),
        "help": "numbers: the sum of two numbers of N digits (--n-digits); "
        "digit-sums: the sum of a row of k single digits (--n-terms)",
    },
    "n_digits": {
        "type": int,
        "minimum": 1,
        "nargs": "+",
        "help": "values of N, the digits of each number (with --tasks numbers)",
    },
    "n_terms": {
        "type": int,
        "minimum": 2,
        "nargs": "+",
        "help": "values of k, the digits summed in a row (with --tasks digit-sums)",
    },
    "heads": {
        "nargs": "+",
        "choices": ["arithmetic", "mlp"],
        "help": "classifier heads to compare",
    },
    "max_epochs": {
        "type": int,
        "minimum": 1,
        "help": "fine-tuning epochs (default: 25; with --quick 2)",
    },
    "digit_init": {
        "choices": ["auto", "clusters", "umap", "random"],
        "help": "how the arithmetic head's digits start (the classifier's "
        "digit_init): the digits of a clustering of the codes matched to the "
        "results, of ten clusters of their UMAP embedding, or random weights; "
        "auto: umap for sums of digits, clusters for numbers",
    },
    "eval_n_digits": {
        "type": int,
        "minimum": 1,
        "nargs": "+",
        "help": "also score every model with the arithmetic head on the test "
        "numbers of these N, from the digits it reads (default: none)",
    },
    "eval_n_terms": {
        "type": int,
        "minimum": 2,
        "nargs": "+",
        "help": "also score every model with the arithmetic head on the test "
        "digit sums of these k, from the digits it reads (default: none)",
    },
    "eval_resampled_rows": {
        "type": int,
        "minimum": 1,
        "help": "also score at each length of --eval-n-digits and "
        "--eval-n-terms on this many rows drawn from the test images with "
        "replacement, in columns of their own (default: none)",
    },
}

#: Published test accuracy (%) of the sum of two numbers, per number of
#: digits, as published; the best of each N is the issue's goal.
PUBLISHED = {
    1: {
        "DeepProbLog": "97.2",
        "NeurASP": "97.3",
        "NeuPSL": "97.34",
        "A-NeSI": "97.66",
        "DeepStochLog": "97.9",
        "DeepSoftLog": "98.4",
    },
    2: {"A-NeSI": "95.96", "DeepStochLog": "96.4", "CTSketch": "96.7"},
    4: {"A-NeSI": "92.56", "DeepStochLog": "92.7", "DeepProofLog": "94.0"},
    15: {"A-NeSI": "75.90", "PLIA": "79.0", "DeepProofLog": "80.8"},
    100: {"DeepProofLog": "37.8"},
    200: {"DeepProofLog": "23.2"},
    500: {"DeepProofLog": "6.0"},
}

#: Published test accuracy (%) of the sum of k single digits. Their rows
#: reuse training images (CTSketch's loader concatenates copies of MNIST for
#: long rows), where ours use each image once.
PUBLISHED_DIGIT_SUMS = {
    16: {"CTSketch/ISED": "83.84"},
    64: {"IndeCateR": "44.43", "CTSketch": "47.14"},
    256: {"CTSketch": "7.76"},
}

#: The digit reader's autoencoder (:data:`READER`).
AUTOENCODER_SETTINGS = READER

#: A fixed schedule: cosine-decayed Adam on every row, no validation split
#: (the protocol has no validation set to spare); batches by
#: :func:`batch_size_for`.
CLASSIFIER_SETTINGS = {
    **NETWORK,
    "max_epochs": 25,
    "lr": 1e-3,
    "early_stopping": False,
}

#: Images per gradient step: about 512 whatever the length of a row.
IMAGES_PER_BATCH = 512

#: ``quick``: a smoke run, far from converged.
QUICK_SETTINGS = {"autoencoder_epochs": 2, "max_epochs": 2}

#: How the table and the results file name the length of a row, per task.
LENGTH_KEY = {"numbers": "n_digits", "digit-sums": "n_terms"}
LENGTH_NAME = {"numbers": "N", "digit-sums": "k"}


def batch_size_for(n_digits):
    """Rows per batch of two ``n_digits``-digit numbers, so that every N
    sees about the same number of images."""
    return _rows_per_batch(2 * n_digits)


def _rows_per_batch(images_per_row):
    return max(1, IMAGES_PER_BATCH // images_per_row)


def _images_per_row(task, length):
    return 2 * length if task == "numbers" else length


def _rows(task, images, labels, length, random_state):
    """Rows of ``task`` at ``length``, each image used once: X, Y and the
    indices of the images of each row."""
    make = make_number_addition if task == "numbers" else make_digit_sums
    key = LENGTH_KEY[task]
    return make(
        images, labels, **{key: length}, random_state=random_state, return_indices=True
    )


#: The digit reader of results files that do not name theirs: the runs'
#: encoder until the stacked one replaced it.
EARLIER_READER = {"architecture": "strided", "channels": (32, 64, 128)}


def reader_name(settings=None):
    """``stacked 16-32``: an encoder by its architecture and filters.

    Parameters
    ----------
    settings : dict or None
        Settings of an :class:`~sklarith.AutoencoderTransformer` (its
        ``architecture`` and ``channels``), as a results file records them
        under ``"autoencoder"``; None for a file written before the files
        recorded them, whose encoder was :data:`EARLIER_READER`.
    """
    settings = EARLIER_READER if settings is None else settings
    filters = "-".join(str(c) for c in settings["channels"])
    return f"{settings.get('architecture', 'strided')} {filters}"


def _structure(task, length):
    """The arithmetic of ``task`` at ``length``."""
    return NumberSum(length) if task == "numbers" else DigitSum(length)


def _accuracy_from_digits(classifier, structure, test_set):
    """Share of test rows whose result, computed by ``structure`` from the
    digits the classifier's network reads, is the true one."""
    X, Y, _ = test_set
    predicted = structure.results(classifier.predict_digits(X))
    return float(np.all(predicted == Y.to_numpy(), axis=1).mean())


def _test_image_digits(classifier, test_images):
    """The digit the classifier's network reads from each test image, in
    rows of as many images as it was trained on (the last row padded with
    the first images): an image's digit does not depend on its row."""
    n_images = classifier.structure_.n_images
    padding = -len(test_images) % n_images
    padded = np.concatenate([test_images, test_images[:padding]])
    rows = padded.reshape(len(padded) // n_images, -1)
    return classifier.predict_digits(rows).reshape(-1)[: len(test_images)]


def _resampled_accuracy(digits, labels, structure, n_rows, random_state):
    """Share of ``n_rows`` rows of test images drawn with replacement whose
    result, computed by ``structure`` from the ``digits`` read, is that of
    the images' ``labels``."""
    rows = np.random.RandomState(random_state).randint(
        len(labels), size=(n_rows, structure.n_images)
    )
    right = structure.results(digits[rows]) == structure.results(labels[rows])
    return float(np.all(right, axis=1).mean())


def _resampled_label(length_label, n_rows):
    """``N=100, 5,000 resampled rows``: a column apart from the standard one."""
    return f"{length_label}, {n_rows:,} resampled rows"


def _run_key(run_record):
    task = run_record.get("task", "numbers")
    return (
        task,
        run_record[LENGTH_KEY[task]],
        run_record["head"],
        run_record["random_state"],
    )


def _autoencoder_cache(output, data, quick, random_state):
    if output is None:
        return None
    name = f"mnist-addition-autoencoder--data-{data}{'--quick' if quick else ''}"
    return Path(output) / f"{name}--random-state-{random_state}.joblib"


def _pretrained_autoencoder(params, cache, train):
    """The autoencoder of ``params`` and its training time in seconds: kept
    in ``cache`` when it holds one of the same settings, else trained by
    ``train()`` (and kept there). A cache that cannot be read is set aside
    with a warning, and the autoencoder trained again."""
    kept = _kept_autoencoder(cache)
    if kept is not None and kept["params"] == params:
        return kept["autoencoder"], kept["seconds"]
    start = time.perf_counter()
    autoencoder = train()
    seconds = time.perf_counter() - start
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        kept = {"params": params, "seconds": seconds, "autoencoder": autoencoder}
        write_atomically(cache, lambda temporary: joblib.dump(kept, temporary))
    return autoencoder, seconds


def _kept_autoencoder(cache):
    """What ``cache`` holds, a dict of the autoencoder, its settings and its
    training time; None when there is no such file, or when it cannot be
    read, and is set aside."""
    if cache is None or not cache.exists():
        return None
    if cache.stat().st_size == 0:
        # Left by a save that was stopped before it wrote anything.
        set_aside(cache, "it is empty")
        return None
    try:
        kept = joblib.load(cache)
    except (OSError, MemoryError):
        # The disk or the machine failed, not the file: it may read next time.
        raise
    except Exception as exc:
        # A cut-off or foreign file fails to unpickle in as many ways as
        # pickle has (EOFError, UnpicklingError, ValueError, a missing
        # class...): whatever the way, the cache is of no use, and the
        # autoencoder can be trained again.
        reason = (
            "it is cut off"
            if isinstance(exc, EOFError)
            else f"{type(exc).__name__}: {exc}".rstrip(": ")
        )
        set_aside(cache, reason)
        return None
    if not (
        isinstance(kept, dict)
        and {"params", "seconds", "autoencoder"} <= set(kept)
        and isinstance(kept["autoencoder"], AutoencoderTransformer)
        and isinstance(kept["params"], dict)
        and isinstance(kept["seconds"], int | float)
    ):
        set_aside(cache, "it does not hold a kept autoencoder")
        return None
    return kept


#: What every run of a results file holds, whatever sklarith wrote it.
RUN_KEYS = ("random_state", "n_rows", "head", "accuracy", "digit_accuracy", "seconds")


def _previous_runs(output, command, max_epochs):
    """The runs the results file of ``command`` in ``output`` holds already,
    and the seconds its invocations took; none without the file."""
    if output is None:
        return [], 0.0
    path = Path(output) / f"{stem(command)}.json"
    if not path.exists():
        return [], 0.0
    remedy = "move it away or choose another --output."
    try:
        figures = read_figures(path)
    except UnreadableResultsError as exc:
        raise UnreadableResultsError(f"{exc}; {remedy}") from None
    results = figures.results
    if not (
        isinstance(results.get("runs"), list)
        and "max_epochs" in results
        and all(_is_run(r) for r in results["runs"])
    ):
        raise UnreadableResultsError(
            f"{path} is not a results file of mnist-addition: its results are "
            f"not a list of runs and their epochs; {remedy}"
        )
    if figures.command != command or results["max_epochs"] != max_epochs:
        raise ValueError(
            f"{path} holds the results of `{figures.command}` with "
            f"{results['max_epochs']} epochs, not of this command; {remedy}"
        )
    return list(results["runs"]), figures.seconds or 0.0


def _is_run(run_record):
    """Whether ``run_record`` is a run as :func:`run` writes them."""
    return (
        isinstance(run_record, dict)
        and all(key in run_record for key in RUN_KEYS)
        and run_record.get("task", "numbers") in TASKS
        and LENGTH_KEY[run_record.get("task", "numbers")] in run_record
    )


def run(
    *,
    data="auto",
    quick=False,
    random_state=0,
    verbose=1,
    device="auto",
    data_home=None,
    n_runs=1,
    tasks=("numbers",),
    n_digits=(1, 2, 4, 15),
    n_terms=(4, 16, 64),
    heads=("arithmetic",),
    max_epochs=None,
    digit_init="auto",
    eval_n_digits=None,
    eval_n_terms=None,
    eval_resampled_rows=None,
    output=None,
):
    """Run every (random state, task, length, head); return each run's figures.

    ``output``, a folder, keeps the runs as they end and the autoencoders,
    and resumes the series from them (see the module's docstring). The
    figures' ``model`` is a dict of the classifiers fitted by this call by
    ``(random_state, task, length, head)``.
    """
    options = options_of(run, locals())
    # Where to write is not what is measured: the command that repeats the
    # run, and the name of its results file, do not depend on it.
    del options["output"]
    lengths = {"numbers": tuple(n_digits), "digit-sums": tuple(n_terms)}
    evaluations = [("numbers", n) for n in eval_n_digits or ()] + [
        ("digit-sums", k) for k in eval_n_terms or ()
    ]
    if evaluations and "arithmetic" not in heads:
        raise ValueError(
            "--eval-n-digits and --eval-n-terms score the digits that the "
            "arithmetic head's network reads; add arithmetic to --heads."
        )
    if eval_resampled_rows and not evaluations:
        raise ValueError(
            "--eval-resampled-rows scores the lengths of --eval-n-digits and "
            "--eval-n-terms; name at least one of them."
        )
    trained = [(task, length) for task in tasks for length in lengths[task]]
    runs_per_state = len(trained) * len(heads)

    start = time.perf_counter()
    images = load_images(data, data_home)
    options["data"] = images.name
    autoencoder_params = dict(AUTOENCODER_SETTINGS, image_shape=images.image_shape)
    classifier_params = dict(CLASSIFIER_SETTINGS)
    if quick:
        autoencoder_params["max_epochs"] = QUICK_SETTINGS["autoencoder_epochs"]
        classifier_params["max_epochs"] = QUICK_SETTINGS["max_epochs"]
    if max_epochs is not None:
        classifier_params["max_epochs"] = max_epochs
    epochs = classifier_params["max_epochs"]
    runs, previous_seconds = _previous_runs(
        output, command_line(COMMAND, run, options), epochs
    )
    # A resumed series counts the time its earlier invocations took.
    start -= previous_seconds
    done = {_run_key(r) for r in runs}
    results = {
        "max_epochs": epochs,
        "autoencoder": dict(autoencoder_params),
        "runs": runs,
    }
    classifiers = {}
    for seed in range(random_state, random_state + n_runs):
        to_train = [
            (task, length, head)
            for task, length in trained
            for head in heads
            if (task, length, head, seed) not in done
        ]
        if not to_train:
            continue
        # The test rows first: a length the test images cannot make a row of
        # is refused before any training, not after the autoencoder's.
        test_sets = {
            (task, length): _rows(
                task, images.test_images, images.test_labels, length, seed + 1
            )
            for task, length in dict.fromkeys(trained + evaluations)
        }
        autoencoder, pretraining = _pretrained_autoencoder(
            autoencoder_params,
            _autoencoder_cache(output, images.name, quick, seed),
            lambda seed=seed: AutoencoderTransformer(
                **autoencoder_params,
                device=device,
                random_state=seed,
                verbose=min(verbose, 2),
            ).fit(images.train_images),
        )
        log(verbose, f"random state {seed}: autoencoder in {pretraining:.0f} s")
        for task, length, head in to_train:
            run_start = time.perf_counter()
            X, Y, _ = _rows(
                task, images.train_images, images.train_labels, length, seed
            )
            classifier = _classifier(head, task, length, digit_init).set_params(
                **{
                    **classifier_params,
                    "batch_size": _rows_per_batch(_images_per_row(task, length)),
                },
                encoder=autoencoder,
                device=device,
                random_state=seed,
                verbose=min(verbose, 2),
            )
            classifier.fit(X, Y)
            fit_seconds = time.perf_counter() - run_start
            classifiers[seed, task, length, head] = classifier
            measured = _evaluate(
                classifier,
                task,
                length,
                head,
                test_sets,
                images,
                evaluations,
                eval_resampled_rows,
                seed + 2,
            )
            wall = time.perf_counter() - run_start + pretraining / runs_per_state
            runs.append(
                {
                    "random_state": seed,
                    "n_rows": len(X),
                    **measured,
                    "seconds": fit_seconds,
                    "pretraining_seconds": pretraining,
                    "wall_seconds": wall,
                }
            )
            log(verbose, _run_line(runs[-1]))
            if output is not None:
                figures = record(COMMAND, run, options, results, start)
                write_results(figures, format_table(figures), output)
    # A resumed series with nothing left to train leaves the models that
    # its last invocation saved as they are.
    return record(COMMAND, run, options, results, start, model=classifiers or None)


def _classifier(head, task, length, digit_init):
    """The unfitted classifier of ``head`` for ``task`` at ``length``: the
    digit-reading one for ``"arithmetic"``, the learnt heads for ``"mlp"``."""
    if head == "arithmetic":
        return DigitArithmeticClassifier(
            structure=_structure(task, length), digit_init=digit_init
        )
    return ArithmeticMultiOutputClassifier(**HEADS)


def _evaluate(
    classifier,
    task,
    length,
    head,
    test_sets,
    images,
    evaluations,
    resampled_rows,
    resample_seed,
):
    """The test figures of a classifier trained on ``task`` at ``length``."""
    test_labels = images.test_labels
    X_test, Y_test, indices = test_sets[task, length]
    per_output, whole = accuracy_per_output(classifier, X_test, Y_test)
    figures = {
        "task": task,
        LENGTH_KEY[task]: length,
        "head": head,
        "n_test_rows": len(X_test),
        "accuracy": whole,
        "sum_digit_accuracy": None,
        "digit_accuracy": None,
        "image_accuracy": None,
        "accuracy_at": {},
    }
    if task == "numbers":
        figures["sum_digit_accuracy"] = list(per_output.values())
        figures["digit_accuracy"] = float(np.mean(figures["sum_digit_accuracy"]))
    if head == "arithmetic":
        # The digit labels of the test images: for this evaluation only.
        digits = classifier.predict_digits(X_test)
        figures["image_accuracy"] = float(np.mean(digits == test_labels[indices]))
        for other, other_length in evaluations:
            figures["accuracy_at"][f"{LENGTH_NAME[other]}={other_length}"] = (
                _accuracy_from_digits(
                    classifier,
                    _structure(other, other_length),
                    test_sets[other, other_length],
                )
            )
        if resampled_rows:
            read = _test_image_digits(classifier, images.test_images)
            for other, other_length in evaluations:
                label = f"{LENGTH_NAME[other]}={other_length}"
                figures["accuracy_at"][_resampled_label(label, resampled_rows)] = (
                    _resampled_accuracy(
                        read,
                        test_labels,
                        _structure(other, other_length),
                        resampled_rows,
                        resample_seed,
                    )
                )
    return figures


def _run_line(figures):
    task = figures["task"]
    length = f"{LENGTH_NAME[task]}={figures[LENGTH_KEY[task]]}"
    line = (
        f"{task} {length} head={figures['head']} random state "
        f"{figures['random_state']}: {figures['accuracy']:.2%}"
    )
    if figures["image_accuracy"] is not None:
        line += f" (digits of the images: {figures['image_accuracy']:.2%})"
    for label, accuracy in figures["accuracy_at"].items():
        line += f", at {label}: {accuracy:.2%}"
    return line + f" in {figures['wall_seconds']:.0f} s"


#: The caption of each task's table.
TASK_CAPTIONS = {
    "numbers": "Two numbers of N digits, labelled with the N + 1 digits of their sum:",
    "digit-sums": "Rows of k single digits, labelled with the value of their sum:",
}


def format_table(figures):
    """The table of :func:`run`'s figures, in Markdown: accuracy of the sum per
    task, N or k, and head (mean ± std over the runs), beside the published figures."""
    results = figures.results
    runs = results["runs"]
    mnist = figures.options["data"] == "mnist"
    by_row = _runs_by_row(runs)
    one_run = all(len(of_row) == 1 for of_row in by_row.values())
    data = "MNIST" if mnist else "the bundled 8x8 digits"
    lines = [
        f"Test accuracy (%) of the whole sum on {data}, "
        + ("one run" if one_run else "mean ± std over the runs")
        + f"; an encoder of {reader_name(results.get('autoencoder'))} filters, "
        + f"{results['max_epochs']} epochs of fine-tuning."
    ]
    for task in dict.fromkeys(task for task, _, _ in by_row):
        rows = {key[1:]: of_row for key, of_row in by_row.items() if key[0] == task}
        lines += ["", TASK_CAPTIONS[task], "", _table(task, rows, mnist)]
    for note in _notes(results, runs):
        lines += ["", note]
    return "\n".join(lines)


def _runs_by_row(runs):
    """The runs of each (task, N or k, head): the tasks and heads in the order
    they first ran, the lengths from short to long (a series that resumes
    reruns a length after longer ones)."""
    by_row = {}
    for r in runs:
        by_row.setdefault(_run_key(r)[:3], []).append(r)
    tasks = list(dict.fromkeys(task for task, _, _ in by_row))
    return dict(
        sorted(by_row.items(), key=lambda item: (tasks.index(item[0][0]), item[0][1]))
    )


def _table(task, rows, mnist):
    """One task's table: a row per (N or k, head)."""
    all_runs = [r for of_row in rows.values() for r in of_row]
    with_images = any(r.get("image_accuracy") is not None for r in all_runs)
    labels = list(dict.fromkeys(k for r in all_runs for k in r.get("accuracy_at", {})))
    wall = all("wall_seconds" in r for r in all_runs)
    header = [LENGTH_NAME[task], "head", "runs", "training rows", "sum"]
    header += ["digits of the sum"] if task == "numbers" else []
    header += ["images' digits"] if with_images else []
    header += [f"at {label}" for label in labels]
    header += ["published"] if mnist else []
    header += ["time per run" if wall else "fine-tuning time"]
    published = PUBLISHED if task == "numbers" else PUBLISHED_DIGIT_SUMS
    table = []
    for (length, head), of_row in rows.items():
        row = [str(length), head, str(len(of_row)), f"{of_row[0]['n_rows']:,}"]
        row.append(mean_std([r["accuracy"] for r in of_row], 100))
        if task == "numbers":
            row.append(
                mean_std([r["digit_accuracy"] for r in of_row], 100, spread=False)
            )
        if with_images:
            row.append(
                mean_std([r.get("image_accuracy") for r in of_row], 100, spread=False)
            )
        for label in labels:
            row.append(
                mean_std([r.get("accuracy_at", {}).get(label) for r in of_row], 100)
            )
        if mnist:
            row.append(
                ", ".join(f"{k} {v}" for k, v in published.get(length, {}).items())
            )
        seconds = [r["wall_seconds"] if wall else r["seconds"] for r in of_row]
        row.append(seconds_text(float(np.mean(seconds))))
        table.append(row)
    align = ["<", "<"] + [">"] * (len(header) - 2)
    if mnist:
        align[-2] = "<"
    return markdown_table(header, table, align=align)


def _notes(results, runs):
    """What the columns mean, and where the time went."""
    legend = ["sum: the whole sum right"]
    if any(r.get("task", "numbers") == "numbers" for r in runs):
        legend.append("digits of the sum: the mean accuracy of its digits")
    if any(r.get("image_accuracy") is not None for r in runs):
        legend.append(
            "images' digits: the test images whose digit the network reads right "
            "(their labels used for this only)"
        )
    if any(r.get("accuracy_at") for r in runs):
        legend.append(
            "at N=... or k=...: the whole sum right on the test rows of that "
            "length, added by integer arithmetic from the digits the network reads"
        )
    if any("resampled" in label for r in runs for label in r.get("accuracy_at", {})):
        legend.append(
            "resampled rows: the same, on rows drawn from the test images with "
            "replacement (a random state of their own per run), which tells "
            "accuracies apart that the few standard rows of long sums cannot"
        )
    notes = ["; ".join(legend) + "."]
    if all("wall_seconds" in r for r in runs):
        pretraining = {r["random_state"]: r["pretraining_seconds"] for r in runs}
        notes.append(
            "Time per run: its fine-tuning and evaluation, plus its share of the "
            "autoencoder's pre-training (no labels) on its random state, that "
            "pre-training's time divided by the runs of the random state in the "
            "command; the pre-training took "
            f"{seconds_text(float(np.mean(list(pretraining.values()))))}."
        )
    else:
        # Results files written before the runs kept their wall time.
        pretraining = results.get("pretraining_seconds") or [None]
        if all(seconds is not None for seconds in pretraining):
            notes.append(
                "The autoencoder's pre-training (no labels), shared by the runs of "
                f"a random state, took {seconds_text(float(np.mean(pretraining)))}."
            )
    return notes
