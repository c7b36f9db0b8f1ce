"""Shared plumbing of the estimators: device, seeding, the data path, the net.

Every estimator in sklarith composes a :class:`skorch.NeuralNet` built here,
so that device selection, seeding, early stopping, progress output and the
in-memory batch data path are written once.
"""

import math
import numbers
import warnings

import numpy as np
import torch
from sklearn.base import TransformerMixin
from sklearn.metrics import accuracy_score
from sklearn.utils import assert_all_finite, check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_array, check_is_fitted, validate_data
from skorch import NeuralNet
from skorch.callbacks import EarlyStopping, LRScheduler, ProgressBar
from skorch.dataset import ValidSplit

from ._distinct import distinct_rows, value_range
from .metrics import reconstruction_bce

#: Parameter constraints shared by every estimator, in scikit-learn's format.
COMMON_PARAMETER_CONSTRAINTS = {
    "max_epochs": [Interval(numbers.Integral, 1, None, closed="left")],
    "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
    "lr": [Interval(numbers.Real, 0, None, closed="neither")],
    "early_stopping": ["boolean"],
    "validation_fraction": [Interval(numbers.Real, 0, 1, closed="neither")],
    "n_iter_no_change": [Interval(numbers.Integral, 1, None, closed="left")],
    "device": [str, torch.device],
    "random_state": ["random_state"],
    "verbose": ["verbose"],
}

IMAGE_SHAPE_CONSTRAINT = {"image_shape": [tuple, list]}
ACTIVATIONS = {
    "relu": torch.nn.ReLU,
    "sigmoid": torch.nn.Sigmoid,
    "tanh": torch.nn.Tanh,
}
ACTIVATION_CONSTRAINT = {"activation": [StrOptions(set(ACTIVATIONS))]}
MIXED_PRECISION_CONSTRAINT = {"mixed_precision": ["boolean"]}


def resolve_device(device):
    """Return the torch device string to train on.

    ``"auto"`` picks the first CUDA device when one is available and the CPU
    otherwise. An explicit CUDA request on a machine without CUDA is an error
    rather than a silent fallback, so that a slow CPU run is never mistaken
    for a GPU run.
    """
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(
            f"device must be 'auto', 'cpu', 'cuda' or 'cuda:<index>'; got {device!r}."
        ) from exc
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} was requested but CUDA is not available on this "
            "machine; pass device='auto' or device='cpu'."
        )
    return str(resolved)


def torch_seed(random_state):
    """Draw the integer seed for torch from a scikit-learn ``random_state``."""
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


def check_image_shape(image_shape):
    """Validate ``image_shape`` and return it as a tuple ``(height, width)``."""
    shape = tuple(image_shape)
    if len(shape) != 2 or not all(
        isinstance(side, numbers.Integral) and side >= 1 for side in shape
    ):
        raise ValueError(
            "image_shape must be a pair of positive integers (height, width), "
            f"for example (28, 28); got {image_shape!r}."
        )
    return int(shape[0]), int(shape[1])


def count_images_per_row(n_features, image_shape, estimator_name, expected=None):
    """Return how many images of ``image_shape`` each row of width
    ``n_features`` holds, or raise a ``ValueError`` that says how to fix it.

    ``expected`` is the row width seen at fit; it only shapes the message.
    """
    height, width = image_shape
    n_pixels = height * width
    if n_features == 0 or n_features % n_pixels:
        expected = n_pixels if expected is None else expected
        raise ValueError(
            f"X has {n_features} features, but {estimator_name} is expecting "
            f"{expected} features as input: each row must hold a whole number of "
            f"{height}x{width} images ({n_pixels} pixels each). Pass the "
            "image_shape of your images, e.g. image_shape=(8, 8) for "
            "load_digit_images()."
        )
    return n_features // n_pixels


def code_feature_names(n_images, n_components, stem):
    """Output column names of an encoder: ``image0_code0, ..., image1_code99``."""
    return np.asarray(
        [f"image{i}_{stem}{j}" for i in range(n_images) for j in range(n_components)],
        dtype=object,
    )


def to_tensor(array, dtype=torch.float32):
    """A tensor sharing memory with ``array`` whenever the dtype allows it."""
    numpy_dtype = torch.empty((), dtype=dtype).numpy().dtype
    return torch.from_numpy(np.ascontiguousarray(array, dtype=numpy_dtype))


