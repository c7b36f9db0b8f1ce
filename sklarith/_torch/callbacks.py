"""Callbacks every net trains with, and where their output goes.

What ``verbose`` shows (the table of losses per epoch, the messages of early
stopping) goes through the :mod:`logging` logger ``"sklarith.training"`` at
level INFO. A library leaves the handling of its records to the application,
yet ``verbose=1`` must show the table with no logging configured at all; so
``"sklarith"`` has one handler of its own, :class:`_DefaultHandler`, which
writes to standard output only while no other handler would receive the
record (the role :data:`logging.lastResort` plays for warnings). Once the
application configures logging (``logging.basicConfig()``, a handler on
``"sklarith"``), its handlers alone show the records, formatted its way, and
``logging.getLogger("sklarith").setLevel(logging.WARNING)`` silences them.
"""

import logging
import math
import re
import sys
import warnings

import tqdm
from sklearn.exceptions import ConvergenceWarning
from skorch.callbacks import Callback, PrintLog, ProgressBar

from ..exceptions import TrainingDivergedError
from ..utils._warnings import stacklevel_outside_libraries
from .persistence import persisted_by_name

#: ANSI escape sequences, such as the colours skorch gives the best values.
_ANSI = re.compile(r"\x1b\[[0-9;]*m")

#: The logger of everything ``verbose`` shows while a network trains.
logger = logging.getLogger("sklarith.training")


class _DefaultHandler(logging.Handler):
    """Writes sklarith's records to standard output while no handler of the
    application would receive them; coloured (as skorch colours the best
    values) only on a terminal."""

    def handle(self, record):
        if _other_handlers(logging.getLogger(record.name), self):
            return False
        return super().handle(record)

    def emit(self, record):
        # Standard output is looked up at each record: it may have been
        # replaced (pytest's capture, contextlib.redirect_stdout) since import.
        stream = sys.stdout
        if stream is None:
            return
        try:
            text = self.format(record)
            coloured = getattr(record, "coloured", None)
            if coloured is not None and getattr(stream, "isatty", bool)():
                text = coloured
            stream.write(text + "\n")
            stream.flush()
        except Exception:
            self.handleError(record)


def _other_handlers(logger, handler):
    """Whether a record of ``logger`` reaches a handler other than ``handler``."""
    while logger is not None:
        if any(other is not handler for other in logger.handlers):
            return True
        if not logger.propagate:
            return False
        logger = logger.parent
    return False


def _install_default_handler():
    package = logging.getLogger("sklarith")
    if not any(isinstance(h, _DefaultHandler) for h in package.handlers):
        package.addHandler(_DefaultHandler())
    # INFO passes unless the application chose a level for sklarith first.
    if package.level == logging.NOTSET:
        package.setLevel(logging.INFO)


_install_default_handler()


@persisted_by_name
def log_line(text):
    """Log one line of training output: plain text, with the coloured form
    kept for a terminal."""
    logger.info(_ANSI.sub("", text), extra={"coloured": text})


@persisted_by_name
def discard(text):
    """The sink of training output at ``verbose=0``: registered, so that a
    persisted model names it rather than holds it."""


class StopTraining(KeyboardInterrupt):
    """A callback's request to end training after this epoch.

    skorch ends training on ``KeyboardInterrupt``, as its early stopping
    does; this kind tells a callback's request from a user's Ctrl-C, which
    reaches the caller of ``fit``.
    """


class StopOnNonFiniteLoss(Callback):
    """Stop training with :class:`TrainingDivergedError` as soon as a training
    batch's loss, or an epoch's validation loss, is NaN or infinite.

    A diverged network only predicts NaN from then on; stopping at once says
    so where it happened, instead of returning a model that fails silently.
    """

    def on_batch_end(self, net, training, **kwargs):
        if training:
            self._check(net, net.history[-1, "batches", -1, "train_loss"], "training")

    def on_epoch_end(self, net, **kwargs):
        if "valid_loss" in net.history[-1]:
            self._check(net, net.history[-1, "valid_loss"], "validation")

    @staticmethod
    def _check(net, loss, kind):
        if not math.isfinite(loss):
            raise diverged(net, f"the {kind} loss became {loss}")


def diverged(net, what):
    """The :class:`TrainingDivergedError` of ``net``, saying ``what`` happened
    in its current epoch and what to change."""
    return TrainingDivergedError(
        f"Training diverged: {what} in epoch {len(net.history)}. The learning "
        f"rate (lr={net.lr:g}) is likely too large for the scale of the inputs "
        "or targets: pass a smaller lr, or scale X (and y) to a range near [0, 1]."
    )


