"""ArithmeticMultiOutputClassifier: a shared trunk and one softmax head per output."""

import numbers

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import HasMethods, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data
from skorch.callbacks import EpochScoring

from ._base import (
    ACTIVATION_CONSTRAINT,
    ACTIVATIONS,
    COMMON_PARAMETER_CONSTRAINTS,
    MIXED_PRECISION_CONSTRAINT,
    InMemoryDataset,
    MultiOutputClassifierMixin,
    NetEstimatorMixin,
    build_net,
    check_enough_samples,
    count_images_per_row,
    fit_net,
    resolve_device,
    to_tensor,
    torch_seed,
    valid_subset_accuracy,
)
from .modules import (
    ArithmeticLikelihood,
    DigitMLP,
    EncodedHead,
    MultiHeadCrossEntropy,
    MultiHeadMLP,
    RandomAffine,
)
from .modules.digits import structure_for_targets

# Code means and scales for standardisation are estimated on this many rows.
_N_ROWS_FOR_CODE_STATISTICS = 10_000


def _column_names(y):
    """Names of the columns of ``y`` (a DataFrame or a named Series), or None."""
    if hasattr(y, "columns"):
        return [str(name) for name in y.columns]
    name = getattr(y, "name", None)
    return None if name is None else [str(name)]


