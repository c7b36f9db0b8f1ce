"""Fitted estimators as one torch module, for ``torch.export`` and ONNX.

:func:`to_torch` turns a fitted estimator, or a fitted Pipeline of them, into
a :class:`torch.nn.Module` that takes the rows the estimator takes (raw
pixels, numbers) and computes what one of its inference methods returns:
the pixel scaling, the standardisation, the class labels and the sums are
inside the module. It is built from the estimators' public fitted API only
(``net_``, ``classes_``, ``torch_encoder()``, ``data_min_``,
``data_range_``, ``image_shape_``), and copies what it uses: the estimator
stays as it is.
"""

import copy

import numpy as np
import torch
from sklearn.frozen import FrozenEstimator
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted
from torch import nn

from ._encoders import ImageEncoder
from .adder import MLPAdderRegressor
from .arithmetic import ArithmeticMultiOutputClassifier
from .digit_arithmetic import DigitArithmeticClassifier
from .identity_adder import IdentityAdderClassifier
from .modules._layers import scale_pixels

__all__ = ["to_torch"]

_CLASSIFIERS = (
    ArithmeticMultiOutputClassifier,
    DigitArithmeticClassifier,
    IdentityAdderClassifier,
)


class _ImageCodes(nn.Module):
    """Rows of flattened images to the codes of each image, concatenated."""

    def __init__(self, encoder, n_pixels, data_min, data_range):
        super().__init__()
        self.encoder = encoder
        self.n_pixels = n_pixels
        self.data_min = float(data_min)
        self.data_range = float(data_range)

    def forward(self, x):
        n_rows = x.shape[0]
        images = x.reshape(-1, self.n_pixels)
        scaled = scale_pixels(images, self.data_min, self.data_range)
        return self.encoder(scaled).reshape(n_rows, -1)


class _Classification(nn.Module):
    """A classifier's network, then its probabilities per output, then, for
    ``predict``, the most probable class label of each output."""

    def __init__(self, network, criterion, classes, method):
        super().__init__()
        self.network = network
        self.criterion = criterion
        self.single_output = not isinstance(classes, list)
        self.method = method
        if method == "predict":
            classes = [classes] if self.single_output else classes
            # The labels of several outputs are stacked into one array, of the
            # type NumPy gives them together, as predict stacks them.
            dtype = np.result_type(*classes)
            for i, labels in enumerate(classes):
                labels = torch.from_numpy(labels.astype(dtype))
                self.register_buffer(f"classes_{i}", labels)

    def forward(self, x):
        proba = self.criterion.probabilities(self.network(x))
        if self.method == "predict_proba":
            return proba[0] if self.single_output else tuple(proba)
        labels = [
            getattr(self, f"classes_{i}")[p.argmax(dim=1)] for i, p in enumerate(proba)
        ]
        return labels[0] if self.single_output else torch.stack(labels, dim=1)


class _Sums(nn.Module):
    """The adder's network in its own precision; float64 sums out."""

    def __init__(self, network):
        super().__init__()
        self.network = network
        self.dtype = next(network.parameters()).dtype

    def forward(self, x):
        return self.network.predict_sum(x.to(self.dtype)).to(torch.float64)


def _default_method(estimator):
    return "transform" if isinstance(estimator, ImageEncoder) else "predict"


def _check_method(estimator, method, allowed):
    if method not in allowed:
        raise ValueError(
            f"{type(estimator).__name__} exports as {' or '.join(allowed)}, not "
            f"method={method!r}."
        )


def _check_numeric_labels(classes):
    for labels in classes if isinstance(classes, list) else [classes]:
        if labels.dtype.kind not in "biuf":
            raise TypeError(
                f"The classifier's labels are of dtype {labels.dtype}; a torch "
                "module can only return numbers. Fit it with numeric labels (for "
                "example with sklearn.preprocessing.LabelEncoder), or export "
                "method='predict_proba' and map the columns to classes_ yourself."
            )


