"""IdentityAdderClassifier: read the digit in an image and add an integer to it."""

import numbers

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.utils._param_validation import Interval
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import validate_data

from ._multioutput import MultiOutputClassifierMixin
from ._torch import NetSpec, valid_subset_accuracy
from .base import IMAGE_SHAPE_CONSTRAINT, MIXED_PRECISION_CONSTRAINT, NetEstimator
from .modules import IdentityAdderNet, MultiHeadCrossEntropy, RandomAffine
from .utils._distinct import value_range
from .utils._validation import (
    check_enough_samples,
    check_image_shape,
    check_pixel_range,
    check_y_has_columns,
    rows_where,
)

_N_INTEGERS = IdentityAdderNet.n_integers
_N_DIGITS, _N_SUMS = IdentityAdderNet.n_classes


class IdentityAdderClassifier(
    MultiOutputClassifierMixin, ClassifierMixin, NetEstimator
):
    """Read the digit in an image, add an integer to it, predict both.

    Read more in the :ref:`User Guide <user_guide_identity_adder>`.

    Each row of ``X`` is a flattened image followed by an integer from 0 to
    9; ``y`` holds the digit in the image and the sum of the digit and the
    integer. The network is the seed experiment's: blocks of two
    convolutions (each followed by ReLU, batch normalisation and dropout)
    with max pooling between them, global average pooling, a linear
    embedding of the image of ``n_components`` units, concatenated with the
    one-hot integer, fully connected layers (``hidden_layer_sizes``) and two
    heads, the digit (10 classes) and the sum (19 classes). The loss is the
    sum of the two cross-entropies.

    Parameters
    ----------
    image_shape : tuple of int, default=(28, 28)
        ``(height, width)`` of the images.
    channels : tuple of int, default=(8, 32, 64)
        Filters of both convolutions of each block, from the input inwards;
        blocks after the first start with a 2x2 max pooling. Narrow first
        blocks are cheap on 28x28 inputs; the width goes where the
        feature maps are small.
    n_components : int, default=20
        Size of the embedding of the image.
    hidden_layer_sizes : tuple of int, default=(64, 64)
        Widths of the fully connected layers after the concatenation.
    dropout : float, default=0.05
        Dropout probability after each convolution.
    augment : bool, default=True
        Apply a random rotation (up to 10 degrees), scaling (up to 10 %) and
        shift (up to 8 % of the side) to each training image.
    max_epochs : int, default=15
        Maximum number of passes over the training rows.
    batch_size : int, default=64
        Rows per gradient step (and per inference batch); small batches
        give the batch-normalised network more, noisier steps.
    lr : float, default=3e-3
        Initial learning rate of the Adam optimiser; it decays to zero
        along a cosine, batch by batch, over ``max_epochs``.
    lr_schedule : {"cosine", "constant"}, default="cosine"
        ``"cosine"``: the learning rate decays from ``lr`` to zero along a
        cosine, step by step, over ``max_epochs``; the last steps are small,
        which settles the weights. ``"constant"``: it stays at ``lr``.
        A skorch ``LRScheduler`` among ``callbacks`` replaces either.
    early_stopping : bool, default=True
        Hold out ``validation_fraction`` of the rows, stop when their loss
        stalls and restore the weights of the best epoch.
    validation_fraction : float, default=0.1
        Share of the rows held out for early stopping.
    n_iter_no_change : int, default=5
        Epochs without improvement of the validation loss before stopping.
    device : str, default="auto"
        ``"auto"`` (CUDA when available, else CPU), ``"cpu"``, ``"cuda"``
        or ``"cuda:<index>"``.
    mixed_precision : bool, default=False
        Run forward passes, in training and inference, under bfloat16
        autocast, for GPUs whose tensor cores compute in bfloat16 (NVIDIA
        Ampere and later), at a small loss of precision. Weights, gradients
        and losses stay float32, so no loss scaling is needed. It works on
        a CPU too; whether it is faster there depends on the CPU.
    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the validation split, the shuffling and
        the augmentation.
    verbose : int, default=0
        1 prints losses and validation accuracy per epoch, 2 adds a progress
        bar.
    callbacks : list of skorch callbacks or None, default=None
        Callbacks of your own (``Checkpoint``, a logger, ``LRScheduler``...),
        as instances or ``(name, callback)`` pairs, run after sklarith's own
        in every fit. Each fit trains copies of them; the fitted ones are in
        ``net_.callbacks_``.
    warm_start : bool, default=False
        When fitted already, continue training the fitted network (weights
        and batch-normalisation statistics) instead of starting from new
        random weights: ``history_`` grows by the new epochs. The optimiser
        and the learning-rate schedule start afresh, as in scikit-learn's
        ``MLPClassifier``; the pixel range is that of the new images.
        ``X`` must have rows as wide as at the first fit, and the layer
        sizes must be the same.

    Attributes
    ----------
    classes_ : list of ndarray
        ``[array([0, ..., 9]), array([0, ..., 18])]``: the digits and the
        sums.
    n_outputs_ : int
        2, the digit and the sum.
    net_ : skorch.NeuralNet
        The trained net; ``net_.module_`` is the
        :class:`~sklarith.modules.IdentityAdderNet`.
    history_ : skorch.History
        Per-epoch losses, validation accuracy (both outputs right) and
        durations.
    n_iter_ : int
        Epochs trained, those of warm starts included.
    loss_curve_ : list of float
        The training loss of each epoch.
    validation_scores_ : list of float or None
        The validation score of each epoch: the share of
        held-out rows with both outputs right; None
        without ``early_stopping``.
    device_ : str
        The device the net lives on.
    image_shape_ : tuple of int
        Validated ``image_shape``.
    data_min_, data_max_ : float
        Pixel range seen at fit, mapped to [0, 1].
    data_range_ : float
        ``data_max_ - data_min_``, or 1 when every pixel is the same.
    n_features_in_ : int
        Row width seen at fit: the pixels of an image plus one.
    feature_names_in_ : ndarray of str
        Column names seen at fit, when ``X`` had string column names.

    See Also
    --------
    sklarith.datasets.make_identity_adder : Builds ``X`` and ``y`` from
        labelled images.
    ArithmeticMultiOutputClassifier : Arithmetic on two images, learnt from
        the results only.

    Examples
    --------
    >>> from sklarith import IdentityAdderClassifier
    >>> from sklarith.datasets import load_digit_images, make_identity_adder
    >>> digits = load_digit_images()
    >>> X, y = make_identity_adder(digits.data, digits.target, random_state=0)
    >>> clf = IdentityAdderClassifier(
    ...     image_shape=(8, 8), channels=(8, 8), max_epochs=2, random_state=0
    ... ).fit(X[:500], y[:500])
    >>> clf.predict(X[:3]).shape
    (3, 2)
    >>> [p.shape for p in clf.predict_proba(X[:3])]
    [(3, 10), (3, 19)]
    """

    _parameter_constraints = {
        **NetEstimator._parameter_constraints,
        **MIXED_PRECISION_CONSTRAINT,
        **IMAGE_SHAPE_CONSTRAINT,
        "channels": [tuple, list],
        "n_components": [Interval(numbers.Integral, 1, None, closed="left")],
        "hidden_layer_sizes": [tuple, list],
        "dropout": [Interval(numbers.Real, 0, 1, closed="left")],
        "augment": ["boolean"],
    }

    _layer_sizes = {"channels": 1, "hidden_layer_sizes": 1}

    def __init__(
        self,
        *,
        image_shape=(28, 28),
        channels=(8, 32, 64),
        n_components=20,
        hidden_layer_sizes=(64, 64),
        dropout=0.05,
        augment=True,
        max_epochs=15,
        batch_size=64,
        lr=3e-3,
        lr_schedule="cosine",
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=5,
        device="auto",
        mixed_precision=False,
        random_state=None,
        verbose=0,
        callbacks=None,
        warm_start=False,
    ):
        self.image_shape = image_shape
        self.channels = channels
        self.n_components = n_components
        self.hidden_layer_sizes = hidden_layer_sizes
        self.dropout = dropout
        self.augment = augment
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.lr_schedule = lr_schedule
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.device = device
        self.mixed_precision = mixed_precision
        self.random_state = random_state
        self.verbose = verbose
        self.callbacks = callbacks
        self.warm_start = warm_start

    def fit(self, X, y):
        """Train the network on images with integers ``X``, digits and sums ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, height * width + 1)
            The flattened pixels of an image, then the integer (0-9) to add.
        y : array-like of shape (n_samples, 2)
            The digit in the image (0-9), then the sum of the digit and the
            integer (0-18).

        Returns
        -------
        self : IdentityAdderClassifier
        """
        return super().fit(X, y)

    def _validate_fit_data(self, X, y):
        check_y_has_columns(y, self)
        self.image_shape_ = check_image_shape(self.image_shape)
        X, y = validate_data(
            self, X, y, multi_output=True, dtype=np.float32, y_numeric=True
        )
        # What any classifier would reject comes first, with scikit-learn's
        # wording (continuous targets, too few samples); then this contract.
        self._check_label_kind(y)
        check_enough_samples(len(X), self)
        self._check_row_length(X)
        self._check_integers(X)
        targets = self._check_targets(y, X[:, -1])
        self.classes_ = [np.arange(_N_DIGITS), np.arange(_N_SUMS)]
        self.n_outputs_ = 2
        self.data_min_ = float(X[:, :-1].min())
        self.data_max_ = float(X[:, :-1].max())
        self.data_range_ = (self.data_max_ - self.data_min_) or 1.0
        return X, targets

    def _net_spec(self, X, y):
        return NetSpec(
            module=IdentityAdderNet,
            module_params={
                "image_shape": self.image_shape_,
                "channels": tuple(int(c) for c in self.channels),
                "n_components": self.n_components,
                "hidden_layer_sizes": tuple(int(s) for s in self.hidden_layer_sizes),
                "dropout": self.dropout,
                "data_min": self.data_min_,
                "data_range": self.data_range_,
                "augment": RandomAffine() if self.augment else None,
            },
            criterion=MultiHeadCrossEntropy,
            criterion_params={"n_classes": IdentityAdderNet.n_classes},
            valid_scoring=valid_subset_accuracy,
        )

    def _check_row_length(self, X):
        height, width = self.image_shape_
        expected = height * width + 1
        if X.shape[1] != expected:
            raise ValueError(
                f"X has {X.shape[1]} feature(s), but {type(self).__name__} is "
                f"expecting {expected}: the {height}x{width} pixels of an image "
                "followed by one integer column. Pass the image_shape of your "
                "images, e.g. image_shape=(8, 8) for load_digit_images()."
            )

    def _check_integers(self, X):
        integers = X[:, -1]
        bad = (integers % 1 != 0) | (integers < 0) | (integers >= _N_INTEGERS)
        if bad.any():
            raise ValueError(
                "The last column of X must hold the integer to add, a whole "
                f"number from 0 to {_N_INTEGERS - 1}; {rows_where(bad, integers)} "
                "do not."
            )

    def _check_label_kind(self, y):
        """Reject labels that are not whole numbers, before their values."""
        if y.dtype.kind not in "biuf":
            raise ValueError(
                "y must hold whole numbers, the digit and the sum; got labels of "
                f"dtype {y.dtype}."
            )
        check_classification_targets(y)

    def _check_targets(self, y, integers):
        """Check that ``y`` holds digits and their sums; return it as int64."""
        if y.ndim != 2 or y.shape[1] != 2:
            raise ValueError(
                "y must have two columns, the digit in the image and the sum of "
                f"the digit and the integer; got y of shape {y.shape}."
            )
        digits, sums = y[:, 0], y[:, 1]
        bad = (digits % 1 != 0) | (digits < 0) | (digits >= _N_DIGITS)
        if bad.any():
            raise ValueError(
                f"The first column of y must hold the digit, a whole number "
                f"from 0 to {_N_DIGITS - 1}; {rows_where(bad, digits)} do not."
            )
        wrong = sums != digits + integers
        if wrong.any():
            raise ValueError(
                "The second column of y must hold the digit plus the integer "
                f"(the last column of X); {rows_where(wrong, sums)} do not."
            )
        return y.astype(np.int64)

    def _validate_predict_input(self, X):
        X = validate_data(self, X, reset=False, dtype=np.float32)
        self._check_integers(X)
        # The network scales the pixels inside torch: their range is checked
        # here, once per call.
        check_pixel_range(*value_range(X[:, :-1]), self, type(self).__name__)
        return X

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.single_output = False
        return tags
