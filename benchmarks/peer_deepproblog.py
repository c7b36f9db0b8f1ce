"""DeepProbLog against sklarith on MNIST addition at N = 1, side by side.

The peer measurement of MNIST addition (issue 16): the same 30,000 training
pairs (each MNIST training image used once) and 5,000 test pairs (each test
image once), read from the same MNIST files, learnt from the sum alone by
each system on this machine, one after the other so that each has every
core. Each side logs its test accuracy of the sum against its training wall
time, the clock stopped while it is evaluated:

- sklarith: the run of ``sklarith reproduce mnist-addition --n-digits 1
  --digit-init clusters`` with the same random state (its autoencoder
  settings, then ``DigitArithmeticClassifier(structure=NumberSum(n_digits=1),
  digit_init="clusters")`` on a copy of the encoder, its fixed schedule of
  25 epochs), the clock started before the autoencoder's pre-training; a
  point after every epoch (a scikit-learn callback scores the model as it
  stands).
- DeepProbLog: the MNIST addition example that the ``deepproblog`` wheel
  ships (its network, program, Adam at 1e-3, batches of two, exact
  inference), trained until ``--budget-seconds`` of training; a point every
  1/20 of an epoch (``benchmarks/_deepproblog_mnist_addition.py``, which
  runs under DeepProbLog's own virtual environment and says what differs
  from the example: where MNIST is read, the pairs, the stop, and the
  evaluation, batched and checked against DeepProbLog's own inference).

The comparison gives each system's accuracy after the same wall time (the
shorter of the two runs, and 2, 5, 10 and 20 minutes where a run got
that far), its final accuracy, and the wall time at which it first reached
97 % of sums right.

DeepProbLog runs in a virtual environment of its own, which the script
makes on its first run in ``.peer-env/deepproblog`` of the checkout (a
folder git ignores), with the Python that runs the script (3.11 for the
published figures) and :data:`PEER_REQUIREMENTS`: the torch of sklarith's
(2.14.1; deepproblog 2.1.0 requires torch, torchvision, problog and pysdd
without pinning any version, and all install as wheels). This brings torch's
CUDA libraries too (several GB), unused here. pyswip, which only
DeepProbLog's approximate engine needs, is left out: importing deepproblog
warns that the approximate engine is unavailable. ``--python`` runs
DeepProbLog's side with the Python of another environment instead.

Run by hand, with the cores free (not part of the test suite), from the
repository root in sklarith's environment, MNIST in scikit-learn's data home
(``SCIKIT_LEARN_DATA``; nothing is downloaded or written there)::

    python benchmarks/peer_deepproblog.py --output results
        [--budget-seconds 1200] [--random-state 0]
        [--python PYTHON] [--max-epochs E] [--resume]

Each side's curve is kept in ``DIR/peer-deepproblog-curves/<system>.json`` as
soon as it ends (DeepProbLog's after every evaluation); ``--resume`` reads
back a finished curve of the same options instead of running that side
again. The comparison goes to ``DIR/peer-deepproblog.{json,md,rst}``.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The script's folder comes first on sys.path: both sides time themselves
# with the helper's clock.
from _deepproblog_mnist_addition import Clock
from sklearn.datasets import get_data_home

from sklarith import AutoencoderTransformer, DigitArithmeticClassifier
from sklarith.datasets import fetch_mnist, make_number_addition
from sklarith.experiments import (
    Figures,
    format_figures,
    percent,
    seconds_text,
    to_markdown,
    write,
)
from sklarith.experiments.mnist_addition import (
    AUTOENCODER_SETTINGS,
    CLASSIFIER_SETTINGS,
    batch_size_for,
)
from sklarith.structures import NumberSum

NAME = "peer-deepproblog"
SYSTEMS = {"sklarith": "sklarith", "deepproblog": "DeepProbLog"}
HELPER = Path(__file__).with_name("_deepproblog_mnist_addition.py")

#: DeepProbLog's virtual environment: in the checkout, where git ignores it.
PEER_ENVIRONMENT = Path(__file__).resolve().parents[1] / ".peer-env" / "deepproblog"
#: What it holds, besides pip.
PEER_REQUIREMENTS = ("deepproblog==2.1.0", "torch==2.14.1", "torchvision==0.29.1")

#: Test accuracy of the sum whose first reaching is timed.
TARGET = 0.97

#: Wall times (s) at which both systems' accuracy is compared, where a run
#: got that far, besides the shorter run's total.
BUDGETS = (120, 300, 600, 1200)

#: ``--smoke``: a run of the whole pipeline in a minute or two, on the first
#: training and test images, with one autoencoder epoch and two of the
#: classifier: it checks the plumbing, not the figures.
SMOKE = {
    "train_images": 6000,
    "test_images": 1000,
    "autoencoder_epochs": 1,
    "classifier_epochs": 2,
}


class EpochCurve:
    """A scikit-learn callback: the test accuracy of the sum after every
    epoch of the classifier's fit, the clock stopped while it is measured.

    It asks the fit to stop once ``clock`` has run ``budget_seconds``.
    """

    def __init__(self, X_test, Y_test, clock, budget_seconds):
        self.X_test = X_test
        self.Y_test = Y_test
        self.clock = clock
        self.budget_seconds = budget_seconds
        self.points = []

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        if context.task_name != "epoch":
            return False
        self.clock.stop()
        start = time.perf_counter()
        # The estimator as it stands after this epoch; score is subset
        # accuracy: every digit of the sum right.
        accuracy = fitted_estimator.score(self.X_test, self.Y_test)
        point = {
            "epochs": context.task_id + 1,
            "seconds": self.clock.seconds(),
            "accuracy": float(accuracy),
            "evaluation_seconds": time.perf_counter() - start,
        }
        self.points.append(point)
        print(json.dumps(point), flush=True)
        self.clock.start()
        return self.clock.seconds() >= self.budget_seconds


def load_rows(data_home, random_state, smoke):
    """The training images, and the training and test rows of N = 1 as
    ``sklarith reproduce mnist-addition`` draws them for ``random_state``:
    each image used once. Rows are ``(X, Y, indices)``."""
    train = fetch_mnist(subset="train", data_home=data_home, download_if_missing=False)
    test = fetch_mnist(subset="test", data_home=data_home, download_if_missing=False)
    n_train = SMOKE["train_images"] if smoke else len(train.data)
    n_test = SMOKE["test_images"] if smoke else len(test.data)
    images, labels = train.data[:n_train], train.target[:n_train]
    train_rows = make_number_addition(
        images, labels, n_digits=1, random_state=random_state, return_indices=True
    )
    test_rows = make_number_addition(
        test.data[:n_test],
        test.target[:n_test],
        n_digits=1,
        random_state=random_state + 1,
        return_indices=True,
    )
    return images, labels, test.target[:n_test], train_rows, test_rows


def run_sklarith(images, train_rows, test_rows, options):
    """sklarith's curve: autoencoder, then the arithmetic classifier."""
    X, Y, _ = train_rows
    X_test, Y_test, _ = test_rows
    seed = options["random_state"]
    autoencoder_params = dict(AUTOENCODER_SETTINGS)
    classifier_params = dict(CLASSIFIER_SETTINGS, batch_size=batch_size_for(1))
    if options["smoke"]:
        autoencoder_params["max_epochs"] = SMOKE["autoencoder_epochs"]
        classifier_params["max_epochs"] = SMOKE["classifier_epochs"]
    clock = Clock()
    curve = EpochCurve(X_test, Y_test, clock, options["budget_seconds"])
    autoencoder = AutoencoderTransformer(
        **autoencoder_params, random_state=seed, verbose=1
    )
    classifier = DigitArithmeticClassifier(
        **classifier_params,
        structure=NumberSum(n_digits=1),
        encoder=autoencoder,
        digit_init="clusters",
        random_state=seed,
        verbose=1,
    )
    if not hasattr(classifier, "set_callbacks"):
        raise RuntimeError(
            "The test curve is a scikit-learn callback: it needs scikit-learn "
            "1.9 or later."
        )
    classifier.set_callbacks(curve)
    clock.start()
    autoencoder.fit(images)
    pretraining = clock.seconds()
    classifier.fit(X, Y)
    clock.stop()
    return {
        "system": "sklarith",
        "settings": {
            "autoencoder": autoencoder_params,
            "classifier": classifier_params,
            "head": "arithmetic",
            "digit_init": "clusters",
            "n_train_rows": len(X),
            "n_test_rows": len(X_test),
        },
        "points": curve.points,
        "pretraining_seconds": pretraining,
        "seconds": clock.seconds(),
    }


