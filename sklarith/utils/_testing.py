"""The registry of small estimators that the common tests run on.

Every estimator of sklarith appears here once per configuration that takes
another code path (the learnt-heads classifier on features and with an
encoder it fine-tunes, the digit-reading classifier), as a
:class:`EstimatorCase`: a small instance, a maker of the data it fits in
about a second, a parameter to search over, and what scikit-learn's
estimator checks need. ``tests/test_common.py`` runs
every cross-estimator behaviour (scikit-learn's checks, clone, persistence,
determinism, bad input, progress output, mixed precision, ...) over
:data:`ESTIMATOR_CASES`; adding an estimator to sklarith means adding one
case here.

Only :mod:`sklarith.utils.estimator_checks`, its public face for scripts,
imports this module; scikit-learn keeps its own registry in the same way
(``sklearn/utils/_test_common/instance_generator``).
"""

import dataclasses
from collections.abc import Callable
from functools import cache

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone

from .. import (
    ArithmeticMultiOutputClassifier,
    AutoencoderTransformer,
    DigitArithmeticClassifier,
    IdentityAdderClassifier,
    MLPAdderRegressor,
    PCAEncoder,
)
from ..datasets import (
    load_digit_images,
    make_addition,
    make_arithmetic_pairs,
    make_identity_adder,
)
from ..structures import DigitSum, PairResults

#: Rows of every registry data set: small enough that a fit takes a second.
N_SAMPLES = 160


@dataclasses.dataclass(frozen=True)
class EstimatorCase:
    """A small estimator, the data it fits, and what the common tests need.

    Parameters
    ----------
    name : str
        The id of the case in test names.
    estimator : estimator instance
        Unfitted, with a fixed ``random_state`` where it has one, and small
        enough to fit :attr:`data` in about a second.
    data : callable
        ``data() -> (X, y)``: valid training data of :data:`N_SAMPLES` rows
        (``y`` is None for the encoders).
    grid : tuple of (str, list)
        A parameter and two values that give models of different sizes: the
        grid of the model-selection tests.
    check_params : dict
        Parameters set for scikit-learn's estimator checks, whose data are
        random numbers, not images: 1x1 "images", so that any row is a whole
        number of images, and more epochs where a check asks for accuracy.
    expected_failed_checks : dict of str to str
        scikit-learn's checks that fail by design, each with its reason.
    small_batch_params : dict
        Parameters set, on top of ``check_params``, for the checks of
        :data:`SMALL_BATCH_CHECKS`: batches of fewer rows than the checks'
        data sets (and, for a network that solves its output layer, than its
        unknowns), so that training and inference run on several batches of
        different sizes. Empty where those checks add nothing: where they
        fail by design on the checks' data, or run the code of another case.
    """

    name: str
    estimator: BaseEstimator
    data: Callable[[], tuple]
    grid: tuple[str, list]
    check_params: dict = dataclasses.field(default_factory=dict)
    expected_failed_checks: dict = dataclasses.field(default_factory=dict)
    small_batch_params: dict = dataclasses.field(default_factory=dict)

    def make_estimator(self, **params):
        """A fresh clone of :attr:`estimator`, with ``params`` set."""
        return clone(self.estimator).set_params(**params)

    def estimator_for_checks(self):
        """The estimator that scikit-learn's checks run on."""
        return self.make_estimator(**self.check_params)

    def estimator_for_small_batch_checks(self):
        """The estimator that :data:`SMALL_BATCH_CHECKS` run on, or None
        when the case has no small-batch settings."""
        if not self.small_batch_params:
            return None
        return self.make_estimator(**self.check_params, **self.small_batch_params)


def computed(model, X):
    """What a fitted model computes on ``X``: codes, the probabilities of
    every output side by side, or predictions; what tests compare between
    two models."""
    if hasattr(model, "transform"):
        return model.transform(X)
    if hasattr(model, "predict_proba"):
        return np.hstack(model.predict_proba(X))
    return model.predict(X)


@cache
def _digits():
    digits = load_digit_images()
    return digits.data, digits.target


def digit_images():
    """Single 8x8 digit images; no ``y``."""
    images, _ = _digits()
    return images[:N_SAMPLES], None


def random_features():
    """Six random features and two discrete outputs (a DataFrame)."""
    rng = np.random.RandomState(0)
    X = rng.rand(N_SAMPLES, 6).astype(np.float32)
    Y = pd.DataFrame({"first": X[:, 0] > 0.5, "second": (3 * X[:, 1]).astype(int)})
    return X, Y


#: The results the digit-reading case learns.
PAIR_RESULTS = ("sum_units", "greater")


def image_pairs():
    """Pairs of 8x8 digit images and the results of :data:`PAIR_RESULTS`, as
    a plain array: the digit-reading classifier knows them from its
    structure."""
    images, labels = _digits()
    X, Y = make_arithmetic_pairs(
        images[:100],
        labels[:100],
        n_pairs=N_SAMPLES,
        targets=list(PAIR_RESULTS),
        random_state=0,
    )
    return X, Y.to_numpy()


