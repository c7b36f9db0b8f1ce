"""Bad input, everywhere: every estimator refuses it with an error that names it.

One table per estimator. Each row is a call (``fit``, or an inference method
of a model fitted on good data) on input that breaks one rule: NaN, infinity,
strings, a sparse matrix, 1-D ``X``, no rows, a single row, rows of the wrong
length, another number of features than at fit, labels of the wrong kind or
out of range, ``y`` with the wrong number of rows. The error must be a
``ValueError``, ``TypeError`` or ``NotFittedError`` whose message holds the
fragment in the table; a torch error, or a silent result, fails the test. The
one exception is a single row at inference, which is valid input: it must give
a single prediction.
"""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from sklarith import (
    ArithmeticMultiOutputClassifier,
    AutoencoderTransformer,
    IdentityAdderClassifier,
    MLPAdderRegressor,
    PCAEncoder,
)

_RNG = np.random.RandomState(0)
_N = 40


def _with(array, value, row=0, column=0):
    """A copy of ``array`` with one entry replaced."""
    kind = object if isinstance(value, str) else np.result_type(array, type(value))
    array = np.array(array, dtype=kind)
    array[row, column] = value
    return array


def _strings(array):
    return np.full(np.shape(array), "seven", dtype=object)


def _ragged(array):
    """A list of rows, one of them a number short."""
    rows = np.asarray(array).tolist()
    rows[1] = rows[1][:-1]
    return rows


def _check(estimator, method, X, y, error, fragment):
    """Call ``estimator.<method>(X[, y])`` and check the outcome of the row."""
    args = (X,) if y is None else (X, y)
    if error is None:
        result = getattr(estimator, method)(*args)
        result = result[0] if isinstance(result, list) else result
        assert len(result) == len(X)
        return
    with pytest.raises(error, match=fragment) as caught:
        getattr(estimator, method)(*args)
    assert not type(caught.value).__module__.startswith("torch")
    assert "torch" not in str(caught.value).lower()


def _cases(table):
    """pytest parameters from ``(id, method, X, y, error, fragment)`` rows."""
    return [pytest.param(*row[1:], id=row[0]) for row in table]


def _x_cases(method, X, y=None):
    """What every method taking ``X`` of numbers must refuse."""
    return [
        (f"{method}-nan", method, _with(X, np.nan), y, ValueError, "NaN"),
        (f"{method}-inf", method, _with(X, np.inf), y, ValueError, "infinity"),
        (f"{method}-sparse", method, sp.csr_matrix(X), y, TypeError, "^Sparse data"),
        (f"{method}-1d", method, X[0], y, ValueError, "Expected 2D array"),
    ]


def _unfitted_cases(methods, X):
    return [
        (f"{method}-unfitted", method, X, None, NotFittedError, "not fitted yet")
        for method in methods
    ]


# Encoders: rows of 2x2 images.
_IMAGES = _RNG.rand(_N, 4).astype(np.float32)

_ENCODER_TABLE = [
    *_x_cases("fit", _IMAGES),
    ("fit-strings", "fit", _strings(_IMAGES), None, ValueError, "string to float"),
    ("fit-0-rows", "fit", _IMAGES[:0], None, ValueError, "0 sample"),
    ("fit-row-length", "fit", _IMAGES[:, :3], None, ValueError, "whole number of 2x2"),
    ("fit-ragged", "fit", _ragged(_IMAGES), None, ValueError, "inhomogeneous"),
    *_x_cases("fit_transform", _IMAGES),
    *_x_cases("transform", _IMAGES),
    ("transform-strings", "transform", _strings(_IMAGES), None, ValueError, "string"),
    ("transform-0-rows", "transform", _IMAGES[:0], None, ValueError, "0 sample"),
    ("transform-1-row", "transform", _IMAGES[:1], None, None, None),
    (
        "transform-other-n-features",
        "transform",
        _IMAGES[:, :3],
        None,
        ValueError,
        "X has 3 features, but .* is expecting 4 features",
    ),
    (
        "inverse_transform-width",
        "inverse_transform",
        np.zeros((3, 3)),
        None,
        ValueError,
        "multiple of n_components=2",
    ),
    *_x_cases("inverse_transform", np.zeros((3, 2))),
    (
        "inverse_transform-1-row",
        "inverse_transform",
        np.zeros((1, 2)),
        None,
        None,
        None,
    ),
]


