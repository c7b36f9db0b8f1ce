"""ArithmeticMultiOutputClassifier: a shared trunk and one softmax head per output."""

import dataclasses
import math
import numbers

import numpy as np
import torch
from sklearn.base import ClassifierMixin, clone
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from ._digit_clusters import cluster_digits
from ._multioutput import MultiOutputClassifierMixin
from ._torch import (
    InMemoryDataset,
    NetSpec,
    build_net,
    fit_net,
    infer_batches,
    to_tensor,
    valid_subset_accuracy,
)
from .base import (
    ACTIVATION_CONSTRAINT,
    ACTIVATIONS,
    MIXED_PRECISION_CONSTRAINT,
    NetEstimator,
)
from .modules import (
    ArithmeticLikelihood,
    DigitCrossEntropy,
    DigitMLP,
    EncodedHead,
    MultiHeadCrossEntropy,
    MultiHeadMLP,
    RandomAffine,
)
from .modules.digits import N_DIGITS, structure_for_targets
from .utils._validation import (
    check_y_has_columns,
    column_names,
    count_images_per_row,
)

# Code means and scales for standardisation are estimated on this many rows.
_N_ROWS_FOR_CODE_STATISTICS = 10_000

# Optimizer steps of learning the clusters' digits, with digit_init="clusters",
# before the results alone, in whole epochs: enough for the network to tell
# the digits apart, few enough that it keeps little of the clusters' mistakes.
_DIGIT_INIT_STEPS = 300


