"""The base of every estimator that trains a skorch net: one fit template.

:class:`NetEstimator` holds the hyperparameters every net estimator shares,
their constraints, and the one sequence that trains a net::

    fit(X, y)
      validate the parameters           (_fit_context; layer sizes too)
      X, y = _validate_fit_data(X, y)   (the estimator's hook)
      _fit_net(X, y)
        resolve the device, check the number of samples, draw the seed
        spec = _net_spec(X, y)          (the estimator's hook)
        build the skorch net from the spec, train it under the seed

An estimator fills in the two hooks and nothing of the sequence. The image
encoders enter at ``_fit_net``, after finding the distinct images themselves.
"""

import copy
import dataclasses
import numbers
from abc import ABCMeta, abstractmethod

import numpy as np
import torch
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions

from ._torch import InMemoryDataset, build_net, fit_net, to_tensor
from .utils._device import resolve_device, torch_seed
from .utils._validation import check_enough_samples, check_layer_sizes

#: Names of the nonlinearities the estimators offer, and their torch modules.
ACTIVATIONS = {
    "relu": torch.nn.ReLU,
    "sigmoid": torch.nn.Sigmoid,
    "tanh": torch.nn.Tanh,
}


class NetEstimator(BaseEstimator, metaclass=ABCMeta):
    """An estimator whose model is a skorch net, ``net_``, trained by one template.

    Subclasses implement ``_validate_fit_data(X, y)``, which validates the
    training data, sets the fitted attributes that describe it and returns
    the arrays to train on (unless they define ``fit`` themselves, as the
    image encoders do), and ``_net_spec(X, y)``, which returns the
    :class:`~sklarith._torch.NetSpec` of the network. Hyperparameters the
    spec leaves at ``None`` come from the constructor's shared ones.
    """

    _parameter_constraints = {
        "max_epochs": [Interval(numbers.Integral, 1, None, closed="left")],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "lr": [Interval(numbers.Real, 0, None, closed="neither")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(numbers.Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(numbers.Integral, 1, None, closed="left")],
        "device": [str, torch.device],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "callbacks": [list, None],
    }

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
        X, y = self._validate_fit_data(X, y)
        return self._fit_net(X, y)

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

    def _fit_net(self, X, y):
        """Train a new net on validated arrays; ``y`` may be ``X`` itself (an
        autoencoder's target) or ``None``."""
        self.device_ = resolve_device(self.device)
        check_enough_samples(len(X), self, self._sample_name)
        seed = torch_seed(self.random_state)
        spec = self._net_spec(X, y)
        # The user's callbacks run after ours; each fit trains copies of them,
        # so that a refit or a clone never starts from another fit's state.
        user_callbacks = copy.deepcopy(list(self.callbacks or []))
        spec = dataclasses.replace(
            spec, callbacks=(*spec.callbacks, *user_callbacks)
        ).with_defaults(
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            lr=self.lr,
            early_stopping=self.early_stopping,
            validation_fraction=self.validation_fraction,
            n_iter_no_change=self.n_iter_no_change,
            verbose=self.verbose,
            mixed_precision=getattr(self, "mixed_precision", False),
        )
        net = build_net(spec, n_samples=len(X), device=self.device_, seed=seed)
        X_tensor = to_tensor(X, spec.dtype)
        if y is X:
            y_tensor = X_tensor
        elif y is None:
            y_tensor = None
        else:
            target_dtype = spec.dtype if np.issubdtype(y.dtype, np.floating) else None
            y_tensor = to_tensor(y, target_dtype or torch.int64)
        # A fit that fails (a diverged loss) leaves no net_ to predict with.
        self.net_ = fit_net(net, InMemoryDataset(X_tensor, y_tensor), seed)
        return self

    def __setstate__(self, state):
        super().__setstate__(state)
        net = self.__dict__.get("net_")
        if net is not None:
            # skorch maps a CUDA-trained net to the CPU when CUDA is missing;
            # the batch iterators and device_ must follow it.
            self.device_ = str(net.device)
            net.iterator_train__device = self.device_
            net.iterator_valid__device = self.device_

    @property
    def history_(self):
        """Per-epoch training history of the skorch net (losses, times)."""
        return self.net_.history


#: Constraints of parameters several estimators share, beside the net's.
IMAGE_SHAPE_CONSTRAINT = {"image_shape": [tuple, list]}
ACTIVATION_CONSTRAINT = {"activation": [StrOptions(set(ACTIVATIONS))]}
MIXED_PRECISION_CONSTRAINT = {"mixed_precision": ["boolean"]}