def image_pairs_and_seed_results():
    """Pairs of 8x8 digit images and the arithmetic experiment's five results."""
    images, labels = _digits()
    return make_arithmetic_pairs(
        images[:100], labels[:100], n_pairs=N_SAMPLES, random_state=0
    )


def images_and_integers():
    """An 8x8 digit image and an integer 0-9 per row; the digit and the sum."""
    images, labels = _digits()
    return make_identity_adder(images[:N_SAMPLES], labels[:N_SAMPLES], random_state=0)


def operands():
    """Two integers 0-10 per row and their sum."""
    return make_addition(N_SAMPLES, max_sum=20, random_state=0)


#: scikit-learn's checks whose outcome depends on how the rows are batched,
#: run again on each case's small-batch estimator
#: (:meth:`EstimatorCase.estimator_for_small_batch_checks`): a row's result
#: must not depend on the other rows of its batch, nor on where the batches
#: fall (the order and the subset invariance), and training on several
#: batches of different sizes must fit (on 150 rows with negative inputs).
#: The other checks do not look at batches, and would only double the time
#: of the common tests.
SMALL_BATCH_CHECKS = (
    "check_methods_sample_order_invariance",
    "check_methods_subset_invariance",
    "check_positive_only_tag_during_fit",
)

#: Batches of 16 rows: the checks' data sets of 20 to 150 rows train on
#: several, the last one shorter.
_SMALL_BATCH = {"batch_size": 16}

# scikit-learn's checks fit on random X and y. These are the reasons that
# checks fail on them by design, each check listed with the first rule its
# data break.

_ROWS_OF_ANY_NUMBER_OF_IMAGES = (
    "transform accepts rows holding any whole number of images of the fitted "
    "size (an encoder fitted on single images encodes pairs)"
)
_ENCODER_FAILURES = dict.fromkeys(
    [
        "check_n_features_in_after_fitting",
        "check_transformer_general",
        "check_transformer_general(readonly_memmap=True)",
    ],
    _ROWS_OF_ANY_NUMBER_OF_IMAGES,
)

# DigitArithmeticClassifier checks with structure=DigitSum(1): a row is one
# image (X of any width) and its one result is its digit, 0-9, which the
# checks' classes 0, 1, 2 are. What still fails is what the model is: its
# results are whole numbers of the arithmetic, each with every value the
# arithmetic can give.
_DIGIT_ARITHMETIC_FAILURES = {
    "check_classifiers_classes": (
        "the check's labels are strings, or numbers beyond 9; the results of "
        "DigitSum(1) are the digits 0-9"
    ),
    **dict.fromkeys(
        [
            "check_classifiers_train",
            "check_classifiers_train(readonly_memmap=True)",
            "check_classifiers_train(readonly_memmap=True,X_dtype=float32)",
        ],
        "predict_proba has a column for every value the structure's result can "
        "take (10 for a digit), not only for the classes the check's y shows",
    ),
    **dict.fromkeys(
        [
            "check_classifier_multioutput",
            "check_classifiers_multilabel_representation_invariance",
            "check_classifiers_multilabel_output_format_predict",
            "check_classifiers_multilabel_output_format_predict_proba",
            "check_classifiers_multilabel_output_format_decision_function",
        ],
        "the check's y has several columns; a structure of several results "
        "reads rows of two images or more, which the check's X, of any width, "
        "does not split into",
    ),
}

# IdentityAdderClassifier's X must be an image (here 1x1, one pixel) followed
# by a whole integer 0-9, and its y the digit and the digit plus that
# integer; fit rejects anything else with a ValueError that names the
# problem, as it should.
_ROW_IS_AN_IMAGE_AND_AN_INTEGER = (
    "the check's X has 3, 4, 5, 10 or 20 columns; a row must be the image's "
    "pixels and one integer column (2 columns for 1x1 images)"
)
_LAST_COLUMN_IS_AN_INTEGER_0_TO_9 = (
    "the last column of the check's X holds random or negative floats; it must "
    "hold the integer 0-9 to add"
)
_Y_IS_THE_DIGIT_AND_THE_SUM = (
    "the check's y is a single column or string labels; y must hold the digit "
    "and the sum as whole numbers"
)
_IDENTITY_ADDER_FAILURES = {
    **dict.fromkeys(
        [
            "check_fit_score_takes_y",
            "check_dont_overwrite_parameters",
            "check_n_features_in_after_fitting",
            "check_estimators_dtypes",
            "check_dtype_object",
            "check_pipeline_consistency",
            "check_estimators_nan_inf",
            "check_estimators_pickle",
            "check_estimators_pickle(readonly_memmap=True)",
            "check_f_contiguous_array_estimator",
            "check_classifiers_one_label",
            "check_classifier_multioutput",
            "check_methods_sample_order_invariance",
            "check_methods_subset_invariance",
            "check_dict_unchanged",
            "check_fit2d_predict1d",
            "check_estimators_partial_fit_n_features",
        ],
        _ROW_IS_AN_IMAGE_AND_AN_INTEGER,
    ),
    **dict.fromkeys(
        [
            "check_estimators_overwrite_params",
            "check_estimators_fit_returns_self",
            "check_readonly_memmap_input",
            "check_positive_only_tag_during_fit",
            "check_classifiers_train",
            "check_classifiers_train(readonly_memmap=True)",
            "check_classifiers_train(readonly_memmap=True,X_dtype=float32)",
            "check_classifiers_multilabel_representation_invariance",
            "check_classifiers_multilabel_output_format_predict",
            "check_classifiers_multilabel_output_format_predict_proba",
            "check_classifiers_multilabel_output_format_decision_function",
            "check_fit_idempotent",
            "check_fit_check_is_fitted",
            "check_n_features_in",
        ],
        _LAST_COLUMN_IS_AN_INTEGER_0_TO_9,
    ),
    **dict.fromkeys(
        ["check_classifier_data_not_an_array", "check_classifiers_classes"],
        _Y_IS_THE_DIGIT_AND_THE_SUM,
    ),
}