class PlainPrintLog(PrintLog):
    """skorch's per-epoch table, logged line by line by :func:`log_line`
    when the net is verbose: plain text in the log records, coloured only
    when sklarith's own handler writes it to a terminal."""

    def __init__(self, *, sink=log_line, **kwargs):
        super().__init__(sink=sink, **kwargs)

    def on_epoch_end(self, net, **kwargs):
        # skorch sends the table to a sink other than print whatever the
        # verbosity; verbose=0 logs nothing.
        if net.verbose:
            super().on_epoch_end(net, **kwargs)


class TrainingProgressBar(ProgressBar):
    """skorch's progress bar within each epoch, drawn on standard error by
    tqdm while the ``"sklarith.training"`` logger shows INFO records: the
    level that silences the table hides the bar too."""

    def on_epoch_begin(self, net, **kwargs):
        if logger.isEnabledFor(logging.INFO):
            super().on_epoch_begin(net, **kwargs)
        else:
            self.pbar_ = tqdm.tqdm(disable=True)


class WarnIfNotConverged(Callback):
    """Warn with :class:`~sklearn.exceptions.ConvergenceWarning` when a fit
    ends at its epoch limit while its loss was still improving, as
    scikit-learn's ``MLPClassifier`` warns when it reaches ``max_iter``.

    It watches what early stopping watches (``monitor``: the validation
    loss, or the validation score with ``lower_is_better=False``) when there
    is a validation split, else the training loss. That was still improving
    when fewer than ``patience`` epochs have passed since it last improved by
    the threshold of early stopping: the rule that would have ended training.
    Only the epochs of the current fit count (a warm start continues a
    history). ``name`` names the estimator in the message.
    """

    def __init__(
        self,
        name,
        patience,
        threshold,
        threshold_mode,
        monitor="valid_loss",
        lower_is_better=True,
    ):
        self.name = name
        self.patience = patience
        self.threshold = threshold
        self.threshold_mode = threshold_mode
        self.monitor = monitor
        self.lower_is_better = lower_is_better

    def on_train_begin(self, net, **kwargs):
        self.first_epoch_ = len(net.history)

    def on_train_end(self, net, **kwargs):
        rows = net.history[self.first_epoch_ :]
        if len(rows) < net.max_epochs:
            return
        monitor, sign = self.monitor, 1.0 if self.lower_is_better else -1.0
        if monitor not in rows[-1]:
            monitor, sign = "train_loss", 1.0
        relative = self.threshold_mode == "rel"
        # Figures where higher is better are negated: the best is the lowest.
        best, best_epoch = math.inf, 0
        for epoch, row in enumerate(rows, start=1):
            value = sign * row[monitor]
            if value < best:
                best_epoch = epoch
                best = value - self.threshold * (abs(value) if relative else 1.0)
        if len(rows) - best_epoch < self.patience:
            figure = {
                "valid_loss": "validation loss",
                "train_loss": "training loss",
                "valid_acc": "validation score",
            }.get(monitor, monitor)
            warnings.warn(
                f"{self.name} stopped at max_epochs={net.max_epochs} with its "
                f"{figure} still improving: it improved in epoch {best_epoch} "
                f"of {len(rows)}, and training counts as converged only after "
                f"{self.patience} epoch(s) without improvement "
                "(n_iter_no_change). Raise max_epochs to train to convergence.",
                ConvergenceWarning,
                stacklevel=stacklevel_outside_libraries(),
            )


class ReportEpochs(Callback):
    """Report each epoch to scikit-learn's callbacks as a task of the fit.

    ``context`` is the fit's :class:`sklearn.callback.CallbackContext`;
    each epoch is a subtask of it, begun and ended with ``estimator``,
    ``X`` and ``y`` (the data the fit was given). An epoch ends with the
    estimator as it stands, its net the one in training, for callbacks
    that evaluate it (``ScoringMonitor``). A callback that asks to stop
    ends training after that epoch. The references are dropped at the end
    of training, so a fitted net neither holds nor pickles them.
    """

    def __init__(self, context, estimator, X, y):
        self.context = context
        self.estimator = estimator
        self.X = X
        self.y = y

    def on_epoch_begin(self, net, **kwargs):
        self.epoch_ = self.context.subcontext(task_name="epoch")
        self.epoch_.call_on_fit_task_begin(estimator=self.estimator, X=self.X, y=self.y)

    def on_epoch_end(self, net, **kwargs):
        stop = self.epoch_.call_on_fit_task_end(
            estimator=self.estimator,
            X=self.X,
            y=self.y,
            reconstruction_attributes=lambda: {"net_": net},
        )
        self.epoch_ = None
        if stop:
            raise StopTraining

    def on_train_end(self, net, **kwargs):
        self.context = self.estimator = self.X = self.y = self.epoch_ = None