class InMemoryDataset(torch.utils.data.Dataset):
    """Whole tensors served by slices, never sample by sample.

    skorch's default :class:`skorch.dataset.Dataset` with a ``DataLoader``
    collates one sample at a time, which costs up to 40 % of the training time
    of a small model. :class:`BatchIterator` slices this dataset instead.
    ``y`` may be the same tensor as ``X`` (an autoencoder) or ``None``.
    """

    def __init__(self, X, y=None):
        self.X = X
        self.y = y

    def __len__(self):
        return len(self.X)

    def __getitem__(self, index):
        return self.X[index], None if self.y is None else self.y[index]


#: Training data move onto a CUDA device once, at the start of a fit, when
#: they take at most this share of its free memory; otherwise each batch is
#: pinned and copied as it is served.
_DEVICE_MEMORY_SHARE = 0.5


def _is_cuda(device):
    return torch.device(device).type == "cuda"


def _fits_on_device(n_bytes, device):
    free, _ = torch.cuda.mem_get_info(torch.device(device))
    return n_bytes <= _DEVICE_MEMORY_SHARE * free


class BatchIterator:
    """Iterate over an :class:`InMemoryDataset` (or a ``Subset`` of one, as made
    by skorch's ``ValidSplit``) in batches, by slicing its tensors.

    When ``shuffle`` is true, one permutation is drawn per epoch from torch's
    global generator, which the estimators seed from ``random_state``. On a
    CUDA ``device`` the rows are copied onto the device once, when they take
    at most half of its free memory, and sliced there; otherwise each batch
    is pinned and copied without blocking.
    """

    def __init__(self, dataset, batch_size, shuffle=False, device="cpu"):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.device = device
        self._on_device = None

    def __len__(self):
        return math.ceil(len(self.dataset) / self.batch_size)

    def _source(self):
        """The :class:`InMemoryDataset` behind this iterator, and the indices
        of the rows it serves (``None``: all of them)."""
        if isinstance(self.dataset, torch.utils.data.Subset):
            return self.dataset.dataset, torch.as_tensor(self.dataset.indices)
        return self.dataset, None

    def _rows_on_device(self):
        """``(X, y)`` of this iterator's rows on the CUDA device, or ``None``
        when they would take too much of its memory; decided once."""
        if self._on_device is None:
            dataset, rows = self._source()
            rows = slice(None) if rows is None else rows
            X, y = dataset.X, dataset.y
            n_bytes = len(self.dataset) * X[:1].nbytes
            if y is not None and y is not X:
                n_bytes += len(self.dataset) * y[:1].nbytes
            self._on_device = False
            if _fits_on_device(n_bytes, self.device):
                X_device = X[rows].to(self.device)
                y_device = None if y is None else y[rows].to(self.device)
                # An autoencoder's target is its input: one copy serves both.
                self._on_device = (X_device, X_device if y is X else y_device)
        return self._on_device or None

    def __iter__(self):
        dataset, indices = self._source()
        X, y = dataset.X, dataset.y
        to_cuda = _is_cuda(self.device)
        on_device = self._rows_on_device() if to_cuda else None
        if on_device is not None:
            (X, y), indices = on_device, None
        n_samples = len(self.dataset)
        # The permutation is drawn on the CPU, so that a seed gives the same
        # batches on every device.
        order = torch.randperm(n_samples).to(X.device) if self.shuffle else None
        for start in range(0, n_samples, self.batch_size):
            stop = min(start + self.batch_size, n_samples)
            rows = slice(start, stop) if order is None else order[start:stop]
            if indices is not None:
                rows = indices[rows]
            X_batch = X[rows]
            y_batch = None if y is None else y[rows]
            if to_cuda:
                X_batch = _to_cuda(X_batch, self.device)
                y_batch = None if y_batch is None else _to_cuda(y_batch, self.device)
            yield X_batch, y_batch


def _to_cuda(tensor, device):
    if tensor.device.type == "cuda":
        return tensor
    return tensor.pin_memory().to(device, non_blocking=True)


def autocast(device, enabled):
    """bfloat16 autocast on ``device`` when ``enabled``, else a no-op context.

    bfloat16 keeps float32's exponent range, so unlike float16 it needs no
    loss scaling; weights, gradients and optimiser state stay float32.
    """
    return torch.autocast(
        torch.device(device).type, dtype=torch.bfloat16, enabled=enabled
    )