class ArithmeticMultiOutputClassifier(
    MultiOutputClassifierMixin, NetEstimatorMixin, ClassifierMixin, BaseEstimator
):
    """Predict several discrete results at once with one multi-head network.

    A shared trunk of fully connected layers (``hidden_layer_sizes``) feeds
    one head per column of ``y``; each head has its own hidden layers
    (``head_layer_sizes``) and a softmax over that column's classes. The loss
    is the sum of the heads' cross-entropies. Inputs are standardised inside
    the network with the means and scales seen at fit.

    This is the seed experiment's network: on the codes of two digit images
    it learns the units and tens of their sum and product and which is the
    greater, from these results alone. The second nonlinearity in each head
    matters: with linear heads the same trunk falls about eight points short
    on the sum's units.

    With an ``encoder``, ``X`` holds rows of images instead of features: each
    image goes through a copy of the encoder's network, which is trained
    together with the heads (fine-tuned) unless ``freeze_encoder``. Images
    may then be augmented during training with small random affine maps.
    Fine-tuning is what lifts every seed output above 98 % on MNIST: on
    frozen autoencoder codes, the outputs that need both digits exactly right
    (the units of the sum and of the product) stay near 97 %.

    With ``head="arithmetic"``, the network mirrors arithmetic instead: each
    image of a row gets a distribution over the ten digits, from one MLP
    shared by all images and never supervised by digit labels, and each
    result's distribution is computed exactly from them (over the 100 digit
    pairs, or by column addition with carries for numbers of several digits).
    Training maximises the likelihood of the observed results. ``y`` must then
    name its columns as :func:`~sklarith.datasets.make_arithmetic_pairs` or
    :func:`~sklarith.datasets.make_number_addition` do.

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
    activation : {"relu", "sigmoid", "tanh"}, default="relu"
        Nonlinearity after every hidden layer.
    encoder : AutoencoderTransformer, PCAEncoder or None, default=None
        When given, ``X`` holds rows of images of the encoder's
        ``image_shape`` and the network starts with a copy of the encoder's
        network (a linear layer for a PCAEncoder). An unfitted encoder is
        first fitted (a clone) on ``X``.
    freeze_encoder : bool, default=False
        With an ``encoder``, keep its weights as they are (the seed's frozen
        encoder) instead of fine-tuning them.
    augment : bool, default=True
        With an ``encoder``, apply random rotations (up to 10 degrees),
        scalings (up to 10 %) and shifts (up to 8 % of the side) to each
        training image. Without an encoder the features are not images and
        this is ignored.
    max_epochs : int, default=10
        Maximum number of passes over the training rows.
    batch_size : int, default=256
        Rows per gradient step (and per inference batch).
    lr : float, default=1e-3
        Learning rate of the Adam optimiser.
    early_stopping : bool, default=True
        Hold out ``validation_fraction`` of the rows, stop when their loss
        stalls and restore the weights of the best epoch.
    validation_fraction : float, default=0.1
        Share of the rows held out for early stopping.
    n_iter_no_change : int, default=4
        Epochs without improvement of the validation loss before stopping.
    device : str, default="auto"
        ``"auto"`` (CUDA when available, else CPU), ``"cpu"``, ``"cuda"``
        or ``"cuda:<index>"``.
    mixed_precision : bool, default=False
        Run forward passes, in training and inference, under bfloat16
        autocast, for GPUs whose tensor cores compute in bfloat16 (NVIDIA
        Ampere and later), at a small loss of precision. Weights, gradients
        and losses stay float32, so no loss scaling is needed. It works on
        a CPU too; whether it is faster there depends on the CPU. Not
        benchmarked here (no GPU on the project's machines).
    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the validation split and the shuffling.
    verbose : int, default=0
        1 prints losses and validation accuracy per epoch, 2 adds a progress
        bar.

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
        **COMMON_PARAMETER_CONSTRAINTS,
        **MIXED_PRECISION_CONSTRAINT,
        **ACTIVATION_CONSTRAINT,
        "hidden_layer_sizes": [tuple, list],
        "head_layer_sizes": [tuple, list],
        "encoder": [HasMethods(["fit", "transform"]), None],
        "freeze_encoder": ["boolean"],
        "augment": ["boolean"],
        "head": [StrOptions({"mlp", "arithmetic"})],
    }

    def __init__(
        self,
        *,
        hidden_layer_sizes=(1000,),
        head_layer_sizes=(200,),
        head="mlp",
        activation="relu",
        encoder=None,
        freeze_encoder=False,
        augment=True,
        max_epochs=10,
        batch_size=256,
        lr=1e-3,
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=4,
        device="auto",
        mixed_precision=False,
        random_state=None,
        verbose=0,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.head_layer_sizes = head_layer_sizes
        self.head = head
        self.activation = activation
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
        self._validate_params()
        for name in ("hidden_layer_sizes", "head_layer_sizes"):
            sizes = getattr(self, name)
            if not all(isinstance(s, numbers.Integral) and s >= 1 for s in sizes):
                raise ValueError(
                    f"{name} must be a tuple of positive integers; got {sizes!r}."
                )
        self.device_ = resolve_device(self.device)
        target_names = _column_names(y)
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
        check_enough_samples(len(X), self)
        Y = y.reshape(len(y), -1)
        if self.head == "arithmetic":
            structure = structure_for_targets(target_names or [])
            classes, codes = structure.classes, structure.encode(Y)
            criterion = {"criterion": ArithmeticLikelihood}
            criterion["criterion__structure"] = structure
        else:
            structure = None
            encoded = [np.unique(column, return_inverse=True) for column in Y.T]
            classes = [column_classes for column_classes, _ in encoded]
            codes = np.stack([column_codes for _, column_codes in encoded], axis=1)
            criterion = {"criterion": MultiHeadCrossEntropy}
            criterion["criterion__n_classes"] = [len(c) for c in classes]
        self.classes_ = classes[0] if y.ndim == 1 else list(classes)
        self.n_outputs_ = Y.shape[1]

        seed = torch_seed(self.random_state)
        self.encoder_ = None if self.encoder is None else self._fitted_encoder(X)
        module, module_params = self._module_params(X, classes, structure)
        callbacks = []
        if self.early_stopping:
            scoring = EpochScoring(
                valid_subset_accuracy,
                name="valid_acc",
                lower_is_better=False,
                use_caching=True,
            )
            callbacks.append(("valid_acc", scoring))
        self.net_ = build_net(
            self,
            module,
            n_samples=len(X),
            device=self.device_,
            seed=seed,
            callbacks=callbacks,
            **criterion,
            **module_params,
        )
        targets = torch.as_tensor(codes, dtype=torch.int64)
        fit_net(self.net_, InMemoryDataset(to_tensor(X), targets), seed)
        return self

    def _module_params(self, X, classes, structure):
        """The module class and its ``module__*`` arguments for skorch."""
        if structure is None:
            head = MultiHeadMLP
            params = {
                "n_classes": [len(c) for c in classes],
                "head_layer_sizes": tuple(self.head_layer_sizes),
            }
        else:
            head = DigitMLP
            params = {"n_images": structure.n_images}
        params["hidden_layer_sizes"] = tuple(self.hidden_layer_sizes)
        params["activation"] = ACTIVATIONS[self.activation]
        features = X
        module = head
        if self.encoder_ is not None:
            n_images = count_images_per_row(
                X.shape[1], self.encoder_.image_shape_, type(self).__name__
            )
            features = self.encoder_.transform(X[:_N_ROWS_FOR_CODE_STATISTICS])
            pixel_min, pixel_span = self.encoder_._pixel_range()
            module = EncodedHead
            params.update(
                head=head,
                encoder=self.encoder_._torch_encoder(),
                image_shape=self.encoder_.image_shape_,
                pixel_min=pixel_min,
                pixel_span=pixel_span,
                augment=RandomAffine() if self.augment else None,
                freeze_encoder=self.freeze_encoder,
            )
        else:
            n_images = structure.n_images if structure else 1
            if X.shape[1] % n_images:
                raise ValueError(
                    f"X has {X.shape[1]} features, which do not split into the "
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
        return module, {f"module__{key}": value for key, value in params.items()}

    def _fitted_encoder(self, X):
        """The encoder if fitted, else a clone of it fitted on ``X``."""
        if not hasattr(self.encoder, "_torch_encoder"):
            raise TypeError(
                "encoder must be an AutoencoderTransformer or a PCAEncoder (fitted "
                "or not); got "
                f"{type(self.encoder).__name__}. To use other features, transform "
                "X first, for example in a Pipeline."
            )
        try:
            check_is_fitted(self.encoder)
        except NotFittedError:
            return clone(self.encoder).fit(X)
        return self.encoder
