"""Callbacks every net trains with."""

import math
import re
import sys

from skorch.callbacks import Callback, PrintLog

#: ANSI escape sequences, such as the colours skorch gives the best values.
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class TrainingDivergedError(ValueError):
    """The training loss became NaN or infinite: the weights are lost."""


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
    """skorch's per-epoch table, coloured only when standard output is a
    terminal: a log file or a pipe gets plain text."""

    def format_row(self, row, key, color):
        text = super().format_row(row, key, color)
        if isinstance(text, str) and not sys.stdout.isatty():
            return _ANSI.sub("", text)
        return text