@pytest.fixture(scope="module")
def fitted_encoders():
    return {
        "autoencoder": AutoencoderTransformer(
            n_components=2,
            image_shape=(2, 2),
            channels=(2,),
            max_epochs=1,
            random_state=0,
        ).fit(_IMAGES),
        "pca": PCAEncoder(n_components=2, image_shape=(2, 2)).fit(_IMAGES),
    }


@pytest.mark.parametrize(
    ("method", "X", "y", "error", "fragment"),
    _cases(
        [
            *_ENCODER_TABLE,
            (
                "fit-1-row",
                "fit",
                _IMAGES[:1],
                None,
                ValueError,
                "at least 2 distinct images with early_stopping=True",
            ),
            *_unfitted_cases(["transform", "inverse_transform"], _IMAGES),
        ]
    ),
)
def test_autoencoder_refuses_bad_input(fitted_encoders, method, X, y, error, fragment):
    model = fitted_encoders["autoencoder"]
    if method.startswith("fit") or error is NotFittedError:
        model = clone(model)
    _check(model, method, X, y, error, fragment)


@pytest.mark.parametrize(
    ("method", "X", "y", "error", "fragment"),
    _cases(
        [
            *_ENCODER_TABLE,
            (
                "fit-1-row",
                "fit",
                _IMAGES[:1],
                None,
                ValueError,
                "n_components=2 is more than the 1 distinct images",
            ),
            *_unfitted_cases(["transform", "inverse_transform"], _IMAGES),
        ]
    ),
)
def test_pca_encoder_refuses_bad_input(fitted_encoders, method, X, y, error, fragment):
    model = fitted_encoders["pca"]
    if method.startswith("fit") or error is NotFittedError:
        model = clone(model)
    _check(model, method, X, y, error, fragment)


# ArithmeticMultiOutputClassifier: 6 features, two outputs.
_FEATURES = _RNG.rand(_N, 6).astype(np.float32)
_LABELS = _RNG.randint(0, 3, size=(_N, 2))
_SUMS = pd.DataFrame({"sum": _RNG.randint(0, 19, size=_N)})


@pytest.fixture(scope="module")
def fitted_classifier():
    return ArithmeticMultiOutputClassifier(
        hidden_layer_sizes=(4,), head_layer_sizes=(), max_epochs=1, random_state=0
    ).fit(_FEATURES, _LABELS)


@pytest.mark.parametrize(
    ("method", "X", "y", "error", "fragment"),
    _cases(
        [
            *_x_cases("fit", _FEATURES, _LABELS),
            (
                "fit-strings",
                "fit",
                _strings(_FEATURES),
                _LABELS,
                ValueError,
                "string to float",
            ),
            ("fit-0-rows", "fit", _FEATURES[:0], _LABELS[:0], ValueError, "0 sample"),
            (
                "fit-1-row",
                "fit",
                _FEATURES[:1],
                _LABELS[:1],
                ValueError,
                "at least 2 samples with early_stopping=True",
            ),
            (
                "fit-ragged",
                "fit",
                _ragged(_FEATURES),
                _LABELS,
                ValueError,
                "inhomogeneous",
            ),
            (
                "fit-y-rows",
                "fit",
                _FEATURES,
                _LABELS[:-1],
                ValueError,
                "inconsistent numbers of samples",
            ),
            (
                "fit-y-continuous",
                "fit",
                _FEATURES,
                _LABELS + 0.5,
                ValueError,
                "Unknown label type: continuous",
            ),
            (
                "fit-y-nan",
                "fit",
                _FEATURES,
                _with(_LABELS, np.nan),
                ValueError,
                "y contains NaN",
            ),
            (
                "fit-y-mixed-kinds",
                "fit",
                _FEATURES,
                _with(_LABELS, "seven"),
                TypeError,
                "mixes strings and numbers",
            ),
            (
                "fit-y-3d",
                "fit",
                _FEATURES,
                _LABELS[:, :, np.newaxis],
                ValueError,
                "dim 3",
            ),
            (
                "fit-y-out-of-range",
                "fit-arithmetic",
                _FEATURES,
                _SUMS.assign(sum=np.r_[19, _SUMS["sum"].to_numpy()[1:]]),
                ValueError,
                "outside 0-18",
            ),
            *_x_cases("predict", _FEATURES),
            *_x_cases("predict_proba", _FEATURES),
            (
                "predict-strings",
                "predict",
                _strings(_FEATURES),
                None,
                ValueError,
                "string to float",
            ),
            ("predict-0-rows", "predict", _FEATURES[:0], None, ValueError, "0 sample"),
            ("predict-1-row", "predict", _FEATURES[:1], None, None, None),
            ("predict_proba-1-row", "predict_proba", _FEATURES[:1], None, None, None),
            (
                "predict-other-n-features",
                "predict",
                _FEATURES[:, :5],
                None,
                ValueError,
                "X has 5 features, but .* is expecting 6 features",
            ),
            (
                "score-y-rows",
                "score",
                _FEATURES,
                _LABELS[:-1],
                ValueError,
                "y has shape",
            ),
            *_unfitted_cases(["predict", "predict_proba"], _FEATURES),
        ]
    ),
)
def test_arithmetic_classifier_refuses_bad_input(
    fitted_classifier, method, X, y, error, fragment
):
    model = fitted_classifier
    if method == "fit-arithmetic":
        model, method = clone(model).set_params(head="arithmetic"), "fit"
    elif method == "fit" or error is NotFittedError:
        model = clone(model)
    _check(model, method, X, y, error, fragment)


