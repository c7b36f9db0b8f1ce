"""The base of every estimator that trains a skorch net: one fit template.

:class:`NetEstimator` holds the hyperparameters every net estimator shares,
their constraints, and the one sequence that trains a net::

    fit(X, y)
      validate the parameters           (_fit_context; layer sizes too)
      resolve the device                (before any work, an encoder's fit too)
      X, y = _validate_fit_data(X, y)   (the estimator's hook)
      _fit_net(X, y)
        resolve the device (the encoders enter here), check the number of
        samples, draw the seed
        spec = _net_spec(X, y)          (the estimator's hook)
        build the skorch net from the spec, train it under the seed

An estimator fills in the two hooks and nothing of the sequence. The image
encoders enter at ``_fit_net``, after finding the distinct images themselves.

``_fit_net`` also continues the fitted net with ``warm_start=True`` and
reports each epoch to scikit-learn's callbacks (``sklearn.callback``, from
scikit-learn 1.9) as a task of the fit; a fit that raises leaves the
estimator as it was before it (:func:`restored_on_error`).
"""

import contextlib
import copy
import dataclasses
import math
import numbers
from abc import ABCMeta, abstractmethod

import numpy as np
import torch
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import validate_data

from ._torch import (
    InMemoryDataset,
    build_net,
    fit_net,
    to_tensor,
)
from ._torch.callbacks import ReportEpochs
from ._torch.persistence import net_from_state, net_to_state
from .exceptions import IncompatibleNetError
from .utils._device import resolve_device, torch_seed
from .utils._validation import check_enough_samples, check_layer_sizes

try:
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # scikit-learn < 1.9 has no callback API

    class CallbackSupportMixin:
        """Stands in for scikit-learn's mixin: no callbacks to report to."""


#: Names of the nonlinearities the estimators offer, and their torch modules.
ACTIVATIONS = {
    "relu": torch.nn.ReLU,
    "sigmoid": torch.nn.Sigmoid,
    "tanh": torch.nn.Tanh,
}


#: ``max_epochs="auto"``: the optimiser steps it aims at, and its most epochs.
#: What trains a network is its number of steps; the learning rate decays
#: along a cosine over ``max_epochs``, which early stopping would cut while
#: the rate is still high if the epochs were far more than the steps need.
AUTO_STEPS = 5_000
AUTO_MAX_EPOCHS = 200


#: Where sklarith's documentation is published. Each public estimator has its
#: API page at ``generated/sklarith.<Name>.html`` below it (docs/api.rst).
DOCS_URL = "https://sklarith.readthedocs.io/en/latest/"


def _api_page_parameters(estimator):
    return {"estimator_name": type(estimator).__name__}


class DocLinkMixin:
    """The "?" of the estimator's HTML representation opens its API page.

    scikit-learn links the diagrams of its own estimators only; these are
    the attributes its ``_HTMLDocumentationLinkMixin`` reads, pointing at
    sklarith's API pages under :data:`DOCS_URL`.
    """

    _doc_link_module = "sklarith"
    _doc_link_template = DOCS_URL + "generated/sklarith.{estimator_name}.html"
    _doc_link_url_param_generator = _api_page_parameters


