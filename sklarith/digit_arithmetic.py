"""DigitArithmeticClassifier: a digit read per image, the results computed exactly."""

import dataclasses
import math

import numpy as np
import torch
from sklearn.utils._param_validation import HasMethods, StrOptions
from sklearn.utils.validation import check_array, check_is_fitted

from ._arithmetic_base import BaseArithmeticClassifier
from ._digit_clusters import cluster_digits, umap_digits
from ._torch import (
    InMemoryDataset,
    build_net,
    fit_net,
    infer_batches,
    to_tensor,
    valid_subset_accuracy,
)
from .modules import ArithmeticLikelihood, DigitCrossEntropy, DigitMLP
from .structures import N_DIGITS, DigitSum, PairResults

# Optimizer steps of learning the clusters' digits, with digit_init="clusters",
# before the results alone, in whole epochs: enough for the network to tell
# the digits apart, few enough that it keeps little of the clusters' mistakes.
_DIGIT_INIT_STEPS = 300


class DigitArithmeticClassifier(BaseArithmeticClassifier):
    """Read a digit from every image and compute the results exactly.

    Read more in the :ref:`User Guide <user_guide_digit_arithmetic>`.

    Each row of ``X`` holds several digit images (their features, or their
    pixels with an ``encoder``). One network, shared by every image, gives
    each image a distribution over the ten digits; the ``structure`` computes
    the distribution of each result exactly from them: over the 100 digit
    pairs for results of two digits (:class:`~sklarith.structures.PairResults`),
    by column addition with carries for the sum of two numbers of several
    digits (:class:`~sklarith.structures.NumberSum`), by repeated convolution
    for the sum of a row of single digits
    (:class:`~sklarith.structures.DigitSum`). Training maximises the
    likelihood of the observed results; no digit label is ever used, yet the
    fitted network reads digits (:meth:`predict_digits`), in rows of any
    length.

    The structure says how many images a row holds and what each column of
    ``y`` is; it is given as an object, never guessed from ``y``. When ``y``
    has column names (a DataFrame from :mod:`sklarith.datasets`), they are
    checked against the structure's ``targets``.

    :class:`~sklarith.ArithmeticMultiOutputClassifier` learns the same data
    with a learnt head per result instead, for results that are no
    arithmetic of the digits.

    Parameters
    ----------
    structure : PairResults, NumberSum, DigitSum or None, default=None
        The arithmetic of the results, from :mod:`sklarith.structures`:
        ``PairResults(targets)`` for results of two digits (the columns of
        :func:`~sklarith.datasets.make_arithmetic_pairs`),
        ``NumberSum(n_digits)`` for the digits of the sum of two numbers
        (:func:`~sklarith.datasets.make_number_addition`),
        ``DigitSum(n_terms)`` for the sum of a row of digits
        (:func:`~sklarith.datasets.make_digit_sums`). ``None`` is
        ``PairResults()``: the five results of the arithmetic experiment.
    hidden_layer_sizes : tuple of int, default=(1000,)
        Widths of the hidden layers of the network that maps each image's
        features to its digit logits.
    digit_init : {"auto", "clusters", "umap", "random"}, default="auto"
        How the digits start. ``"clusters"``: the images' features (the
        encoder's codes, or the pixels) are first clustered, without labels,
        and each cluster is given the digit that makes the observed results
        most likely; the network learns these digits for about 300 optimizer
        steps (whole epochs), then the results alone. It gets long sums past
        their cold start, where random digits leave the results almost no
        gradient. ``"umap"``: the same, with ten clusters of a UMAP embedding
        of the features, nearly one per digit, for sums of many digits, whose
        results pin a cluster's mean digit rather than its digit (the
        :ref:`User Guide <user_guide_digit_arithmetic>` says why). ``"auto"``:
        ``"umap"`` for a :class:`~sklarith.structures.DigitSum`,
        ``"clusters"`` for the other structures. ``"random"``: from random
        weights, the results alone teach the digits.
    activation : {"relu", "sigmoid", "tanh"}, default="relu"
        Nonlinearity after every hidden layer.
    encoder : AutoencoderTransformer, PCAEncoder or None, default=None
        When given, ``X`` holds rows of images of the encoder's
        ``image_shape`` and the network starts with a copy of the encoder's
        network (its ``torch_encoder()``: a linear layer for a PCAEncoder).
        An unfitted encoder is first fitted (a clone) on ``X``. Model
        selection clones the classifier and with it the encoder, unfitted:
        under ``cross_validate`` or ``GridSearchCV`` a pre-trained encoder is
        refitted on every fold. Pass ``FrozenEstimator(encoder)``
        (:class:`sklearn.frozen.FrozenEstimator`) to keep it as it is.
    freeze_encoder : bool, default=False
        With an ``encoder``, keep its weights as they are (the arithmetic
        experiment's frozen encoder) instead of fine-tuning them.
    augment : bool, default=True
        With an ``encoder``, apply random rotations (up to 10 degrees),
        scalings (up to 10 %) and shifts (up to 8 % of the side) to each
        training image. Without an encoder the features are not images and
        this is ignored.
    max_epochs : int or "auto", default="auto"
        Maximum number of passes over the training rows; the learning rate
        decays along a cosine over them. ``"auto"``: as many as make about
        5,000 optimiser steps, at most 200. With ``early_stopping`` (the
        default) training may end earlier, when the validation loss stalls.
    batch_size : int, default=256
        Rows per gradient step (and per inference batch).
    lr : float, default=1e-3
        Learning rate of the Adam optimiser.
    lr_schedule : {"cosine", "constant"}, default="cosine"
        ``"cosine"``: the learning rate decays from ``lr`` to zero along a
        cosine, step by step, over ``max_epochs``; the last steps are small,
        which settles the weights. ``"constant"``: it stays at ``lr``.
        A skorch ``LRScheduler`` among ``callbacks`` replaces either.
    early_stopping : bool, default=True
        Hold out ``validation_fraction`` of the rows, stop when their loss
        (the negative log-likelihood of their results) stalls and restore the
        weights of the best epoch. ``history_`` records the validation
        accuracy too.
    validation_fraction : float, default=0.1
        Share of the rows held out for early stopping.
    n_iter_no_change : int, default=10
        Epochs without an improvement of the validation loss before stopping.
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
        Seeds the initial weights, the validation split and the shuffling.
    verbose : int, default=0
        1 prints losses and validation accuracy per epoch, 2 adds a progress
        bar.
    callbacks : list of skorch callbacks or None, default=None
        Callbacks of your own (``Checkpoint``, a logger, ``LRScheduler``...),
        as instances or ``(name, callback)`` pairs, run after sklarith's own
        in every fit. Each fit trains copies of them; the fitted ones are in
        ``net_.callbacks_``.
    warm_start : bool, default=False
        When fitted already, continue training the fitted network (the
        fine-tuned encoder's weights included) instead of starting from new
        random weights: ``history_`` grows by the new epochs. The optimiser
        and the learning-rate schedule start afresh, as in scikit-learn's
        ``MLPClassifier``; the inputs are standardised with the new data's
        means and scales. ``y`` must have the outputs and classes of the first
        fit, ``X`` as many features, and the layer sizes must be the same.

    Attributes
    ----------
    structure_ : PairResults, NumberSum or DigitSum
        The arithmetic the model computes: ``structure``, or
        ``PairResults()`` for None.
    digit_init_ : {"clusters", "umap", "random"}
        How the digits start: ``digit_init``, with ``"auto"`` resolved for
        ``structure_`` (a warm start continues the fitted net instead).
    classes_ : ndarray or list of ndarray
        Classes of each output, every value its result can take (from the
        structure, whether or not ``y`` shows them all); a single array when
        ``y`` was 1-D.
    n_outputs_ : int
        Number of outputs (columns of ``y``).
    net_ : skorch.NeuralNet
        The trained net; ``net_.module_`` is the
        :class:`~sklarith.modules.DigitMLP` (behind an
        :class:`~sklarith.modules.EncodedHead` with an encoder).
    history_ : skorch.History
        Per-epoch losses, validation accuracy and durations.
    n_iter_ : int
        Epochs trained, those of warm starts included.
    loss_curve_ : list of float
        The training loss of each epoch.
    validation_scores_ : list of float or None
        The validation score of each epoch: the share of
        held-out rows with every output right; None
        without ``early_stopping``.
    device_ : str
        The device the net lives on.
    encoder_ : AutoencoderTransformer, PCAEncoder or None
        The encoder as given, or fitted on ``X`` when it was not fitted.
    n_features_in_ : int
        Number of features seen at fit.
    feature_names_in_ : ndarray of str
        Column names seen at fit, when ``X`` had string column names.

    See Also
    --------
    ArithmeticMultiOutputClassifier : A learnt head per result.
    sklarith.datasets.make_number_addition : Rows of two numbers and the
        digits of their sum, for ``structure=NumberSum(n_digits)``.

    Examples
    --------
    >>> from sklarith import DigitArithmeticClassifier
    >>> from sklarith.datasets import load_digit_images, make_number_addition
    >>> from sklarith.structures import NumberSum
    >>> digits = load_digit_images()
    >>> X, Y = make_number_addition(
    ...     digits.data, digits.target, n_digits=2, random_state=0
    ... )
    >>> clf = DigitArithmeticClassifier(
    ...     structure=NumberSum(n_digits=2), hidden_layer_sizes=(32,),
    ...     max_epochs=2, random_state=0,
    ... ).fit(X, Y)
    >>> clf.predict(X[:3]).shape
    (3, 3)
    >>> clf.predict_digits(X[:3]).shape
    (3, 4)
    """

    _parameter_constraints = {
        **BaseArithmeticClassifier._parameter_constraints,
        "structure": [
            HasMethods(["log_likelihood", "marginals", "encode"]),
            None,
        ],
        "digit_init": [StrOptions({"auto", "clusters", "umap", "random"})],
    }

    _layer_sizes = {"hidden_layer_sizes": 0}

    def __init__(
        self,
        *,
        structure=None,
        hidden_layer_sizes=(1000,),
        digit_init="auto",
        activation="relu",
        encoder=None,
        freeze_encoder=False,
        augment=True,
        max_epochs="auto",
        batch_size=256,
        lr=1e-3,
        lr_schedule="cosine",
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=10,
        device="auto",
        mixed_precision=False,
        random_state=None,
        verbose=0,
        callbacks=None,
        warm_start=False,
    ):
        self.structure = structure
        self.hidden_layer_sizes = hidden_layer_sizes
        self.digit_init = digit_init
        self.activation = activation
        self.encoder = encoder
        self.freeze_encoder = freeze_encoder
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
        """Train the digit network on rows of images ``X`` and their results ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows of ``structure_.n_images`` images side by side: their
            features, or with an ``encoder`` their flattened pixels.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The results of each row, one column per result of the structure.

        Returns
        -------
        self : DigitArithmeticClassifier
        """
        return super().fit(X, y)

    def predict_digits(self, X):
        """Most probable digit of every image of every row, for rows of any length.

        The network gives each image a distribution over the ten digits,
        never supervised by digit labels; this is its most probable digit.
        The network reads rows of the number of images it was trained on, so
        the images of ``X`` are regrouped, in order, into rows of that many
        (the last one padded by repeating its last image) and each gets its
        own digit: a model trained on one length of rows reads rows of any
        other length, such as numbers of more digits than it was trained on.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_images * n_pixels)
            Rows of any number of images side by side, each image as wide as
            at fit: ``n_features_in_`` divided by the images of a training row
            (with an ``encoder``, the pixels of one of its images).

        Returns
        -------
        digits : ndarray of shape (n_samples, n_images)
            The most probable digit, 0 to 9, of each image of each row, in
            the order of the images in the row.

        Examples
        --------
        >>> from sklarith import DigitArithmeticClassifier
        >>> from sklarith.datasets import load_digit_images, make_number_addition
        >>> from sklarith.structures import NumberSum
        >>> digits = load_digit_images()
        >>> X, Y = make_number_addition(
        ...     digits.data, digits.target, n_digits=2, random_state=0
        ... )
        >>> clf = DigitArithmeticClassifier(
        ...     structure=NumberSum(n_digits=2), hidden_layer_sizes=(32,),
        ...     max_epochs=2, random_state=0,
        ... ).fit(X, Y)
        >>> X_long, _ = make_number_addition(
        ...     digits.data, digits.target, n_digits=3, random_state=1
        ... )
        >>> clf.predict_digits(X_long[:4]).shape
        (4, 6)
        """
        check_is_fitted(self)
        X = check_array(X, dtype=np.float32)
        n_images = self.structure_.n_images
        image_width = self.n_features_in_ // n_images
        if X.shape[1] % image_width:
            raise ValueError(
                f"X has {X.shape[1]} feature(s) per row, which do not split into "
                f"images of {image_width} features, the width of one image at "
                "fit; pass rows of whole images."
            )
        n_rows, images_per_row = len(X), X.shape[1] // image_width
        images = X.reshape(-1, image_width)
        n_total = len(images)
        # Rows of the trained width: the network standardises its input
        # position by position and reads exactly that many images.
        padding = -n_total % n_images
        images = np.concatenate([images, np.repeat(images[-1:], padding, axis=0)])
        rows = images.reshape(-1, n_images * image_width)
        logits = np.concatenate(
            [batch.numpy() for batch in infer_batches(self.net_, rows)]
        )
        digits = logits.reshape(-1, N_DIGITS).argmax(axis=1)[:n_total]
        return digits.reshape(n_rows, images_per_row)

    def _check_rows(self, X):
        n_images = self.structure_.n_images
        found = self._images_per_row(X)
        if found is not None and found != n_images:
            raise ValueError(
                f"X rows hold {found} images of the encoder's shape, but the "
                f"structure {self.structure_!r} computes results of {n_images} "
                f"images; pass rows of {n_images} images, or the structure of "
                "these rows."
            )
        if found is None and X.shape[1] % n_images:
            raise ValueError(
                f"X has {X.shape[1]} feature(s) per row, which do not split into "
                f"the {n_images} images of the structure {self.structure_!r}; "
                "pass rows of whole images, or the structure of these rows."
            )

    def _encode_targets(self, Y, names):
        structure = PairResults() if self.structure is None else self.structure
        if Y.shape[1] != len(structure.targets):
            raise ValueError(
                f"y has {Y.shape[1]} column(s), but the structure {structure!r} "
                f"computes {len(structure.targets)} result(s), "
                f"{structure.targets}; pass one column per result, or the "
                "structure of these results."
            )
        if names is not None and names != structure.targets:
            raise ValueError(
                f"y's columns are {names}, but the structure {structure!r} "
                f"computes {structure.targets}; pass y's columns in that order, "
                "or the structure of these results."
            )
        self.structure_ = structure
        self.digit_init_ = self.digit_init
        if self.digit_init == "auto":
            self.digit_init_ = "umap" if isinstance(structure, DigitSum) else "clusters"
        return structure.classes, structure.encode(Y)

    def _head_spec(self, n_features):
        return {
            "module": DigitMLP,
            "module_params": {"n_images": self.structure_.n_images},
            "criterion": ArithmeticLikelihood,
            "criterion_params": {"structure": self.structure_},
            "valid_scoring": valid_subset_accuracy,
        }

    def _initial_net(self, X, y, X_tensor, spec, seed):
        """With ``digit_init`` other than ``"random"``, a net first trained on
        the digits of a clustering of the images, matched to the results (a
        warm start continues the fitted net instead)."""
        fitted = super()._initial_net(X, y, X_tensor, spec, seed)
        if fitted is not None:
            return fitted
        structure = self.structure_
        if self.digit_init_ == "random":
            return None
        n_rows = len(X)
        features = X if self.encoder_ is None else self.encoder_.transform(X)
        start = umap_digits if self.digit_init_ == "umap" else cluster_digits
        digits = start(
            np.asarray(features).reshape(n_rows, structure.n_images, -1),
            structure,
            y,
            random_state=seed,
        )
        first_phase = dataclasses.replace(
            spec,
            criterion=DigitCrossEntropy,
            criterion_params={},
            valid_scoring=None,
            max_epochs=math.ceil(
                _DIGIT_INIT_STEPS / math.ceil(n_rows / spec.batch_size)
            ),
            early_stopping=False,
            callbacks=(),
            epoch_monitors=(),
            warn_at_max_epochs=False,
            # The epoch table shows the history, which these epochs are not.
            verbose=0,
        )
        net = build_net(first_phase, n_samples=n_rows, device=self.device_, seed=seed)
        dataset = InMemoryDataset(X_tensor, to_tensor(digits, torch.int64))
        net = fit_net(net, dataset, seed)
        # Its epochs are the start of this fit, not epochs of its history.
        net.history_ = type(net.history_)()
        return net
