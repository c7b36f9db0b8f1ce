"""What a net is and how it trains, as one explicit value: :class:`NetSpec`."""

import dataclasses
import math
from collections.abc import Callable, Sequence
from typing import Any

import torch
from skorch.callbacks import Callback, EarlyStopping, EpochScoring, LRScheduler
from skorch.dataset import ValidSplit

from .callbacks import (
    StopOnNonFiniteLoss,
    TrainingProgressBar,
    WarnIfNotConverged,
    discard,
    log_line,
)
from .data import BatchIterator
from .net import SklarithNeuralNet


def _no_arguments():
    return {}


@dataclasses.dataclass(frozen=True)
class NetSpec:
    """Everything that decides how a net is built and trained.

    An estimator states its own network (``module``, ``criterion`` and their
    arguments, the optimizer, the validation score and any callbacks of its
    own); the training hyperparameters (``max_epochs`` to ``mixed_precision``)
    come from the estimator's constructor parameters, and an estimator sets
    one itself only where it resolves a default of its own (the adder's
    recipes do).

    Parameters
    ----------
    module, criterion : type of torch.nn.Module
        The network and the loss; ``module_params`` and ``criterion_params``
        are their keyword arguments.
    optimizer : type of torch.optim.Optimizer
        With the keyword arguments ``optimizer_params`` besides ``lr``.
    valid_scoring : callable or None
        ``scoring(net, dataset, y)``, recorded as ``valid_acc`` after each
        epoch when there is a validation split.
    stop_on_score : bool
        Early stopping watches ``valid_acc``, the validation score (higher is
        better), instead of the validation loss, as scikit-learn's
        ``MLPClassifier`` does: a classifier's validation loss can rise
        while its accuracy still improves (its confidence in the rows it
        gets wrong grows), and stopping on the loss then ends training
        early. Needs ``valid_scoring``.
    lr_decay : bool
        Decay the learning rate from ``lr`` to zero along a cosine, batch by
        batch, over ``max_epochs`` (the estimators' ``lr_schedule="cosine"``):
        the last steps are small, which settles the weights. Otherwise it
        stays constant. A skorch ``LRScheduler`` among ``callbacks`` (a
        user's schedule) replaces this one.
    min_improvement, min_improvement_mode : float, {"rel", "abs"}
        How much the watched figure (the validation loss, or the score with
        ``stop_on_score``) must improve for an epoch to count as an
        improvement (skorch's ``EarlyStopping`` threshold).
    restore_best : bool
        At the end of early stopping, restore the weights of the best epoch.
    callbacks : sequence of skorch.callbacks.Callback or (str, Callback)
        Callbacks of the estimator's own, then the user's, run after the
        shared ones, so that their ``on_train_end`` sees the restored best
        weights.
    epoch_monitors : sequence of (str, skorch.callbacks.Callback)
        Callbacks that follow every epoch (the report to scikit-learn's
        callbacks), run before early stopping, which ends the last epoch
        by raising: they see that epoch too.
    name : str
        What the warning that the loss was still improving at
        ``max_epochs`` calls the network (the estimator's class name).
    warn_at_max_epochs : bool
        Warn with :class:`~sklearn.exceptions.ConvergenceWarning` when
        ``max_epochs`` ends training while the loss still improves; off for
        a phase whose epochs are a fixed schedule rather than a limit.
    dtype : torch.dtype
        Of the weights and of the training tensors.
    max_epochs, batch_size, lr, early_stopping, validation_fraction, \
n_iter_no_change, verbose, mixed_precision
        The shared hyperparameters, as the estimators document them.
    """

    module: type
    criterion: type
    module_params: dict = dataclasses.field(default_factory=_no_arguments)
    criterion_params: dict = dataclasses.field(default_factory=_no_arguments)
    optimizer: type = torch.optim.Adam
    optimizer_params: dict = dataclasses.field(default_factory=_no_arguments)
    valid_scoring: Callable | None = None
    stop_on_score: bool = False
    lr_decay: bool | None = None
    min_improvement: float = 1e-4
    min_improvement_mode: str = "rel"
    restore_best: bool = True
    callbacks: Sequence[Callback | tuple[str, Callback]] = ()
    epoch_monitors: Sequence[tuple[str, Callback]] = ()
    name: str = "The network"
    warn_at_max_epochs: bool = True
    dtype: torch.dtype = torch.float32
    max_epochs: int | None = None
    batch_size: int | None = None
    lr: float | None = None
    early_stopping: bool | None = None
    validation_fraction: float | None = None
    n_iter_no_change: int | None = None
    verbose: int | None = None
    mixed_precision: bool | None = None

    def with_defaults(self, **hyperparameters: Any):
        """This spec with every hyperparameter left at ``None`` taken from
        ``hyperparameters``."""
        unset = {
            name: value
            for name, value in hyperparameters.items()
            if getattr(self, name) is None
        }
        return dataclasses.replace(self, **unset)