def write_pairs(path, train_rows, test_rows, train_labels, test_labels):
    """The rows' image indices and sums, for DeepProbLog's side to use."""
    pairs = {}
    for subset, (_, _, indices), labels in (
        ("train", train_rows, train_labels),
        ("test", test_rows, test_labels),
    ):
        pairs[subset] = {
            "pairs": indices.tolist(),
            "sums": labels[indices].sum(axis=1).tolist(),
        }
    Path(path).write_text(json.dumps(pairs))


def peer_python(folder):
    """The Python of DeepProbLog's virtual environment in ``folder``.

    The environment is made there, with the Python that runs this script and
    :data:`PEER_REQUIREMENTS`, unless an earlier call completed it: a list of
    what it holds is written last, so that an install cut off is finished by
    the next run rather than taken for a whole environment.

    Parameters
    ----------
    folder : pathlib.Path
        The environment's folder.

    Returns
    -------
    python : pathlib.Path
        Its Python.
    """
    python = folder / "bin" / "python"
    installed = folder / "sklarith-requirements.txt"
    wanted = "\n".join(PEER_REQUIREMENTS) + "\n"
    if installed.exists() and installed.read_text() == wanted:
        return python
    print(f"Making DeepProbLog's environment in {folder} (several GB)", flush=True)
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", *PEER_REQUIREMENTS], check=True
    )
    installed.write_text(wanted)
    return python