def _to_float32(output):
    if isinstance(output, tuple):
        return tuple(_to_float32(part) for part in output)
    return output.float() if output.is_floating_point() else output


class MixedPrecisionNet(NeuralNet):
    """A skorch ``NeuralNet`` whose forward passes may run under bfloat16
    autocast (outputs are handed to the criterion as float32), and which
    sets the modules' training mode only when it changes."""

    def __init__(self, *args, mixed_precision=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.mixed_precision = mixed_precision

    def _set_training(self, training=True):
        # skorch sets the mode of every module before each batch; walking the
        # module tree each time costs a small network a few percent of its
        # training time, and the mode only changes around validation.
        modules = [getattr(self, f"{name}_") for name in self._modules]
        if all(
            not isinstance(module, torch.nn.Module) or module.training == training
            for module in modules
        ):
            return
        super()._set_training(training)

    def infer(self, x, **fit_params):
        if not self.mixed_precision:
            return super().infer(x, **fit_params)
        with autocast(self.device, enabled=True):
            output = super().infer(x, **fit_params)
        return _to_float32(output)


def build_net(
    estimator,
    module,
    *,
    n_samples,
    device,
    seed,
    callbacks=(),
    optimizer=torch.optim.Adam,
    **net_params,
):
    """Build the skorch net an estimator trains.

    The estimator supplies the shared hyperparameters (``max_epochs``,
    ``batch_size``, ``lr``, ``early_stopping``, ``validation_fraction``,
    ``n_iter_no_change``, ``verbose``, and ``mixed_precision`` if it has
    one); ``net_params`` are passed on to
    :class:`skorch.NeuralNet` (``criterion`` and ``module__*`` arguments among
    them). The learning rate decays from ``lr`` to zero along a cosine, batch by batch,
    over ``max_epochs`` passes over the ``n_samples`` training rows (less the
    validation split): the last steps are small, which settles the weights.
    """
    n_train = n_samples
    if estimator.early_stopping:
        n_train -= math.ceil(estimator.validation_fraction * n_samples)
    n_steps = estimator.max_epochs * math.ceil(max(n_train, 1) / estimator.batch_size)
    schedule = LRScheduler(
        torch.optim.lr_scheduler.CosineAnnealingLR, T_max=n_steps, step_every="batch"
    )
    callbacks = [*callbacks, ("lr_schedule", schedule)]
    train_split = None
    if estimator.early_stopping:
        train_split = ValidSplit(estimator.validation_fraction, random_state=seed)
        callbacks.append(
            (
                "early_stopping",
                EarlyStopping(patience=estimator.n_iter_no_change, load_best=True),
            )
        )
    if estimator.verbose >= 2:
        callbacks.append(("progress_bar", ProgressBar()))
    return MixedPrecisionNet(
        module=module,
        optimizer=optimizer,
        lr=estimator.lr,
        max_epochs=estimator.max_epochs,
        batch_size=estimator.batch_size,
        iterator_train=BatchIterator,
        iterator_train__shuffle=True,
        iterator_train__device=device,
        iterator_valid=BatchIterator,
        iterator_valid__device=device,
        train_split=train_split,
        callbacks=callbacks,
        device=device,
        verbose=int(estimator.verbose > 0),
        mixed_precision=getattr(estimator, "mixed_precision", False),
        **net_params,
    )


def valid_subset_accuracy(net, dataset, y):
    """Share of validation rows with every output right, as a skorch scoring.

    The net's criterion turns its output into per-output probabilities
    (``criterion_.probabilities``); with caching, no extra forward pass runs.
    """
    probabilities = net.criterion_.probabilities(net.forward(dataset))
    predicted = torch.stack([p.argmax(dim=-1) for p in probabilities], dim=-1)
    return float((predicted == torch.as_tensor(y)).all(dim=-1).float().mean())


def check_enough_samples(n_samples, estimator, what="samples"):
    """Raise a ``ValueError`` when early stopping leaves nothing to train on."""
    minimum = 2 if estimator.early_stopping else 1
    if n_samples < minimum:
        raise ValueError(
            f"{type(estimator).__name__} needs at least {minimum} {what} with "
            f"early_stopping={estimator.early_stopping}; got n_samples = "
            f"{n_samples}. Pass more {what} or early_stopping=False."
        )


def fit_net(net, dataset, seed, y=None):
    """Train ``net`` from scratch on ``dataset``, with torch seeded by ``seed``.

    The global torch generator is forked, so fitting never changes the random
    state of the caller's own torch code.
    """
    cuda = torch.device(net.device).type == "cuda"
    devices = [torch.device(net.device).index or 0] if cuda else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        net.fit(dataset, y)
    # The best weights kept by early stopping and the scheduler's reference to
    # the optimizer are training state; skorch would pickle them as plain
    # objects, so a CUDA-trained model could not load on a CPU-only machine.
    for _, callback in net.callbacks_:
        if isinstance(callback, EarlyStopping):
            callback.best_model_weights_ = None
        if isinstance(callback, LRScheduler):
            callback.lr_scheduler_ = None
    return net


def infer_batches(net, X, method="forward", preprocess=None, dtype=torch.float32):
    """Yield ``net.module_.<method>`` of ``X`` batch by batch, as CPU tensors.

    ``X`` is a NumPy array or a tensor, ``preprocess`` maps a slice of it to a
    float32 array; batches are passed to the module as ``dtype``. Inference
    never holds more than one batch of inputs and activations beyond the
    outputs already yielded, whatever the size of ``X``. With the net's
    ``mixed_precision``, forward passes run under bfloat16 autocast and
    outputs come back as float32.
    """
    module = getattr(net.module_, method)
    net.module_.train(False)
    mixed_precision = getattr(net, "mixed_precision", False)
    with torch.inference_mode(), autocast(net.device, enabled=mixed_precision):
        for start in range(0, len(X), net.batch_size):
            batch = X[start : start + net.batch_size]
            if preprocess is not None:
                batch = preprocess(batch)
            with warnings.catch_warnings():
                # Inference never writes into its input, so a read-only array
                # (a pandas DataFrame's under copy-on-write, a memory map) is
                # shared as it is rather than copied.
                warnings.filterwarnings("ignore", "The given NumPy array is not")
                batch = torch.as_tensor(batch, dtype=dtype)
            if torch.device(net.device).type == "cuda":
                batch = _to_cuda(batch, net.device)
            output = module(batch)
            if mixed_precision:
                output = _to_float32(output)
            if isinstance(output, tuple):
                yield tuple(part.cpu() for part in output)
            else:
                yield output.cpu()


class MultiOutputClassifierMixin:
    """Inference of a classifier with one softmax distribution per output.

    The net's criterion turns the module's output into a list of class
    probabilities, one per output (``criterion_.probabilities``); ``classes_``
    is one array (1-D ``y`` at fit) or a list of arrays. Inference runs batch
    by batch, and ``score`` is the subset accuracy, as in
    :class:`sklearn.multioutput.MultiOutputClassifier`. Subclasses may
    override ``_validate_predict_input``.
    """

    def _validate_predict_input(self, X):
        return validate_data(self, X, reset=False, dtype=np.float32)

    def _head_probabilities(self, X):
        """Yield, batch by batch, a list with each head's class probabilities."""
        check_is_fitted(self)
        X = self._validate_predict_input(X)
        probabilities = self.net_.criterion_.probabilities
        for output in infer_batches(self.net_, X):
            yield [p.numpy() for p in probabilities(output)]

    def predict_proba(self, X):
        """Class probabilities of each output.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes) or list of such arrays
            One array per output, in the order of ``classes_``; a single
            array when ``y`` was 1-D at fit.
        """
        batches = list(self._head_probabilities(X))
        proba = [np.concatenate(parts) for parts in zip(*batches, strict=True)]
        return proba[0] if not isinstance(self.classes_, list) else proba

    def predict(self, X):
        """Most probable class of each output.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Same shape as ``y`` at fit.
        """
        check_is_fitted(self)
        single_output = not isinstance(self.classes_, list)
        classes = [self.classes_] if single_output else self.classes_
        columns = [[] for _ in classes]
        for parts in self._head_probabilities(X):
            for column, part in zip(columns, parts, strict=True):
                column.append(part.argmax(axis=1))
        predicted = [
            c[np.concatenate(col)] for c, col in zip(classes, columns, strict=True)
        ]
        return predicted[0] if single_output else np.stack(predicted, axis=1)

    def score(self, X, y, sample_weight=None):
        """Subset accuracy: the share of rows with every output right.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        score : float
        """
        y_pred = self.predict(X)
        y = np.asarray(y)
        if y.ndim == 2 and y_pred.ndim == 1 and y.shape[1] == 1:
            y = y.ravel()
        if y.shape != y_pred.shape:
            raise ValueError(
                f"y has shape {y.shape} but the model predicts {y_pred.shape}: "
                "pass one column per output seen at fit."
            )
        if y_pred.ndim == 1:
            return accuracy_score(y, y_pred, sample_weight=sample_weight)
        correct = np.all(y_pred == y, axis=1)
        return float(np.average(correct, weights=sample_weight))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.classifier_tags.multi_label = True
        return tags


class NetEstimatorMixin:
    """Behaviour shared by every estimator that composes a skorch ``net_``."""

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


class ImageEncoderMixin(TransformerMixin):
    """Rows of images in, codes per image out: what both encoders share.

    It derives from :class:`~sklearn.base.TransformerMixin` so that
    scikit-learn wraps the ``transform`` defined here for ``set_output``;
    scikit-learn only wraps methods of its own subclasses.

    A row of ``X`` holds one or several flattened images of ``image_shape``
    side by side; each image is encoded on its own and the codes are
    concatenated in the same order. The pixel range is learnt at fit, so the
    encoders accept pixels in any range. Subclasses implement
    ``_fit_distinct_images`` (called by ``fit`` and ``fit_transform`` with
    the validated distinct images, returning ``self``), and
    ``_encode_images`` and ``_decode_codes`` on pixels scaled to [0, 1].
    """

    _code_stem = "code"

    def _validate_fit_images(self, X):
        """Validate ``X`` at fit; return its distinct images, flattened, and
        for each image of ``X`` the index of its distinct image.

        Each distinct image counts once, however many rows repeat it, so a
        fit on a million pairs costs what a fit on their images costs.
        """
        # NaN and infinity are caught with the distinct images.
        X = validate_data(self, X, dtype=np.float32, ensure_all_finite=False)
        self.image_shape_ = check_image_shape(self.image_shape)
        n_pixels = self.image_shape_[0] * self.image_shape_[1]
        count_images_per_row(X.shape[1], self.image_shape_, type(self).__name__)
        distinct, inverse, (low, high) = self._find_distinct_images(
            X.reshape(-1, n_pixels)
        )
        self.data_min_ = float(low)
        self.data_max_ = float(high)
        return distinct, inverse

    def _find_distinct_images(self, images):
        """The distinct images of ``images``, for each image the index of its
        distinct image, and the pixels' ``(minimum, maximum)``.

        NaN and infinity are refused here. Every image has the bytes of one
        of the distinct images, so the range of the distinct images is that of
        all the pixels, and a NaN anywhere shows in it: for a million pairs
        this reads 60,000 images rather than two million.
        """
        first, inverse = distinct_rows(images)
        distinct = images[first] if len(first) < len(images) else images
        low, high = value_range(distinct)
        if not (np.isfinite(low) and np.isfinite(high)):
            assert_all_finite(
                distinct, estimator_name=type(self).__name__, input_name="X"
            )
        return distinct, inverse, (low, high)

    def fit(self, X, y=None):
        """Fit the encoder on the distinct images in ``X``.

        Each distinct image counts once, however many rows repeat it.

        Parameters
        ----------
        X : array-like of shape (n_samples, k * height * width)
            Rows of ``k`` flattened images.
        y : None
            Ignored; present for API consistency.

        Returns
        -------
        self : object
            The fitted encoder.
        """
        self._validate_params()
        images, _ = self._validate_fit_images(X)
        return self._fit_distinct_images(images)

    def fit_transform(self, X, y=None):
        """Fit the encoder on ``X``, then encode ``X``.

        The same as ``fit(X).transform(X)``, but the distinct images are
        found once: in a Pipeline fitted on a million pairs, this saves a
        second pass over the pixels.

        Parameters
        ----------
        X : array-like of shape (n_samples, k * height * width)
            Rows of ``k`` flattened images.
        y : None
            Ignored; present for API consistency.

        Returns
        -------
        codes : ndarray of shape (n_samples, k * n_components)
            float32 codes, image by image.
        """
        self._validate_params()
        images, inverse = self._validate_fit_images(X)
        self._fit_distinct_images(images)
        images_per_row = self.n_features_in_ // images.shape[1]
        n_rows = len(inverse) // images_per_row
        return self._encode_distinct(images, inverse).reshape(n_rows, -1)

    def _encode_distinct(self, distinct, inverse):
        """Codes of every image, from its distinct image's code."""
        codes = self._encode_images(distinct)
        if len(distinct) == len(inverse):
            return codes
        # A million pairs' codes take 800 MB; torch gathers them on all its
        # threads, in a third of the time NumPy's indexing takes.
        return torch.index_select(
            torch.from_numpy(codes), 0, torch.from_numpy(inverse)
        ).numpy()

    def _validate_transform_images(self, X, ensure_all_finite=True):
        """Validate ``X`` after fit; return its images and the row count.

        A row may hold a different number of images than at fit (an encoder
        fitted on single images encodes pairs), but each image must be of the
        size seen at fit.
        """
        shape = getattr(X, "shape", ())
        options = {"dtype": np.float32, "ensure_all_finite": ensure_all_finite}
        if len(shape) == 2 and shape[1] != self.n_features_in_:
            X = check_array(X, input_name="X", **options)
        else:
            X = validate_data(self, X, reset=False, **options)
        count_images_per_row(
            X.shape[1], self.image_shape_, type(self).__name__, self.n_features_in_
        )
        n_pixels = self.image_shape_[0] * self.image_shape_[1]
        return X.reshape(-1, n_pixels), X.shape[0]

    def _pixel_range(self):
        """``(minimum, span)`` of the pixels seen at fit; a flat image spans 1."""
        return self.data_min_, (self.data_max_ - self.data_min_) or 1.0

    def _scale_pixels(self, pixels):
        """Map pixels from the range seen at fit to [0, 1], clipping outliers."""
        low, span = self._pixel_range()
        scaled = (np.asarray(pixels, dtype=np.float32) - low) / np.float32(span)
        return np.clip(scaled, 0.0, 1.0, out=scaled)

    def _unscale_pixels(self, scaled):
        low, span = self._pixel_range()
        return scaled * np.float32(span) + np.float32(low)

    def transform(self, X):
        """Encode each image of each row and concatenate the codes.

        Parameters
        ----------
        X : array-like of shape (n_samples, k * height * width)
            Rows of ``k`` flattened images of the size seen at fit; ``k``
            need not be the same as at fit.

        Returns
        -------
        codes : ndarray of shape (n_samples, k * n_components)
            float32 codes, image by image.
        """
        check_is_fitted(self)
        # NaN and infinity are caught with the distinct images.
        images, n_rows = self._validate_transform_images(X, ensure_all_finite=False)
        distinct, inverse, _ = self._find_distinct_images(images)
        return self._encode_distinct(distinct, inverse).reshape(n_rows, -1)

    def inverse_transform(self, X):
        """Reconstruct pixels, in the range seen at fit, from codes.

        Parameters
        ----------
        X : array-like of shape (n_samples, k * n_components)
            Codes as returned by :meth:`transform`.

        Returns
        -------
        pixels : ndarray of shape (n_samples, k * height * width)
        """
        check_is_fitted(self)
        X = check_array(X, dtype=np.float32, input_name="X")
        if X.shape[1] % self.n_components:
            raise ValueError(
                f"X has {X.shape[1]} features, but {type(self).__name__} expects "
                f"codes of whole images: a multiple of n_components="
                f"{self.n_components}."
            )
        codes = X.reshape(-1, self.n_components)
        pixels = self._unscale_pixels(self._decode_codes(codes))
        return pixels.reshape(X.shape[0], -1)

    def score(self, X, y=None):
        """Negative mean per-pixel binary cross-entropy of the reconstruction.

        Higher is better, as scikit-learn's model selection expects; see
        :func:`sklarith.metrics.reconstruction_bce`.

        Parameters
        ----------
        X : array-like of shape (n_samples, k * height * width)
            Rows of images.
        y : None
            Ignored.

        Returns
        -------
        score : float
        """
        return -reconstruction_bce(self, X)

    def get_feature_names_out(self, input_features=None):
        """Names of the codes: ``image0_code0, ..., image1_code99`` for pairs.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Only checked against the input seen at fit.

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        check_is_fitted(self)
        if input_features is not None:
            expected = getattr(self, "feature_names_in_", None)
            if len(input_features) != self.n_features_in_ or (
                expected is not None and list(input_features) != list(expected)
            ):
                raise ValueError(
                    "input_features is not equal to the features seen at fit."
                )
        n_pixels = self.image_shape_[0] * self.image_shape_[1]
        n_images = self.n_features_in_ // n_pixels
        return code_feature_names(n_images, self.n_components, self._code_stem)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]
        tags.target_tags.required = False
        return tags