def _monitored(spec):
    """What early stopping watches, as skorch's ``EarlyStopping`` arguments."""
    if spec.stop_on_score and spec.valid_scoring is not None:
        return {"monitor": "valid_acc", "lower_is_better": False}
    return {"monitor": "valid_loss", "lower_is_better": True}


def _schedules_the_lr(callbacks):
    """Whether the estimator's own ``callbacks`` hold a learning-rate
    schedule, which then replaces the built-in one instead of stacking on it
    (two schedulers would each rescale the rate at every step)."""
    return any(
        isinstance(
            callback[1] if isinstance(callback, tuple) else callback, LRScheduler
        )
        for callback in callbacks
    )


def _callbacks(spec, n_samples, seed):
    """The skorch callbacks of ``spec`` and its train split, in the order
    they must run: the validation score before early stopping, which ends an
    epoch by raising; the monitors of every epoch before it too; the
    estimator's own callbacks last."""
    callbacks = [("stop_on_non_finite_loss", StopOnNonFiniteLoss())]
    if spec.warn_at_max_epochs:
        warning = WarnIfNotConverged(
            spec.name,
            patience=spec.n_iter_no_change,
            threshold=spec.min_improvement,
            threshold_mode=spec.min_improvement_mode,
            **_monitored(spec),
        )
        callbacks.append(("warn_if_not_converged", warning))
    train_split = None
    if spec.early_stopping:
        train_split = ValidSplit(spec.validation_fraction, random_state=seed)
        if spec.valid_scoring is not None:
            scoring = EpochScoring(
                spec.valid_scoring,
                name="valid_acc",
                lower_is_better=False,
                use_caching=True,
            )
            callbacks.append(("valid_acc", scoring))
    if spec.lr_decay and not _schedules_the_lr(spec.callbacks):
        n_train = n_samples
        if spec.early_stopping:
            n_train -= math.ceil(spec.validation_fraction * n_samples)
        n_steps = spec.max_epochs * math.ceil(max(n_train, 1) / spec.batch_size)
        schedule = LRScheduler(
            torch.optim.lr_scheduler.CosineAnnealingLR,
            T_max=n_steps,
            step_every="batch",
            # Every fit, a warm start too, decays from lr: skorch would resume
            # the schedule at the epoch count of the history.
            last_epoch=-1,
        )
        callbacks.append(("lr_schedule", schedule))
    callbacks.extend(spec.epoch_monitors)
    if spec.early_stopping:
        stopping = EarlyStopping(
            patience=spec.n_iter_no_change,
            threshold=spec.min_improvement,
            threshold_mode=spec.min_improvement_mode,
            load_best=spec.restore_best,
            **_monitored(spec),
            # Its messages (stopping, restoring the best epoch) are verbose
            # output; skorch sends them to any sink other than print.
            sink=log_line if spec.verbose else discard,
        )
        callbacks.append(("early_stopping", stopping))
    callbacks.extend(spec.callbacks)
    if spec.verbose >= 2:
        callbacks.append(("progress_bar", TrainingProgressBar()))
    return callbacks, train_split


#: Optimisers that torch also implements fused (one kernel updates every
#: parameter), and the device types it does so on: the same update, without
#: a pass over the parameters per operation, which is a visible share of a
#: small network's training step on a CPU.
_FUSED_OPTIMIZERS = (torch.optim.Adam, torch.optim.AdamW)
_FUSED_DEVICE_TYPES = ("cpu", "cuda")


def _optimizer_params(spec, device):
    """``spec.optimizer_params``, with the fused implementation chosen where
    torch has one for the optimizer on ``device`` and the spec leaves it
    open."""
    params = dict(spec.optimizer_params)
    if (
        spec.optimizer in _FUSED_OPTIMIZERS
        and torch.device(device).type in _FUSED_DEVICE_TYPES
    ):
        params.setdefault("fused", True)
    return params


def build_net(spec, *, n_samples, device, seed):
    """The skorch net that trains ``spec`` on ``n_samples`` rows on ``device``.

    Batches are served from tensors in memory by
    :class:`~sklarith._torch.data.BatchIterator`; ``seed`` fixes the
    validation split.
    """
    callbacks, train_split = _callbacks(spec, n_samples, seed)
    return SklarithNeuralNet(
        module=spec.module,
        criterion=spec.criterion,
        optimizer=spec.optimizer,
        lr=spec.lr,
        max_epochs=spec.max_epochs,
        batch_size=spec.batch_size,
        iterator_train=BatchIterator,
        iterator_train__shuffle=True,
        iterator_train__device=device,
        iterator_valid=BatchIterator,
        iterator_valid__device=device,
        train_split=train_split,
        callbacks=callbacks,
        device=device,
        verbose=int(spec.verbose > 0),
        mixed_precision=spec.mixed_precision,
        **{f"module__{key}": value for key, value in spec.module_params.items()},
        **{f"criterion__{key}": value for key, value in spec.criterion_params.items()},
        **{
            f"optimizer__{key}": value
            for key, value in _optimizer_params(spec, device).items()
        },
    )
