"""scikit-learn's own estimator checks, run on every sklarith estimator."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sklarith import (
    ArithmeticMultiOutputClassifier,
    AutoencoderTransformer,
    IdentityAdderClassifier,
    MLPAdderRegressor,
    PCAEncoder,
)

ESTIMATORS = [
    AutoencoderTransformer(
        n_components=2,
        image_shape=(1, 1),
        channels=(4,),
        max_epochs=2,
        batch_size=16,
        random_state=0,
    ),
    ArithmeticMultiOutputClassifier(
        hidden_layer_sizes=(16,),
        head_layer_sizes=(8,),
        max_epochs=20,
        batch_size=32,
        lr=1e-2,
        random_state=0,
    ),
    MLPAdderRegressor(hidden_layer_sizes=(4,), max_epochs=5, random_state=0),
    PCAEncoder(n_components=1, image_shape=(1, 1)),
    IdentityAdderClassifier(
        image_shape=(1, 1),
        channels=(2,),
        n_components=2,
        hidden_layer_sizes=(8,),
        max_epochs=2,
        batch_size=16,
        random_state=0,
    ),
]

# A row may hold any whole number of images, so that an encoder fitted on
# single images encodes pairs; with the 1x1 "images" the checks need, any row
# width is valid at transform.
_ROWS_OF_ANY_NUMBER_OF_IMAGES = (
    "transform accepts rows holding any whole number of images of the fitted "
    "size (an encoder fitted on single images encodes pairs)"
)

# The checks fit on random X and y. IdentityAdderClassifier's X must be an
# image (here 1x1, one pixel) followed by a whole integer 0-9, and its y the
# digit and the digit plus that integer; fit rejects anything else with a
# ValueError that names the problem, as it should. Each check below fails on
# the first of these rules its data breaks (measured by
# benchmarks/count_checks.py); tests/test_identity_adder.py and
# tests/test_conformance.py cover what these checks would on valid data.
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
EXPECTED_FAILED_CHECKS = {
    "AutoencoderTransformer": {
        "check_n_features_in_after_fitting": _ROWS_OF_ANY_NUMBER_OF_IMAGES,
        "check_transformer_general": _ROWS_OF_ANY_NUMBER_OF_IMAGES,
        "check_transformer_general(readonly_memmap=True)": (
            _ROWS_OF_ANY_NUMBER_OF_IMAGES
        ),
    },
    "PCAEncoder": {
        "check_n_features_in_after_fitting": _ROWS_OF_ANY_NUMBER_OF_IMAGES,
        "check_transformer_general": _ROWS_OF_ANY_NUMBER_OF_IMAGES,
        "check_transformer_general(readonly_memmap=True)": (
            _ROWS_OF_ANY_NUMBER_OF_IMAGES
        ),
    },
    "IdentityAdderClassifier": {
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
            [
                "check_classifier_data_not_an_array",
                "check_classifiers_classes",
            ],
            _Y_IS_THE_DIGIT_AND_THE_SUM,
        ),
    },
}


def expected_failed_checks(estimator):
    return EXPECTED_FAILED_CHECKS.get(type(estimator).__name__, {})


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