class ArithmeticMultiOutputClassifier(
    MultiOutputClassifierMixin, ClassifierMixin, NetEstimator
):
    """Predict several discrete results at once with one multi-head network.

    Read more in the :ref:`User Guide <user_guide_arithmetic>`.

    A shared trunk of fully connected layers (``hidden_layer_sizes``) feeds
    one head per column of ``y``; each head has its own hidden layers
    (``head_layer_sizes``) and a softmax over that column's classes. The loss
    is the sum of the heads' cross-entropies. Inputs are standardised inside
    the network with the means and scales seen at fit.

    This is the arithmetic experiment's network: on the codes of two digit
    images it learns the units and tens of their sum and product and which is
    the greater, from these results alone. Each head's own hidden layer gives
    it a second nonlinearity: results such as the units of a sum are not a
    linear function of the trunk's features, and linear heads
    (``head_layer_sizes=()``) learn them less well.

    With an ``encoder``, ``X`` holds rows of images instead of features: each
    image goes through a copy of the encoder's network, which is trained
    together with the heads (fine-tuned) unless ``freeze_encoder``. Images
    may then be augmented during training with small random affine maps.
    Fine-tuning trains the encoder for the outputs rather than for
    reconstruction, which lifts most the outputs that need both digits
    exactly right (the units of the sum and of the product); the user guide
    gives the measured figures.

    With ``head="arithmetic"``, the network mirrors arithmetic instead: each
    image of a row gets a distribution over the ten digits, from one MLP
    shared by all images and never supervised by digit labels, and each
    result's distribution is computed exactly from them (over the 100 digit
    pairs, by column addition with carries for numbers of several digits, or
    by repeated convolution for the sum of a row of single digits). Training
    maximises the likelihood of the observed results. ``targets`` names the
    results, as :func:`~sklarith.datasets.make_arithmetic_pairs`,
    :func:`~sklarith.datasets.make_number_addition` and
    :func:`~sklarith.datasets.make_digit_sums` name their columns.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(1000,)
        Widths of the shared hidden layers; with ``head="arithmetic"``, of
        the MLP that maps each image's features to its digit logits.
    head_layer_sizes : tuple of int, default=(200,)
        Widths of each head's own hidden layers (empty for linear heads);
        unused with ``head="arithmetic"``.
    head : {"mlp", "arithmetic"}, default="mlp"
        A learnt head per output, or per-image digit distributions combined
        by exact arithmetic.
    digit_init : {"auto", "clusters", "random"}, default="auto"
        How the arithmetic head's digits start. ``"clusters"``: the
        images' features (the encoder's codes, or the pixels) are first
        clustered, without labels, and each cluster is given the digit that
        makes the observed results most likely; the network learns these
        digits for about 300 optimizer steps (whole epochs), then the
        results alone. It gets long sums past their cold start, where random
        digits leave the results almost no gradient, and costs seconds.
        ``"random"``: from random weights, the results alone teach the
        digits. ``"auto"``: ``"clusters"`` with ``head="arithmetic"``, and
        nothing with ``head="mlp"``, which has no digits to start. No digit
        label is ever used.
    targets : "auto" or sequence of str, default="auto"
        Names of the outputs, one per column of ``y``: with
        ``head="arithmetic"`` they choose the arithmetic, from
        :data:`~sklarith.datasets.PAIR_TARGETS`, ``sum_digit_<k>`` (the
        columns of :func:`~sklarith.datasets.make_number_addition`) or one
        ``sum_of_<k>_digits`` (the column of
        :func:`~sklarith.datasets.make_digit_sums`).
        ``"auto"`` takes them from the column names of ``y`` (a DataFrame);
        explicit names let a plain array ``y`` train the arithmetic head, and
        are checked against the column names of ``y`` when it has them.
    activation : {"relu", "sigmoid", "tanh"}, default="relu"
        Nonlinearity after every hidden layer.
    dropout : float, default=0.2
        Share of the units of every hidden layer, the trunk's and the
        heads', dropped at random in each training step (none at inference):
        a trunk of a thousand units learns the pairs it sees by heart
        otherwise, and generalises less well, unless the pairs are many
        more than the images. Unused with ``head="arithmetic"``.
    label_smoothing : float, default=0.2
        Share of each target's probability spread evenly over its output's
        classes in the loss (``torch.nn.functional.cross_entropy``'s): a
        network that may not grow sure of the pairs it has learnt keeps
        learning what tells the digits apart. Unused with
        ``head="arithmetic"``.
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
        With an ``encoder``, keep its weights as they are (the post's frozen
        encoder) instead of fine-tuning them.
    augment : bool, default=True
        With an ``encoder``, apply random rotations (up to 10 degrees),
        scalings (up to 10 %) and shifts (up to 8 % of the side) to each
        training image. Without an encoder the features are not images and
        this is ignored.
    max_epochs : int or "auto", default="auto"
        Maximum number of passes over the training rows; the learning rate
        decays along a cosine over them. ``"auto"``: as many as make about
        5,000 optimiser steps, at most 200: 15 on 100,000 rows, 71 on 20,000.
        With ``early_stopping`` (the default) training may end earlier, when
        the validation score stalls. What trains a network is its number of
        steps: 200 epochs of a large data set keep the learning rate at its
        highest for as long as early stopping lets them run. Such a schedule
        does not warn that the score was still improving at its last epoch;
        the limit of 200 does.
    batch_size : int, default=256
        Rows per gradient step (and per inference batch).
    lr : float, default=1e-3
        Learning rate of the Adam optimiser.
    early_stopping : bool, default=True
        Hold out ``validation_fraction`` of the rows, stop when their score
        stalls and restore the weights of the best epoch. The score is what
        :meth:`score` reports, the share of rows with every output right, as
        scikit-learn's ``MLPClassifier`` stops on its validation score: the
        validation loss can rise while the score still improves, as the
        network grows surer of the rows it gets wrong. With
        ``head="arithmetic"``, whose loss is the likelihood of the results,
        the validation loss is watched. ``history_`` records both.
    validation_fraction : float, default=0.1
        Share of the rows held out for early stopping.
    n_iter_no_change : int, default=10
        Epochs without an improvement of the validation score (by at least
        one validation row in 10,000) or loss before stopping, as in
        scikit-learn's ``MLPClassifier``.
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
    classes_ : ndarray or list of ndarray
        Classes of each output; a single array when ``y`` was 1-D.
    n_outputs_ : int
        Number of outputs (columns of ``y``).
    targets_ : list of str or None
        Names of the outputs, from ``targets`` or the column names of ``y``;
        None when neither names them.
    net_ : skorch.NeuralNet
        The trained net; ``net_.module_`` is the
        :class:`~sklarith.modules.MultiHeadMLP`.
    history_ : skorch.History
        Per-epoch losses, validation accuracy and durations.
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
    AutoencoderTransformer : Codes of digit images to feed this classifier.
    sklearn.multioutput.MultiOutputClassifier : One independent model per
        output, where this shares one trunk.

    Examples
    --------
    >>> from sklarith import ArithmeticMultiOutputClassifier
    >>> from sklarith.datasets import load_digit_images, make_arithmetic_pairs
    >>> digits = load_digit_images()
    >>> X, Y = make_arithmetic_pairs(
    ...     digits.data, digits.target, n_pairs=500, random_state=0
    ... )
    >>> clf = ArithmeticMultiOutputClassifier(
    ...     hidden_layer_sizes=(64,), max_epochs=2, random_state=0
    ... ).fit(X, Y)
    >>> clf.predict(X[:3]).shape
    (3, 5)
    >>> [p.shape for p in clf.predict_proba(X[:3])]
    [(3, 10), (3, 2), (3, 10), (3, 9), (3, 2)]
    """

    _parameter_constraints = {
        **NetEstimator._parameter_constraints,
        **MIXED_PRECISION_CONSTRAINT,
        **ACTIVATION_CONSTRAINT,
        "hidden_layer_sizes": [tuple, list],
        "head_layer_sizes": [tuple, list],
        "targets": [StrOptions({"auto"}), tuple, list],
        "encoder": [HasMethods(["fit", "transform"]), None],
        "freeze_encoder": ["boolean"],
        "augment": ["boolean"],
        "dropout": [Interval(numbers.Real, 0, 1, closed="left")],
        "label_smoothing": [Interval(numbers.Real, 0, 1, closed="left")],
        "head": [StrOptions({"mlp", "arithmetic"})],
        "digit_init": [StrOptions({"auto", "clusters", "random"})],
    }

    _layer_sizes = {"hidden_layer_sizes": 0, "head_layer_sizes": 0}

    def __init__(
        self,
        *,
        hidden_layer_sizes=(1000,),
        head_layer_sizes=(200,),
        head="mlp",
        digit_init="auto",
        targets="auto",
        activation="relu",
        dropout=0.2,
        label_smoothing=0.2,
        encoder=None,
        freeze_encoder=False,
        augment=True,
        max_epochs="auto",
        batch_size=256,
        lr=1e-3,
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
        self.hidden_layer_sizes = hidden_layer_sizes
        self.head_layer_sizes = head_layer_sizes
        self.head = head
        self.digit_init = digit_init
        self.targets = targets
        self.activation = activation
        self.dropout = dropout
        self.label_smoothing = label_smoothing
        self.encoder = encoder
        self.freeze_encoder = freeze_encoder
        self.augment = augment
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
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
        """Train the network on features ``X`` and discrete targets ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Features, such as the codes of two images side by side; with an
            ``encoder``, rows of flattened images.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Discrete labels, one column per output.

        Returns
        -------
        self : ArithmeticMultiOutputClassifier
        """
        return super().fit(X, y)

    def predict_digits(self, X):
        """Most probable digit of every image of every row, for rows of any length.

        Only with ``head="arithmetic"``, whose network gives each image a
        distribution over the ten digits (never supervised by digit labels).
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
        >>> from sklarith import ArithmeticMultiOutputClassifier
        >>> from sklarith.datasets import load_digit_images, make_number_addition
        >>> digits = load_digit_images()
        >>> X, Y = make_number_addition(
        ...     digits.data, digits.target, n_digits=2, random_state=0
        ... )
        >>> clf = ArithmeticMultiOutputClassifier(
        ...     head="arithmetic", hidden_layer_sizes=(32,), max_epochs=2,
        ...     random_state=0,
        ... ).fit(X, Y)
        >>> X_long, _ = make_number_addition(
        ...     digits.data, digits.target, n_digits=3, random_state=1
        ... )
        >>> clf.predict_digits(X_long[:4]).shape
        (4, 6)
        """
        check_is_fitted(self)
        criterion = self.net_.criterion_
        if not isinstance(criterion, ArithmeticLikelihood):
            raise ValueError(
                "predict_digits needs a model fitted with head='arithmetic', whose "
                "network gives each image a distribution over the digits; this one "
                "was fitted with a learnt head per result, which gives no digits. "
                "Fit it with head='arithmetic'."
            )
        X = check_array(X, dtype=np.float32)
        n_images = criterion.structure.n_images
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

    def _validate_fit_data(self, X, y):
        check_y_has_columns(y, self)
        names = column_names(y)
        X, y = validate_data(
            self, X, y, multi_output=True, dtype=np.float32, y_numeric=False
        )
        try:
            check_classification_targets(y)
        except TypeError as exc:
            # numpy cannot sort strings among numbers to find the classes.
            raise TypeError(
                "y mixes strings and numbers as labels; use one kind of label, "
                "for example all strings or all integers."
            ) from exc
        Y = y.reshape(len(y), -1)
        self.targets_ = self._check_targets(names, Y.shape[1])
        if self.head == "arithmetic":
            structure = structure_for_targets(self.targets_ or [])
            classes, codes = structure.classes, structure.encode(Y)
        else:
            encoded = [np.unique(column, return_inverse=True) for column in Y.T]
            classes = [column_classes for column_classes, _ in encoded]
            codes = np.stack([column_codes for _, column_codes in encoded], axis=1)
        self.classes_ = classes[0] if y.ndim == 1 else list(classes)
        self.n_outputs_ = Y.shape[1]
        return X, codes.astype(np.int64)

    def _check_targets(self, names, n_outputs):
        """The names of the outputs: ``targets``, checked against ``y``."""
        if isinstance(self.targets, str):
            return names
        targets = [str(name) for name in self.targets]
        if len(targets) != n_outputs:
            raise ValueError(
                f"targets names {len(targets)} outputs, {targets}, but y has "
                f"{n_outputs} column(s); pass one name per column of y."
            )
        if names is not None and names != targets:
            raise ValueError(
                f"y's columns are {names} but targets={targets}; pass y's "
                "columns in the order of targets, or targets='auto'."
            )
        return targets

    def _net_spec(self, X, y):
        if self.digit_init == "clusters" and self.head != "arithmetic":
            raise ValueError(
                "digit_init='clusters' starts the digits of head='arithmetic', "
                f"but head={self.head!r}; set head='arithmetic' or "
                "digit_init='auto'."
            )
        classes = self.classes_ if isinstance(self.classes_, list) else [self.classes_]
        params = {
            "hidden_layer_sizes": tuple(self.hidden_layer_sizes),
            "activation": ACTIVATIONS[self.activation],
        }
        if self.head == "arithmetic":
            structure = structure_for_targets(self.targets_)
            head = DigitMLP
            params["n_images"] = structure.n_images
            criterion = ArithmeticLikelihood
            criterion_params = {"structure": structure}
        else:
            structure = None
            head = MultiHeadMLP
            params["n_classes"] = [len(c) for c in classes]
            params["head_layer_sizes"] = tuple(self.head_layer_sizes)
            params["dropout"] = self.dropout
            criterion = MultiHeadCrossEntropy
            criterion_params = {
                "n_classes": params["n_classes"],
                "label_smoothing": self.label_smoothing,
            }
        self.encoder_ = None if self.encoder is None else self._fitted_encoder(X)
        features, module = X, head
        if self.encoder_ is not None:
            n_images = count_images_per_row(
                X.shape[1], self.encoder_.image_shape_, type(self).__name__
            )
            features = self.encoder_.transform(X[:_N_ROWS_FOR_CODE_STATISTICS])
            module = EncodedHead
            params.update(
                head=head,
                encoder=self.encoder_.torch_encoder(),
                image_shape=self.encoder_.image_shape_,
                pixel_min=self.encoder_.data_min_,
                pixel_span=self.encoder_.data_range_,
                augment=RandomAffine() if self.augment else None,
                freeze_encoder=self.freeze_encoder,
            )
        else:
            n_images = structure.n_images if structure else 1
            if X.shape[1] % n_images:
                raise ValueError(
                    f"X has {X.shape[1]} feature(s), which do not split into the "
                    f"{n_images} images that head='arithmetic' needs for y's columns."
                )
        if structure is not None and n_images != structure.n_images:
            raise ValueError(
                f"X rows hold {n_images} images, but y's columns are results of "
                f"{structure.n_images} images."
            )
        scale = features.std(axis=0, dtype=np.float64)
        scale[scale == 0] = 1.0
        params.update(
            n_features=features.shape[1],
            mean=torch.as_tensor(features.mean(axis=0), dtype=torch.float32),
            scale=torch.as_tensor(scale, dtype=torch.float32),
        )
        return NetSpec(
            module=module,
            module_params=params,
            criterion=criterion,
            criterion_params=criterion_params,
            valid_scoring=valid_subset_accuracy,
            stop_on_score=self.head == "mlp",
            # An improvement of the score is one validation row in 10,000 or
            # more, scikit-learn's tol; the loss keeps its relative threshold.
            **(
                {"min_improvement": 1e-4, "min_improvement_mode": "abs"}
                if self.head == "mlp"
                else {}
            ),
        )

    def _initial_net(self, X, y, X_tensor, spec, seed):
        """With ``head="arithmetic"`` and ``digit_init`` ``"clusters"`` (or
        ``"auto"``), a net first trained on the digits of a clustering of the
        images, matched to the results (a warm start continues the fitted net
        instead)."""
        fitted = super()._initial_net(X, y, X_tensor, spec, seed)
        starts_from_clusters = self.head == "arithmetic" and self.digit_init != "random"
        if fitted is not None or not starts_from_clusters:
            return fitted
        structure = spec.criterion_params["structure"]
        n_rows = len(X)
        features = X if self.encoder_ is None else self.encoder_.transform(X)
        digits = cluster_digits(
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