class NetEstimator(
    CallbackSupportMixin, DocLinkMixin, BaseEstimator, metaclass=ABCMeta
):
    """An estimator whose model is a skorch net, ``net_``, trained by one template.

    Subclasses implement ``_validate_fit_data(X, y)``, which validates the
    training data, sets the fitted attributes that describe it and returns
    the arrays to train on (unless they define ``fit`` themselves, as the
    image encoders do), and ``_net_spec(X, y)``, which returns the
    :class:`~sklarith._torch.NetSpec` of the network. Hyperparameters the
    spec leaves at ``None`` come from the constructor's shared ones.

    With scikit-learn 1.9 or later, ``set_callbacks`` takes scikit-learn's
    callbacks (``sklearn.callback.ProgressBar``, ``ScoringMonitor``...), and
    meta-estimators (``Pipeline``, ``GridSearchCV``) pass theirs on: a fit is
    a task whose subtasks are its epochs.
    """

    _parameter_constraints = {
        "max_epochs": [
            Interval(numbers.Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
        ],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "lr": [Interval(numbers.Real, 0, None, closed="neither")],
        "lr_schedule": [StrOptions({"cosine", "constant"})],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(numbers.Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(numbers.Integral, 1, None, closed="left")],
        "device": [str, torch.device],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "callbacks": [list, None],
        "warm_start": ["boolean"],
    }

    #: Fitted attributes that describe the training data: a warm start needs
    #: the same as the fit it continues.
    _warm_start_attributes = ("n_features_in_", "n_outputs_", "structure_", "classes_")

    #: The parameters that list layer widths, with the fewest layers each
    #: allows; checked with the other parameters, before any data.
    _layer_sizes = {}

    #: What a training row is called in the message about too few of them.
    _sample_name = "samples"

    def _validate_params(self):
        super()._validate_params()
        for name, min_length in self._layer_sizes.items():
            check_layer_sizes(self, name, min_length)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Train the network on ``X`` and ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)

        Returns
        -------
        self : object
            The fitted estimator.
        """
        with restored_on_error(self) as before:
            given = X, y
            # A device this machine lacks stops the fit before any work,
            # such as an encoder that a classifier fits on its data.
            self.device_ = resolve_device(self.device)
            X, y = self._validate_fit_data(X, y)
            if self.warm_start and "net_" in before:
                self._check_same_data_description(before)
            return self._fit_net(X, y, given=given)

    def partial_fit(self, X, y=None):
        """Train the network one epoch over ``X`` and ``y``, continuing it.

        The first call trains a new network; each later call continues it,
        as a fit with ``warm_start=True``, ``max_epochs=1``,
        ``early_stopping=False`` and ``lr_schedule="constant"`` would: one
        pass over the rows at the learning rate ``lr``, with a new optimiser
        and without a validation split. ``partial_fit(X1)`` then
        ``partial_fit(X2)`` trains the network that ``fit(X1)`` then
        ``fit(X2)`` trains with those four parameters. The data must be like
        those of the first call (their features, and outputs).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._one_epoch_fit(X, y)

    def _one_epoch_fit(self, X, y, classes=None):
        """``fit`` with the parameters of one continued epoch, restored after;
        ``classes`` (a classifier's) are the classes the targets are encoded
        with, kept from the first call."""
        one_epoch = {
            "warm_start": True,
            "max_epochs": 1,
            "early_stopping": False,
            "lr_schedule": "constant",
        }
        if hasattr(self, "n_features_in_"):
            # Rows of another width are refused in scikit-learn's words, as
            # every later partial_fit of scikit-learn's estimators does.
            validate_data(self, X, reset=False, skip_check_array=True)
        parameters = {name: getattr(self, name) for name in one_epoch}
        self._partial_fit_classes = classes
        self.set_params(**one_epoch)
        try:
            return self.fit(X, y)
        finally:
            self.set_params(**parameters)
            del self._partial_fit_classes

    def _check_same_data_description(self, before):
        """Refuse to continue a fit on data of another description."""
        for name in self._warm_start_attributes:
            if name in before and not _same(before[name], getattr(self, name)):
                raise ValueError(
                    f"warm_start=True continues training the fitted network, "
                    f"but the data differ from those of its fit: {name} was "
                    f"{_show(before[name])}, now {_show(getattr(self, name))}. "
                    "Pass data like those of the first fit, or set "
                    "warm_start=False to train a new network."
                )

    def _validate_fit_data(self, X, y):
        """Validate the training data, set the fitted attributes that describe
        it, and return the ``(X, y)`` arrays to train on.

        Every estimator that uses :meth:`fit` implements it; the image
        encoders have a ``fit`` of their own, which finds the distinct images.
        """
        raise NotImplementedError

    @abstractmethod
    def _net_spec(self, X, y):
        """The :class:`~sklarith._torch.NetSpec` of the network for ``X, y``.

        It may set the fitted attributes of what the network is built from
        (the classifier fits its ``encoder_`` here)."""

    def _fit_net(self, X, y, given=None):
        """Train a net on validated arrays; ``y`` may be ``X`` itself (an
        autoencoder's target) or ``None``.

        The net is new, or with ``warm_start`` continues the fitted
        ``net_``. scikit-learn's callbacks see the fit and its epochs with
        ``given``, the ``(X, y)`` that fit received, or else the arrays the
        net trains on (an encoder's distinct images scaled to [0, 1]).
        """
        self.device_ = resolve_device(self.device)
        check_enough_samples(len(X), self, self._sample_name)
        seed = torch_seed(self.random_state)
        spec = self._net_spec(X, y)
        # The user's callbacks run after ours; each fit trains copies of them,
        # so that a refit or a clone never starts from another fit's state.
        user_callbacks = copy.deepcopy(list(self.callbacks or []))
        max_epochs = self._resolved_max_epochs(len(X))
        spec = dataclasses.replace(
            spec,
            callbacks=(*spec.callbacks, *user_callbacks),
            name=type(self).__name__,
            # "auto" epochs are a schedule as long as the steps need, not a
            # limit that cut training short, unless the limit of 200 set them.
            warn_at_max_epochs=spec.warn_at_max_epochs
            and (self.max_epochs != "auto" or max_epochs == AUTO_MAX_EPOCHS),
        ).with_defaults(
            max_epochs=max_epochs,
            batch_size=self.batch_size,
            lr=self.lr,
            lr_decay=self.lr_schedule == "cosine",
            early_stopping=self.early_stopping,
            validation_fraction=self.validation_fraction,
            n_iter_no_change=self.n_iter_no_change,
            verbose=self.verbose,
            mixed_precision=getattr(self, "mixed_precision", False),
        )
        if given is None:
            given = X, (None if y is X else y)
        context = self._callback_context(spec.max_epochs, given)
        if context is not None:
            report = ReportEpochs(context, self, *given)
            spec = dataclasses.replace(
                spec, epoch_monitors=(("sklearn_callbacks", report),)
            )
        X_tensor = to_tensor(X, spec.dtype)
        if y is X:
            y_tensor = X_tensor
        elif y is None:
            y_tensor = None
        else:
            target_dtype = spec.dtype if np.issubdtype(y.dtype, np.floating) else None
            y_tensor = to_tensor(y, target_dtype or torch.int64)
        warm_from = self._initial_net(X, y, X_tensor, spec, seed)
        net = build_net(spec, n_samples=len(X), device=self.device_, seed=seed)
        # A fit that fails (a diverged loss) leaves no net_ to predict with.
        try:
            self.net_ = fit_net(
                net, InMemoryDataset(X_tensor, y_tensor), seed, warm_from=warm_from
            )
        except IncompatibleNetError as exc:
            raise ValueError(
                f"warm_start=True continues training the fitted network, but "
                f"the network for these parameters and data differs from it: "
                f"{exc}. Restore the parameters that shape the network (layer "
                "sizes, n_components...), or set warm_start=False to train a "
                "new network."
            ) from None
        if context is not None:
            context.call_on_fit_task_end(
                estimator=self,
                X=given[0],
                y=given[1],
                reconstruction_attributes=lambda: {"net_": self.net_},
            )
        return self

    def _resolved_max_epochs(self, n_samples):
        """``max_epochs``, with ``"auto"`` resolved for ``n_samples`` rows:
        the epochs of about :data:`AUTO_STEPS` optimiser steps, at most
        :data:`AUTO_MAX_EPOCHS`."""
        if self.max_epochs != "auto":
            return self.max_epochs
        n_train = n_samples
        if self.early_stopping:
            n_train -= math.ceil(self.validation_fraction * n_samples)
        steps_per_epoch = math.ceil(max(n_train, 1) / self.batch_size)
        return min(AUTO_MAX_EPOCHS, math.ceil(AUTO_STEPS / steps_per_epoch))

    def _initial_net(self, X, y, X_tensor, spec, seed):
        """The fitted net whose weights training starts from, or None for
        new random ones: the fitted ``net_`` with ``warm_start``.

        ``X``, ``y`` are the arrays the net trains on, ``X_tensor`` the
        tensor of ``X``, ``spec`` its finished :class:`~sklarith._torch.NetSpec`.
        An estimator may start its network elsewhere (the arithmetic head
        from a clustering of its images).
        """
        return self.__dict__.get("net_") if self.warm_start else None

    def _callback_context(self, max_epochs, given):
        """The context of this fit for scikit-learn's callbacks, its task
        begun; ``None`` without callbacks to report to."""
        # Without callbacks (or scikit-learn's callback API), no context:
        # the net trains without a monitor.
        if not getattr(self, "_skl_callbacks", None):
            return None
        context = self._init_callback_context(max_subtasks=max_epochs)
        context.call_on_fit_task_begin(estimator=self, X=given[0], y=given[1])
        return context

    def __getstate__(self):
        """The estimator's state, with the net as data: its weights in
        ``torch.save`` bytes that load with ``weights_only=True``, its history
        as a list, and what builds it again (see
        :func:`sklarith._torch.persistence.net_to_state`).

        Pickle, joblib and skops all persist this state, so that
        ``skops.io.load`` needs to trust the estimators' classes only; loading
        refuses a net that names any class or function sklarith does not
        persist, with a ``ValueError``.
        """
        # object's __getstate__ returns the instance's own __dict__.
        state = dict(super().__getstate__())
        if state.get("net_") is not None:
            state["net_"] = net_to_state(state["net_"])
        return state

    def __setstate__(self, state):
        net = state.get("net_")
        if isinstance(net, dict):
            state = {**state, "net_": net_from_state(net)}
        super().__setstate__(state)
        net = self.__dict__.get("net_")
        if net is not None:
            # A net trained on CUDA loads on the CPU when CUDA is missing; the
            # batch iterators and device_ must follow it.
            self.device_ = str(net.device)
            net.iterator_train__device = self.device_
            net.iterator_valid__device = self.device_

    @property
    def history_(self):
        """Per-epoch training history of the skorch net (losses, times)."""
        return self.net_.history

    @property
    def n_iter_(self):
        """The number of epochs trained, those of warm starts included, as
        scikit-learn's ``MLPClassifier.n_iter_``."""
        return len(self.history_)

    @property
    def loss_curve_(self):
        """The training loss of each epoch (list of float), as scikit-learn's
        ``MLPClassifier.loss_curve_``."""
        return self.history_[:, "train_loss"]

    @property
    def validation_scores_(self):
        """The validation score of each epoch (list of float): the share of
        the rows held out with ``early_stopping`` that the model gets right
        (every output of a classifier, the rounded sum of the adder); None
        when none was measured (without early stopping, or for an encoder,
        whose validation is its loss), as scikit-learn's
        ``MLPClassifier.validation_scores_``."""
        history = self.history_
        if not history or "valid_acc" not in history[-1]:
            return None
        return history[:, "valid_acc"]