# IdentityAdderClassifier: a 2x2 image, then the integer 0-9; y the digit
# and the sum.
_DIGITS = _RNG.randint(0, 10, size=_N)
_INTEGERS = _RNG.randint(0, 10, size=_N)
_ADDER_X = np.column_stack([_RNG.rand(_N, 4), _INTEGERS]).astype(np.float32)
_ADDER_Y = np.column_stack([_DIGITS, _DIGITS + _INTEGERS])


@pytest.fixture(scope="module")
def fitted_identity_adder():
    return IdentityAdderClassifier(
        image_shape=(2, 2),
        channels=(2,),
        n_components=2,
        hidden_layer_sizes=(4,),
        augment=False,
        max_epochs=1,
        random_state=0,
    ).fit(_ADDER_X, _ADDER_Y)


@pytest.mark.parametrize(
    ("method", "X", "y", "error", "fragment"),
    _cases(
        [
            *_x_cases("fit", _ADDER_X, _ADDER_Y),
            (
                "fit-strings",
                "fit",
                _strings(_ADDER_X),
                _ADDER_Y,
                ValueError,
                "string to float",
            ),
            ("fit-0-rows", "fit", _ADDER_X[:0], _ADDER_Y[:0], ValueError, "0 sample"),
            (
                "fit-1-row",
                "fit",
                _ADDER_X[:1],
                _ADDER_Y[:1],
                ValueError,
                "at least 2 samples with early_stopping=True",
            ),
            (
                "fit-row-length",
                "fit",
                _ADDER_X[:, 1:],
                _ADDER_Y,
                ValueError,
                "expecting 5: the 2x2 pixels of an image followed by one integer",
            ),
            (
                "fit-integer-out-of-range",
                "fit",
                _with(_ADDER_X, 10, column=-1),
                _ADDER_Y,
                ValueError,
                r"integer to add, a whole number from 0 to 9; rows \[0\]",
            ),
            (
                "fit-y-rows",
                "fit",
                _ADDER_X,
                _ADDER_Y[:-1],
                ValueError,
                "inconsistent numbers of samples",
            ),
            (
                "fit-y-one-column",
                "fit",
                _ADDER_X,
                _ADDER_Y[:, 0],
                ValueError,
                "y must have two columns",
            ),
            (
                "fit-y-continuous",
                "fit",
                _ADDER_X,
                _ADDER_Y + 0.5,
                ValueError,
                "Unknown label type: continuous",
            ),
            (
                "fit-y-strings",
                "fit",
                _ADDER_X,
                _ADDER_Y.astype(str),
                ValueError,
                "y must hold whole numbers",
            ),
            (
                "fit-digit-out-of-range",
                "fit",
                _ADDER_X,
                _with(_ADDER_Y, 10),
                ValueError,
                r"first column of y must hold the digit.*rows \[0\]",
            ),
            (
                "fit-wrong-sum",
                "fit",
                _ADDER_X,
                _with(_ADDER_Y, 99, column=1),
                ValueError,
                r"digit plus the integer.*rows \[0\]",
            ),
            *_x_cases("predict", _ADDER_X),
            *_x_cases("predict_proba", _ADDER_X),
            (
                "predict-strings",
                "predict",
                _strings(_ADDER_X),
                None,
                ValueError,
                "string to float",
            ),
            ("predict-0-rows", "predict", _ADDER_X[:0], None, ValueError, "0 sample"),
            ("predict-1-row", "predict", _ADDER_X[:1], None, None, None),
            ("predict_proba-1-row", "predict_proba", _ADDER_X[:1], None, None, None),
            (
                "predict-other-n-features",
                "predict",
                _ADDER_X[:, 1:],
                None,
                ValueError,
                "X has 4 features, but .* is expecting 5 features",
            ),
            (
                "predict-integer-out-of-range",
                "predict",
                _with(_ADDER_X, -1, column=-1),
                None,
                ValueError,
                r"integer to add.*rows \[0\]",
            ),
            (
                "score-y-one-column",
                "score",
                _ADDER_X,
                _ADDER_Y[:, 0],
                ValueError,
                "one column per output",
            ),
            *_unfitted_cases(["predict", "predict_proba"], _ADDER_X),
        ]
    ),
)
def test_identity_adder_refuses_bad_input(
    fitted_identity_adder, method, X, y, error, fragment
):
    model = fitted_identity_adder
    if method.startswith("fit") or error is NotFittedError:
        model = clone(model)
    _check(model, method, X, y, error, fragment)