def run_deepproblog(python, pairs, data_home, curve_path, options, check_rows):
    """DeepProbLog's curve, from the helper run under ``python``."""
    command = [
        python,
        str(HELPER),
        "--output",
        str(curve_path),
        "--pairs",
        str(pairs),
        "--data-home",
        str(data_home),
        "--budget-seconds",
        str(options["budget_seconds"]),
        "--random-state",
        str(options["random_state"]),
        "--check-rows",
        str(check_rows),
    ]
    if options["max_epochs"] is not None:
        command += ["--max-epochs", str(options["max_epochs"])]
    subprocess.run(command, check=True)
    curve = json.loads(curve_path.read_text())
    if not curve.get("complete"):
        raise RuntimeError(f"{HELPER.name} ended without finishing {curve_path}.")
    return curve


def accuracy_at(curve, seconds):
    """The test accuracy of the last point at or before ``seconds``; None
    before the first."""
    reached = [p for p in curve["points"] if p["seconds"] <= seconds]
    return reached[-1]["accuracy"] if reached else None


def first_reaching(curve, target):
    """The first point whose accuracy is at least ``target``, or None."""
    return next((p for p in curve["points"] if p["accuracy"] >= target), None)


def epochs_text(epochs):
    return f"{epochs:.3g} epoch" + ("" if epochs == 1 else "s")


def comparison(curves):
    """The table's rows for the curves of both systems: the accuracy after
    the same wall times, at the end, and when each first reached
    :data:`TARGET`."""
    systems = list(curves)
    totals = {name: curves[name]["seconds"] for name in systems}
    shorter = min(totals.values())

    def at(seconds):
        cells = []
        for name in systems:
            accuracy = accuracy_at(curves[name], seconds)
            cell = "no point yet" if accuracy is None else percent(accuracy)
            if totals[name] < seconds:
                cell += " (finished)"
            cells.append(cell)
        return cells

    # Every budget that a run got to, and the shorter run's total, in order.
    times = {b: "" for b in BUDGETS if b < max(totals.values())}
    times[shorter] = " (the shorter run)"
    rows = [
        [f"sum right after {seconds_text(seconds)}{label}", *at(seconds)]
        for seconds, label in sorted(times.items())
    ]
    final = []
    for name in systems:
        last = curves[name]["points"][-1]
        final.append(f"{percent(last['accuracy'])} ({epochs_text(last['epochs'])})")
    rows.append(["sum right at the end of training", *final])
    first = []
    for name in systems:
        point = first_reaching(curves[name], TARGET)
        first.append(
            f"not in {seconds_text(totals[name])}"
            if point is None
            else f"{seconds_text(point['seconds'])} ({epochs_text(point['epochs'])})"
        )
    rows.append([f"first reached {TARGET:.0%} of sums right", *first])
    rows.append(["training wall time", *(seconds_text(totals[n]) for n in systems)])
    return rows


def notes(curves):
    sklarith, dpl = curves["sklarith"], curves["deepproblog"]
    check = dpl["check"]
    versions = ", ".join(
        f"{'Python' if k == 'python' else k} {v}" for k, v in dpl["versions"].items()
    )
    n_train, n_test = (sklarith["settings"][f"n_{s}_rows"] for s in ("train", "test"))
    return [
        f"Test accuracy (%) of the whole sum on {n_test:,} test pairs after "
        f"training on {n_train:,} pairs, the same pairs of the same MNIST "
        "files for both systems (each image used once), against the training "
        "wall time: the clock stops while a system is evaluated, and the "
        "accuracy after a time is that of its last evaluation by then. The "
        "systems ran one after the other, each with the machine's cores.",
        "sklarith: `sklarith reproduce mnist-addition --n-digits 1 --digit-init "
        f"clusters`, random state {sklarith['options']['random_state']}; its "
        "clock starts before the autoencoder's pre-training (no labels), which took "
        f"{seconds_text(sklarith['pretraining_seconds'])}, and it is evaluated "
        "after every epoch of its fixed schedule.",
        "DeepProbLog: the MNIST addition example of the deepproblog wheel (its "
        "network, program, Adam at 1e-3, batches of two, exact inference), "
        f"{dpl['iterations_per_second']:.1f} batches per second, evaluated every "
        f"{dpl['settings']['eval_every_iterations']:,} batches; its test "
        "accuracy is computed in one batched pass from the network's digit "
        "distributions, and at the end DeepProbLog's own inference answered the "
        f"same sum on {check['same_sum']:,} of the first {check['rows']:,} test "
        f"pairs ({versions}; torch with {dpl['torch_threads']} thread(s)).",
    ]