@contextlib.contextmanager
def restored_on_error(estimator):
    """Leave ``estimator``'s fitted attributes as they were if the block
    raises: a refit that fails (a refused warm start, bad data) keeps the
    model it had, instead of a mix of the old net and the new data's
    attributes. Yields a copy of the attributes from before the block."""
    before = dict(vars(estimator))
    try:
        yield before
    except BaseException:
        for name in [name for name in vars(estimator) if name.endswith("_")]:
            if name not in before:
                delattr(estimator, name)
        vars(estimator).update(
            {name: value for name, value in before.items() if name.endswith("_")}
        )
        raise


def _same(first, second):
    """Whether two descriptions of data (numbers, names, arrays of classes
    or lists of them) are equal."""
    if isinstance(first, list) and isinstance(second, list):
        return len(first) == len(second) and all(map(_same, first, second))
    if isinstance(first, np.ndarray) or isinstance(second, np.ndarray):
        return np.array_equal(np.asarray(first), np.asarray(second))
    return first == second


def _show(value):
    """A description of data for a message: arrays as lists."""
    if isinstance(value, list):
        return "[" + ", ".join(_show(item) for item in value) + "]"
    return str(value.tolist()) if isinstance(value, np.ndarray) else repr(value)


#: Constraints of parameters several estimators share, beside the net's.
IMAGE_SHAPE_CONSTRAINT = {"image_shape": [tuple, list]}
ACTIVATION_CONSTRAINT = {"activation": [StrOptions(set(ACTIVATIONS))]}
MIXED_PRECISION_CONSTRAINT = {"mixed_precision": ["boolean"]}