# MLPAdderRegressor: two operands and their sum.
_OPERANDS = _RNG.randint(0, 10, size=(_N, 2)).astype(np.float64)
_TOTALS = _OPERANDS.sum(axis=1)


@pytest.fixture(scope="module")
def fitted_adder():
    return MLPAdderRegressor(hidden_layer_sizes=(2,), max_epochs=2, random_state=0).fit(
        _OPERANDS, _TOTALS
    )


@pytest.mark.parametrize(
    ("method", "X", "y", "error", "fragment"),
    _cases(
        [
            *_x_cases("fit", _OPERANDS, _TOTALS),
            (
                "fit-strings",
                "fit",
                _strings(_OPERANDS),
                _TOTALS,
                ValueError,
                "adds numbers: X and y must hold integers or floats",
            ),
            ("fit-0-rows", "fit", _OPERANDS[:0], _TOTALS[:0], ValueError, "0 sample"),
            (
                "fit-1-row",
                "fit",
                _OPERANDS[:1],
                _TOTALS[:1],
                ValueError,
                "at least 2 samples with early_stopping=True",
            ),
            (
                "fit-ragged",
                "fit",
                _ragged(_OPERANDS),
                _TOTALS,
                ValueError,
                "inhomogeneous",
            ),
            (
                "fit-y-rows",
                "fit",
                _OPERANDS,
                _TOTALS[:-1],
                ValueError,
                "inconsistent numbers of samples",
            ),
            (
                "fit-y-strings",
                "fit",
                _OPERANDS,
                _strings(_TOTALS),
                ValueError,
                "adds numbers: X and y must hold integers or floats",
            ),
            (
                "fit-y-two-columns",
                "fit",
                _OPERANDS,
                np.column_stack([_TOTALS, _TOTALS]),
                ValueError,
                "y must hold one sum per row",
            ),
            (
                "fit-y-nan",
                "fit",
                _OPERANDS,
                _with(_TOTALS[:, np.newaxis], np.nan)[:, 0],
                ValueError,
                "y contains NaN",
            ),
            (
                "fit-y-inf",
                "fit",
                _OPERANDS,
                _with(_TOTALS[:, np.newaxis], np.inf)[:, 0],
                ValueError,
                "y contains infinity",
            ),
            *_x_cases("predict", _OPERANDS),
            (
                "predict-strings",
                "predict",
                _strings(_OPERANDS),
                None,
                ValueError,
                "adds numbers",
            ),
            ("predict-0-rows", "predict", _OPERANDS[:0], None, ValueError, "0 sample"),
            ("predict-1-row", "predict", _OPERANDS[:1], None, None, None),
            (
                "predict-other-n-features",
                "predict",
                _OPERANDS[:, :1],
                None,
                ValueError,
                "X has 1 features, but .* is expecting 2 features",
            ),
            (
                "score-y-rows",
                "score",
                _OPERANDS,
                _TOTALS[:-1],
                ValueError,
                "inconsistent numbers of samples",
            ),
            *_unfitted_cases(["predict"], _OPERANDS),
        ]
    ),
)
def test_adder_refuses_bad_input(fitted_adder, method, X, y, error, fragment):
    model = fitted_adder
    if method.startswith("fit") or error is NotFittedError:
        model = clone(model)
    _check(model, method, X, y, error, fragment)