def _estimator_module(estimator, method):
    """The module of one fitted sklarith estimator's ``method``."""
    check_is_fitted(estimator)
    if isinstance(estimator, ImageEncoder):
        _check_method(estimator, method, ["transform"])
        height, width = estimator.image_shape_
        return _ImageCodes(
            estimator.torch_encoder(),
            height * width,
            estimator.data_min_,
            estimator.data_range_,
        )
    if isinstance(estimator, _CLASSIFIERS):
        _check_method(estimator, method, ["predict", "predict_proba"])
        if method == "predict":
            _check_numeric_labels(estimator.classes_)
        return _Classification(
            copy.deepcopy(estimator.net_.module_),
            copy.deepcopy(estimator.net_.criterion_),
            estimator.classes_,
            method,
        )
    if isinstance(estimator, MLPAdderRegressor):
        _check_method(estimator, method, ["predict"])
        return _Sums(copy.deepcopy(estimator.net_.module_))
    raise TypeError(
        f"to_torch exports sklarith's estimators and Pipelines of them; got "
        f"{type(estimator).__name__}."
    )


def to_torch(estimator, *, method=None):
    """A fitted estimator as one torch module, from raw rows to its results.

    The module takes a float32 tensor of the rows the estimator's inference
    methods take (flattened pixels, with the integer to add for the identity
    adder, or the numbers to add) and returns what ``method`` returns, as
    tensors: the pixel scaling, the standardisation of the features and the
    mapping of each output to its class labels are inside. It is a copy in
    evaluation mode, on the CPU, and exports with :func:`torch.export.export`
    and :func:`torch.onnx.export`.

    Parameters
    ----------
    estimator : fitted estimator or Pipeline
        An :class:`~sklarith.AutoencoderTransformer` or
        :class:`~sklarith.PCAEncoder` (its codes),
        :class:`~sklarith.ArithmeticMultiOutputClassifier`,
        :class:`~sklarith.DigitArithmeticClassifier` or
        :class:`~sklarith.IdentityAdderClassifier` (labels or
        probabilities), :class:`~sklarith.MLPAdderRegressor` (sums), a
        :class:`~sklearn.frozen.FrozenEstimator` of one, or a
        :class:`~sklearn.pipeline.Pipeline` of them, such as an encoder and
        the arithmetic classifier.
    method : {"transform", "predict", "predict_proba"} or None, default=None
        The inference method to compute; None means ``"transform"`` for an
        encoder (or a Pipeline ending in one) and ``"predict"`` otherwise.
        ``"predict"`` of a classifier needs numeric labels.

    Returns
    -------
    module : torch.nn.Module
        ``transform``: the codes, ``(n, k * n_components)`` float32.
        ``predict``: the labels, ``(n,)`` or ``(n, n_outputs)`` as at fit, or
        the float64 sums. ``predict_proba``: one ``(n, n_classes)`` float32
        tensor per output, a tuple when there are several.

    Examples
    --------
    >>> import torch
    >>> from sklarith import ArithmeticMultiOutputClassifier
    >>> from sklarith.datasets import load_digit_images, make_arithmetic_pairs
    >>> from sklarith.export import to_torch
    >>> digits = load_digit_images()
    >>> X, Y = make_arithmetic_pairs(
    ...     digits.data, digits.target, n_pairs=500, random_state=0
    ... )
    >>> clf = ArithmeticMultiOutputClassifier(
    ...     hidden_layer_sizes=(64,), max_epochs=2, random_state=0
    ... ).fit(X, Y)
    >>> module = to_torch(clf)
    >>> labels = module(torch.as_tensor(X[:3]))
    >>> bool((labels.numpy() == clf.predict(X[:3])).all())
    True
    >>> program = torch.export.export(module, (torch.as_tensor(X[:3]),))
    """
    if isinstance(estimator, Pipeline):
        steps = [
            step for _, step in estimator.steps if step not in (None, "passthrough")
        ]
        if not steps:
            raise ValueError("The Pipeline has no step to export.")
        if method is None:
            method = _default_method(steps[-1])
        modules = [to_torch(step, method="transform") for step in steps[:-1]]
        modules.append(to_torch(steps[-1], method=method))
        return nn.Sequential(*modules).eval()
    if isinstance(estimator, FrozenEstimator):
        return to_torch(estimator.estimator, method=method)
    if method is None:
        method = _default_method(estimator)
    module = _estimator_module(estimator, method)
    for tensor in module.parameters():
        tensor.requires_grad_(False)
    return module.cpu().eval()
