"""What the two arithmetic classifiers share, below them both.

:class:`~sklarith.ArithmeticMultiOutputClassifier` (a trunk and a learnt head
per result) and :class:`~sklarith.DigitArithmeticClassifier` (a digit per
image and exact arithmetic) are two models of the same data: rows of
features, or with an ``encoder`` rows of images, and one discrete result per
column of ``y``. This base validates that data, fits the encoder, puts a copy
of the encoder's network in front of the model's (fine-tuned or frozen, on
augmented images) and standardises the model's input; each classifier gives
only its classes and its network, as scikit-learn's ``MLPClassifier`` and
``MLPRegressor`` fill in ``BaseMultilayerPerceptron``.
"""

import warnings
from abc import abstractmethod

import numpy as np
import torch
from sklearn.base import ClassifierMixin, clone
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import HasMethods
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ._multioutput import MultiOutputClassifierMixin
from ._torch import NetSpec
from .base import (
    ACTIVATION_CONSTRAINT,
    ACTIVATIONS,
    MIXED_PRECISION_CONSTRAINT,
    NetEstimator,
)
from .modules import EncodedHead, RandomAffine
from .utils._validation import (
    check_y_has_columns,
    column_names,
    count_images_per_row,
)

# Code means and scales for standardisation are estimated on this many rows.
_N_ROWS_FOR_CODE_STATISTICS = 10_000

# A fine-tuned code is scaled by at least this share of the widest code's
# spread.
_SMALLEST_CODE_SCALE = 0.01


class BaseArithmeticClassifier(
    MultiOutputClassifierMixin, ClassifierMixin, NetEstimator
):
    """Base of the arithmetic classifiers: the data, the encoder, the input.

    Subclasses implement ``_encode_targets(Y, names)``, which returns the
    classes of each output and ``Y`` as class indices, and
    ``_head_spec(n_features)``, which returns the
    :class:`~sklarith._torch.NetSpec` fields of their own network (its
    module, criterion and stopping rule) for inputs of ``n_features``.

    Warning: This class should not be used directly. Use the derived classes
    instead.
    """

    _parameter_constraints = {
        **NetEstimator._parameter_constraints,
        **MIXED_PRECISION_CONSTRAINT,
        **ACTIVATION_CONSTRAINT,
        "hidden_layer_sizes": [tuple, list],
        "encoder": [HasMethods(["fit", "transform"]), None],
        "freeze_encoder": ["boolean"],
        "augment": ["boolean"],
    }

    def _validate_fit_data(self, X, y):
        check_y_has_columns(y, self)
        names = column_names(y)
        X, y = validate_data(
            self, X, y, multi_output=True, dtype=np.float32, y_numeric=False
        )
        try:
            with warnings.catch_warnings():
                # A result is a class by construction: a sum of k digits has
                # 9k + 1 values, which a few rows of long sums need not
                # outnumber for y to be classes, not a regression target.
                warnings.filterwarnings(
                    "ignore", message="The number of unique classes is greater"
                )
                check_classification_targets(y)
        except TypeError as exc:
            # numpy cannot sort strings among numbers to find the classes.
            raise TypeError(
                "y mixes strings and numbers as labels; use one kind of label, "
                "for example all strings or all integers."
            ) from exc
        Y = y.reshape(len(y), -1)
        classes, codes = self._encode_targets(Y, names)
        self.classes_ = classes[0] if y.ndim == 1 else list(classes)
        self.n_outputs_ = Y.shape[1]
        self._check_rows(X)
        # Fitted here, after the cheap checks of X and y: the network is
        # built on the encoder's codes.
        self.encoder_ = None if self.encoder is None else self._fitted_encoder(X)
        return X, codes.astype(np.int64)

    @abstractmethod
    def _encode_targets(self, Y, names):
        """``(classes, codes)``: the classes of each column of ``Y`` (a list of
        arrays) and ``Y`` as class indices; ``names`` are y's column names, or
        None."""

    @abstractmethod
    def _head_spec(self, n_features):
        """The :class:`~sklarith._torch.NetSpec` fields of the network on
        ``n_features`` inputs per row (the codes, with an encoder): a dict with
        ``module``, ``module_params``, ``criterion``, ``criterion_params`` and
        any stopping rule of its own."""

    def _check_rows(self, X):
        """Refuse rows that the model cannot read, before an encoder is fitted
        on them; every row of features is one to the base."""

    def _images_per_row(self, X):
        """The images of a row of ``X`` by the encoder's image shape, fitted
        or not; None without an encoder (or one that has no image shape,
        which fitting refuses)."""
        shape = getattr(self.encoder, "image_shape_", None) or getattr(
            self.encoder, "image_shape", None
        )
        if shape is None:
            return None
        return count_images_per_row(X.shape[1], shape, type(self).__name__)

    def _net_spec(self, X, y):
        if self.encoder_ is None:
            features = X
        else:
            features = self.encoder_.transform(X[:_N_ROWS_FOR_CODE_STATISTICS])
        head = self._head_spec(features.shape[1])
        params = {
            **head.pop("module_params"),
            "hidden_layer_sizes": tuple(self.hidden_layer_sizes),
            "activation": ACTIVATIONS[self.activation],
        }
        module = head.pop("module")
        if self.encoder_ is not None:
            params.update(
                head=module,
                encoder=self.encoder_.torch_encoder(),
                image_shape=self.encoder_.image_shape_,
                data_min=self.encoder_.data_min_,
                data_range=self.encoder_.data_range_,
                augment=RandomAffine() if self.augment else None,
                freeze_encoder=self.freeze_encoder,
            )
            module = EncodedHead
        scale = features.std(axis=0, dtype=np.float64)
        if self.encoder_ is not None and not self.freeze_encoder:
            # Fine-tuning moves the codes: a code that barely varies over the
            # images at the start would have its changes multiplied by the
            # inverse of that spread.
            scale = np.maximum(scale, _SMALLEST_CODE_SCALE * scale.max())
        scale[scale == 0] = 1.0
        params.update(
            n_features=features.shape[1],
            mean=torch.as_tensor(features.mean(axis=0), dtype=torch.float32),
            scale=torch.as_tensor(scale, dtype=torch.float32),
        )
        return NetSpec(module=module, module_params=params, **head)

    def _fitted_encoder(self, X):
        """The encoder if fitted, else a clone of it fitted on ``X``."""
        if not hasattr(self.encoder, "torch_encoder"):
            raise TypeError(
                "encoder must be an AutoencoderTransformer or a PCAEncoder (fitted "
                "or not); got "
                f"{type(self.encoder).__name__}. To use other features, transform "
                "X first, for example in a Pipeline."
            )
        # A warm start continues the fine-tuned copy of the encoder fitted
        # before, with that encoder's pixel scaling: fitting another clone
        # would only have its weights overwritten.
        if self.warm_start and getattr(self, "encoder_", None) is not None:
            return self.encoder_
        try:
            check_is_fitted(self.encoder)
        except NotFittedError:
            return clone(self.encoder).fit(X)
        return self.encoder
