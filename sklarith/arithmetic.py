"""ArithmeticMultiOutputClassifier: a shared trunk and one softmax head per output."""

import numbers

import numpy as np
from sklearn.utils._param_validation import Interval

from ._arithmetic_base import BaseArithmeticClassifier
from ._torch import valid_subset_accuracy
from .modules import MultiHeadCrossEntropy, MultiHeadMLP
from .utils._validation import encode_with_classes


class ArithmeticMultiOutputClassifier(BaseArithmeticClassifier):
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

    :class:`~sklarith.DigitArithmeticClassifier` learns the same data with
    another model: it reads a digit from every image and computes the
    results exactly from them.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(1000,)
        Widths of the shared hidden layers.
    head_layer_sizes : tuple of int, default=(200,)
        Widths of each head's own hidden layers (empty for linear heads).
    activation : {"relu", "sigmoid", "tanh"}, default="relu"
        Nonlinearity after every hidden layer.
    dropout : float, default=0.2
        Share of the units of every hidden layer, the trunk's and the
        heads', dropped at random in each training step (none at inference):
        a trunk of a thousand units learns the pairs it sees by heart
        otherwise, and generalises less well, unless the pairs are many
        more than the images.
    label_smoothing : float, default=0.2
        Share of each target's probability spread evenly over its output's
        classes in the loss (``torch.nn.functional.cross_entropy``'s): a
        network that may not grow sure of the pairs it has learnt keeps
        learning what tells the digits apart.
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
        5,000 optimiser steps, at most 200: 29 on 100,000 rows, 139 on 20,000.
        With ``early_stopping`` (the default) training may end earlier, when
        the validation score stalls. What trains a network is its number of
        steps: 200 epochs of a large data set keep the learning rate at its
        highest for as long as early stopping lets them run. Such a schedule
        does not warn that the score was still improving at its last epoch;
        the limit of 200 does.
    batch_size : int, default=512
        Rows per gradient step (and per inference batch). Batches of 512 at
        twice the learning rate of 256 learn about as much per epoch and take
        fewer seconds per epoch on a CPU: more epochs in the same time.
    lr : float, default=2e-3
        Learning rate of the Adam optimiser.
    lr_schedule : {"cosine", "constant"}, default="cosine"
        ``"cosine"``: the learning rate decays from ``lr`` to zero along a
        cosine, step by step, over ``max_epochs``; the last steps are small,
        which settles the weights. ``"constant"``: it stays at ``lr``.
        A skorch ``LRScheduler`` among ``callbacks`` replaces either.
    early_stopping : bool, default=True
        Hold out ``validation_fraction`` of the rows, stop when their score
        stalls and restore the weights of the best epoch. The score is what
        :meth:`score` reports, the share of rows with every output right, as
        scikit-learn's ``MLPClassifier`` stops on its validation score: the
        validation loss can rise while the score still improves, as the
        network grows surer of the rows it gets wrong. ``history_`` records
        both.
    validation_fraction : float, default=0.1
        Share of the rows held out for early stopping.
    n_iter_no_change : int, default=10
        Epochs without an improvement of the validation score (by at least
        one validation row in 10,000) before stopping, as in scikit-learn's
        ``MLPClassifier``.
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
    net_ : skorch.NeuralNet
        The trained net; ``net_.module_`` is the
        :class:`~sklarith.modules.MultiHeadMLP`.
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
    AutoencoderTransformer : Codes of digit images to feed this classifier.
    DigitArithmeticClassifier : Reads a digit from every image and computes
        the results exactly.
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
        **BaseArithmeticClassifier._parameter_constraints,
        "head_layer_sizes": [tuple, list],
        "dropout": [Interval(numbers.Real, 0, 1, closed="left")],
        "label_smoothing": [Interval(numbers.Real, 0, 1, closed="left")],
    }

    _layer_sizes = {"hidden_layer_sizes": 0, "head_layer_sizes": 0}

    def __init__(
        self,
        *,
        hidden_layer_sizes=(1000,),
        head_layer_sizes=(200,),
        activation="relu",
        dropout=0.2,
        label_smoothing=0.2,
        encoder=None,
        freeze_encoder=False,
        augment=True,
        max_epochs="auto",
        batch_size=512,
        lr=2e-3,
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
        self.hidden_layer_sizes = hidden_layer_sizes
        self.head_layer_sizes = head_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.label_smoothing = label_smoothing
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

    def _encode_targets(self, Y, names):
        known = getattr(self, "_partial_fit_classes", None)
        if known is None:
            encoded = [np.unique(column, return_inverse=True) for column in Y.T]
            classes = [column_classes for column_classes, _ in encoded]
            codes = np.stack([column_codes for _, column_codes in encoded], axis=1)
            return classes, codes
        return encode_with_classes(Y, known)

    def _head_spec(self, n_features):
        classes = self.classes_ if isinstance(self.classes_, list) else [self.classes_]
        n_classes = [len(c) for c in classes]
        return {
            "module": MultiHeadMLP,
            "module_params": {
                "n_classes": n_classes,
                "head_layer_sizes": tuple(self.head_layer_sizes),
                "dropout": self.dropout,
            },
            "criterion": MultiHeadCrossEntropy,
            "criterion_params": {
                "n_classes": n_classes,
                "label_smoothing": self.label_smoothing,
            },
            "valid_scoring": valid_subset_accuracy,
            "stop_on_score": True,
            # An improvement of the score is one validation row in 10,000 or
            # more, scikit-learn's tol.
            "min_improvement": 1e-4,
            "min_improvement_mode": "abs",
        }