def read_curve(path, options):
    """The finished curve kept at ``path`` for the same options, or None."""
    if not path.exists():
        return None
    curve = json.loads(path.read_text())
    if curve.get("complete") and curve.get("options") == options:
        return curve
    return None


def keep_curve(path, curve, options, real_seconds):
    """Write ``curve`` to ``path`` with the options it was run with and the
    time its run took, evaluations included; return it."""
    curve = dict(curve, options=options, complete=True, real_seconds=real_seconds)
    path.write_text(json.dumps(curve, indent=2) + "\n")
    return curve


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--output", metavar="DIR", required=True)
    parser.add_argument(
        "--budget-seconds",
        type=float,
        default=1200.0,
        help="training wall time of each side at most (default: 1200); "
        "sklarith's fixed schedule ends well before",
    )
    parser.add_argument(
        "--max-epochs",
        type=float,
        help="DeepProbLog's epochs at most (default: the budget alone)",
    )
    parser.add_argument("--random-state", type=int, default=0)
    parser.add_argument(
        "--python",
        help="the Python of a virtual environment that has DeepProbLog "
        "(default: the one in .peer-env/deepproblog, made on the first run)",
    )
    parser.add_argument(
        "--data-home", help="the folder that holds MNIST/raw (SCIKIT_LEARN_DATA)"
    )
    parser.add_argument(
        "--check-rows",
        type=int,
        default=1000,
        help="test pairs that DeepProbLog's own inference answers at the end, "
        "to check its batched evaluation (default: 1000)",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="read back a side's finished curve of the same options from DIR",
    )
    parser.add_argument("--smoke", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.python is None:
        args.python = str(peer_python(PEER_ENVIRONMENT))
    elif not Path(args.python).exists():
        parser.error(f"--python {args.python} does not exist")
    start = time.perf_counter()
    output = Path(args.output)
    output.mkdir(parents=True, exist_ok=True)
    data_home = get_data_home(args.data_home)
    options = {
        "random_state": args.random_state,
        "budget_seconds": args.budget_seconds,
        "max_epochs": args.max_epochs,
        "smoke": args.smoke,
    }
    images, labels, test_labels, train_rows, test_rows = load_rows(
        data_home, args.random_state, args.smoke
    )
    curves = {}
    # A resumed comparison counts the time of the runs it reads back.
    earlier = 0.0
    for name in SYSTEMS:
        # Beside the results files, not among them: a curve is not a table.
        path = output / f"{NAME}-curves" / f"{name}.json"
        path.parent.mkdir(exist_ok=True)
        curve = read_curve(path, options) if args.resume else None
        side_start = time.perf_counter()
        if curve is not None:
            print(f"{SYSTEMS[name]}: the finished curve of {path}", flush=True)
            earlier += curve["real_seconds"]
        elif name == "sklarith":
            curve = run_sklarith(images, train_rows, test_rows, options)
            real = time.perf_counter() - side_start
            curve = keep_curve(path, curve, options, real)
        else:
            with tempfile.TemporaryDirectory() as folder:
                pairs = Path(folder) / "pairs.json"
                write_pairs(pairs, train_rows, test_rows, labels, test_labels)
                curve = run_deepproblog(
                    args.python, pairs, data_home, path, options, args.check_rows
                )
            real = time.perf_counter() - side_start
            curve = keep_curve(path, curve, options, real)
        curves[name] = curve

    command = "python benchmarks/peer_deepproblog.py"
    if args.budget_seconds != 1200:
        command += f" --budget-seconds {args.budget_seconds:g}"
    if args.max_epochs is not None:
        command += f" --max-epochs {args.max_epochs:g}"
    if args.random_state != 0:
        command += f" --random-state {args.random_state}"
    if args.smoke:
        command += " --smoke"
    figures = Figures(
        NAME,
        command,
        options,
        {
            "header": ["", *(SYSTEMS[name] for name in curves)],
            "rows": comparison(curves),
            "notes": notes(curves),
            "curves": curves,
        },
        seconds=time.perf_counter() - start + earlier,
    )
    print(to_markdown(figures, format_figures(figures)), end="")
    write(figures, output, name=NAME)


if __name__ == "__main__":
    sys.exit(main())