#: Every estimator of sklarith, small, with its data: the common tests' cases.
ESTIMATOR_CASES = (
    EstimatorCase(
        name="autoencoder",
        estimator=AutoencoderTransformer(
            n_components=2,
            image_shape=(8, 8),
            channels=(4,),
            max_epochs=2,
            batch_size=32,
            random_state=0,
        ),
        data=digit_images,
        grid=("n_components", [2, 3]),
        check_params={"image_shape": (1, 1)},
        expected_failed_checks=_ENCODER_FAILURES,
        small_batch_params=_SMALL_BATCH,
    ),
    EstimatorCase(
        name="pca",
        estimator=PCAEncoder(
            n_components=2, image_shape=(8, 8), batch_size=32, random_state=0
        ),
        data=digit_images,
        grid=("n_components", [2, 3]),
        check_params={"image_shape": (1, 1), "n_components": 1},
        expected_failed_checks=_ENCODER_FAILURES,
        small_batch_params=_SMALL_BATCH,
    ),
    EstimatorCase(
        name="arithmetic",
        estimator=ArithmeticMultiOutputClassifier(
            hidden_layer_sizes=(16,),
            head_layer_sizes=(8,),
            max_epochs=3,
            batch_size=32,
            lr=1e-2,
            random_state=0,
        ),
        data=random_features,
        grid=("hidden_layer_sizes", [(4,), (8,)]),
        small_batch_params=_SMALL_BATCH,
    ),
    EstimatorCase(
        name="digit_arithmetic",
        estimator=DigitArithmeticClassifier(
            structure=PairResults(PAIR_RESULTS),
            hidden_layer_sizes=(16,),
            max_epochs=3,
            batch_size=32,
            lr=1e-2,
            random_state=0,
        ),
        data=image_pairs,
        grid=("hidden_layer_sizes", [(4,), (8,)]),
        # scikit-learn's checks fit rows of any width and classes 0, 1, 2:
        # each row is one image, and its one result is its digit.
        check_params={"structure": DigitSum(1)},
        expected_failed_checks=_DIGIT_ARITHMETIC_FAILURES,
        small_batch_params=_SMALL_BATCH,
    ),
    EstimatorCase(
        name="arithmetic_encoder",
        estimator=ArithmeticMultiOutputClassifier(
            encoder=AutoencoderTransformer(
                n_components=2,
                image_shape=(8, 8),
                channels=(2,),
                max_epochs=1,
                random_state=0,
            ),
            hidden_layer_sizes=(16,),
            head_layer_sizes=(8,),
            max_epochs=2,
            batch_size=32,
            lr=1e-2,
            random_state=0,
        ),
        data=image_pairs_and_seed_results,
        grid=("hidden_layer_sizes", [(4,), (8,)]),
        # The check of accuracy wants 83 % on three blobs: the encoder of
        # 1x1 images needs more epochs than the case's quick fit to get there.
        check_params={"encoder__image_shape": (1, 1), "max_epochs": 10},
        # No small-batch checks: its batches are those of the "arithmetic"
        # case, through the same data path and inference, and its checks
        # train an encoder for ten epochs, the slowest of the registry.
    ),
    EstimatorCase(
        name="identity_adder",
        estimator=IdentityAdderClassifier(
            image_shape=(8, 8),
            channels=(2,),
            n_components=2,
            hidden_layer_sizes=(8,),
            max_epochs=2,
            batch_size=32,
            random_state=0,
        ),
        data=images_and_integers,
        grid=("n_components", [2, 3]),
        check_params={"image_shape": (1, 1)},
        expected_failed_checks=_IDENTITY_ADDER_FAILURES,
        # No small-batch checks: each of them fails by design on the checks'
        # random data (listed above).
    ),
    EstimatorCase(
        name="adder",
        estimator=MLPAdderRegressor(
            hidden_layer_sizes=(2,), max_epochs=5, random_state=0
        ),
        data=operands,
        grid=("hidden_layer_sizes", [(1,), (2,)]),
        # As many hidden units as rows in a batch: the output layer's least
        # squares on a batch may have no more rows than unknowns, and L-BFGS
        # searches each batch's own loss.
        small_batch_params={**_SMALL_BATCH, "hidden_layer_sizes": (16,)},
    ),
)
