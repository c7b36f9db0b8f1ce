"""DigitArithmeticClassifier (``sklarith/digit_arithmetic.py``): what it learns
from results alone, how its structure names y's columns, and the digits it
reads. What every multi-output classifier does is in ``test_multioutput.py``;
the digit start from clusters in ``test_digit_clusters.py``."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV

from sklarith import AutoencoderTransformer, DigitArithmeticClassifier, PCAEncoder
from sklarith.datasets import make_number_addition
from sklarith.structures import DigitSum, NumberSum, PairResults


def small_classifier(**params):
    defaults = {"hidden_layer_sizes": (64,), "max_epochs": 3, "random_state": 0}
    return DigitArithmeticClassifier(**{**defaults, **params})


def test_learns_multi_digit_sums_from_digit_images(digits):
    X_train, X_test, y_train, y_test = digits
    X, Y = make_number_addition(
        X_train, y_train, n_digits=2, n_samples=6000, random_state=0
    )
    X_eval, Y_eval = make_number_addition(X_test, y_test, n_digits=2, random_state=1)
    clf = small_classifier(structure=NumberSum(2), max_epochs=6, lr=3e-3).fit(X, Y)
    assert clf.score(X_eval, Y_eval) > 0.6
    assert [len(c) for c in clf.classes_] == [2, 10, 10]
    assert [p.shape[1] for p in clf.predict_proba(X_eval)] == [2, 10, 10]


def test_the_default_structure_is_the_five_results_of_the_arithmetic_experiment(
    pairs,
):
    X, Y, _, _ = pairs
    clf = small_classifier(max_epochs=1).fit(X[:100], Y[:100])
    assert clf.structure is None
    assert clf.structure_ == PairResults()
    assert clf.structure_.targets == list(Y.columns)


def test_knows_every_class_of_a_result(pairs):
    X, Y, _, _ = pairs
    clf = small_classifier(max_epochs=1).fit(X[:50], Y[:50])
    assert Y["product_tens"][:50].nunique() < 9
    np.testing.assert_array_equal(clf.classes_[3], np.arange(9))


def test_a_plain_array_y_is_read_in_the_order_of_the_structure(pairs):
    X, Y, _, _ = pairs
    from_frame = small_classifier(max_epochs=2).fit(X[:600], Y[:600])
    from_array = small_classifier(max_epochs=2).fit(X[:600], Y[:600].to_numpy())
    for a, b in zip(
        from_array.predict_proba(X[:50]), from_frame.predict_proba(X[:50]), strict=True
    ):
        np.testing.assert_array_equal(a, b)


def test_the_names_of_the_columns_of_y_are_checked_against_the_structure(pairs):
    X, Y, _, _ = pairs
    with pytest.raises(ValueError, match=r"y's columns are \['greater'.*computes"):
        small_classifier().fit(X[:100], Y[Y.columns[::-1]][:100])


def test_y_needs_one_column_per_result_of_the_structure(pairs):
    X, Y, _, _ = pairs
    with pytest.raises(ValueError, match=r"y has 5 column\(s\).*computes 2 result"):
        small_classifier(structure=PairResults(["sum_units", "greater"])).fit(
            X[:100], Y[:100].to_numpy()
        )


def test_rows_must_split_into_the_images_of_the_structure(pairs):
    X, Y, _, _ = pairs
    with pytest.raises(ValueError, match="do not split into the 2 images"):
        small_classifier().fit(X[:100, :-1], Y[:100])


@pytest.mark.parametrize("fitted", [True, False])
def test_rows_of_images_must_be_as_many_as_the_structure_reads(digits, fitted):
    X_train, _, y_train, _ = digits
    X, Y = make_number_addition(X_train, y_train, n_digits=2, random_state=0)
    encoder = PCAEncoder(n_components=4, image_shape=(8, 8))
    clf = small_classifier(
        structure=DigitSum(16), encoder=encoder.fit(X_train) if fitted else encoder
    )
    with pytest.raises(ValueError, match=r"X rows hold 4 images.*results of 16"):
        clf.fit(X, Y["sum_digit_0"].to_numpy())
    # Refused before an encoder was fitted on rows it could not have served.
    assert not hasattr(clf, "encoder_")


@pytest.mark.parametrize(("name", "value"), [("sum_tens", 3), ("sum_units", 10)])
def test_refuses_results_arithmetic_cannot_give(pairs, name, value):
    X, Y, _, _ = pairs
    Y = Y[:100].copy()
    Y.loc[0, name] = value
    with pytest.raises(ValueError, match="outside 0-"):
        small_classifier().fit(X[:100], Y)


def test_clone_and_grid_search_carry_the_structure(pairs):
    X, Y, _, _ = pairs
    structure = PairResults(list(Y.columns))
    clf = small_classifier(structure=structure, max_epochs=1)
    assert clone(clf).get_params()["structure"] == structure
    search = GridSearchCV(clf, {"hidden_layer_sizes": [(8,), (16,)]}, cv=2)
    search.fit(X[:300], Y[:300].to_numpy())
    assert search.best_estimator_.structure_ == structure


def test_a_warm_start_needs_the_structure_of_the_first_fit(digits):
    X_train, _, y_train, _ = digits
    X, Y = make_number_addition(X_train, y_train, n_digits=1, random_state=0)
    clf = small_classifier(structure=NumberSum(1), max_epochs=1, warm_start=True)
    clf.fit(X, Y)
    # The same images, outputs and classes, computed by another structure.
    other = PairResults(["sum_tens", "sum_units"])
    with pytest.raises(ValueError, match=r"structure_ was NumberSum\(n_digits=1\)"):
        clf.set_params(structure=other).fit(X, Y.to_numpy())


# predict_digits: the digit network read on rows of any number of images


@pytest.fixture(scope="module", params=["pixels", "pca", "stacked"])
def two_digit_adder(request, digits):
    """A model of the sum of two 2-digit numbers of 8x8 digits: on raw
    pixels, or through an encoder fine-tuned with the digit network: a
    PCAEncoder, or an autoencoder's stacked convolutions with batch
    normalisation."""
    X_train, _, y_train, _ = digits
    X, Y = make_number_addition(
        X_train, y_train, n_digits=2, n_samples=6000, random_state=0
    )
    encoder = None
    if request.param == "pca":
        encoder = PCAEncoder(n_components=16, image_shape=(8, 8)).fit(X_train)
    if request.param == "stacked":
        encoder = AutoencoderTransformer(
            n_components=16,
            image_shape=(8, 8),
            channels=(8, 16),
            architecture="stacked",
            max_epochs=5,
            random_state=0,
        ).fit(X_train)
    return small_classifier(
        structure=NumberSum(2), encoder=encoder, max_epochs=4, lr=3e-3
    ).fit(X, Y)


def test_predict_digits_at_the_trained_width_are_the_networks_own(
    two_digit_adder, digits
):
    _, X_test, _, y_test = digits
    X, _ = make_number_addition(X_test, y_test, n_digits=2, random_state=1)
    logits = two_digit_adder.net_.forward(X).numpy()
    expected = logits.reshape(len(X), 4, 10).argmax(axis=2)
    np.testing.assert_array_equal(two_digit_adder.predict_digits(X), expected)


@pytest.mark.parametrize("n_digits", [1, 3])
def test_predict_digits_reads_numbers_of_another_length(
    two_digit_adder, digits, n_digits
):
    _, X_test, _, y_test = digits
    X, _, indices = make_number_addition(
        X_test, y_test, n_digits=n_digits, random_state=1, return_indices=True
    )
    predicted = two_digit_adder.predict_digits(X)
    assert predicted.shape == (len(X), 2 * n_digits)
    # The digit network learnt the digits themselves from the sums alone.
    assert np.mean(predicted == y_test[indices]) > 0.5


def test_predict_digits_of_an_image_do_not_depend_on_the_width_of_its_row(
    two_digit_adder, digits
):
    # 6 images: not a whole number of the trained rows of 4, so the last
    # regrouped row is padded whatever the width.
    images = digits[1][:6]
    per_width = [
        two_digit_adder.predict_digits(images.reshape(n_rows, -1)).ravel()
        for n_rows in (6, 3, 1)
    ]
    for digits_read in per_width[1:]:
        np.testing.assert_array_equal(digits_read, per_width[0])


def test_a_row_alone_is_predicted_as_in_a_batch(two_digit_adder, digits):
    """Batch normalisation, with the stacked encoder, uses the statistics
    learnt in training: no prediction depends on the other rows."""
    _, X_test, _, y_test = digits
    X, _ = make_number_addition(X_test, y_test, n_digits=2, random_state=1)
    in_a_batch = two_digit_adder.predict_proba(X[:40])
    for row in (0, 17, 39):
        alone = two_digit_adder.predict_proba(X[row : row + 1])
        for output_alone, output_in_batch in zip(alone, in_a_batch, strict=True):
            np.testing.assert_allclose(
                output_alone[0], output_in_batch[row], rtol=1e-5, atol=1e-6
            )


def test_the_same_random_state_fine_tunes_the_same_stacked_encoder(digits):
    X_train, X_test, y_train, y_test = digits
    X, Y = make_number_addition(
        X_train, y_train, n_digits=1, n_samples=1000, random_state=0
    )
    encoder = AutoencoderTransformer(
        n_components=8,
        image_shape=(8, 8),
        channels=(4, 8),
        architecture="stacked",
        max_epochs=1,
        random_state=0,
    )
    models = [
        small_classifier(structure=NumberSum(1), encoder=encoder, max_epochs=2).fit(
            X, Y
        )
        for _ in range(2)
    ]
    X_eval, _ = make_number_addition(X_test, y_test, n_digits=1, random_state=1)
    np.testing.assert_array_equal(
        models[0].predict_proba(X_eval)[0], models[1].predict_proba(X_eval)[0]
    )


def test_predict_digits_needs_rows_of_whole_images(two_digit_adder, digits):
    with pytest.raises(ValueError, match="images of 64 features"):
        two_digit_adder.predict_digits(digits[1][:4, :-1])


def test_predict_digits_needs_a_fitted_model(digits):
    with pytest.raises(NotFittedError):
        small_classifier().predict_digits(digits[1][:2])
