import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

from sklarith import ArithmeticMultiOutputClassifier, AutoencoderTransformer
from sklarith.datasets import make_number_addition


def small_classifier(**params):
    defaults = {
        "hidden_layer_sizes": (64,),
        "head_layer_sizes": (32,),
        "max_epochs": 3,
        "random_state": 0,
    }
    return ArithmeticMultiOutputClassifier(**{**defaults, **params})


def one_hot_digits(n, rng):
    """Two one-hot digits per row and their sum, product and comparison."""
    a, b = rng.randint(10, size=n), rng.randint(10, size=n)
    X = np.hstack([np.eye(10)[a], np.eye(10)[b]])
    Y = pd.DataFrame({"sum": a + b, "product": a * b, "greater": (a > b).astype(int)})
    return X, Y


@pytest.fixture(scope="module")
def one_hot():
    rng = np.random.RandomState(0)
    X, Y = one_hot_digits(3000, rng)
    X_test, Y_test = one_hot_digits(500, rng)
    return X, Y, X_test, Y_test


@pytest.fixture(scope="module")
def fitted(one_hot):
    X, Y, _, _ = one_hot
    return small_classifier(max_epochs=20, lr=3e-3).fit(X, Y)


def test_learns_arithmetic_on_one_hot_digits(fitted, one_hot):
    _, _, X_test, Y_test = one_hot
    assert fitted.score(X_test, Y_test) > 0.95


def test_predict_has_the_shape_and_classes_of_y(fitted, one_hot):
    _, _, X_test, _ = one_hot
    predicted = fitted.predict(X_test)
    assert predicted.shape == (len(X_test), 3)
    for column, classes in zip(predicted.T, fitted.classes_, strict=True):
        assert set(column) <= set(classes)
    np.testing.assert_array_equal(fitted.classes_[0], np.arange(19))
    assert fitted.n_outputs_ == 3


def test_predict_proba_is_a_list_of_distributions(fitted, one_hot):
    _, _, X_test, _ = one_hot
    proba = fitted.predict_proba(X_test)
    assert [p.shape for p in proba] == [(500, 19), (500, 37), (500, 2)]
    for p in proba:
        np.testing.assert_allclose(p.sum(axis=1), 1, rtol=1e-5)


def test_predict_is_the_most_probable_class(fitted, one_hot):
    _, _, X_test, _ = one_hot
    proba = fitted.predict_proba(X_test)
    expected = np.stack(
        [c[p.argmax(axis=1)] for c, p in zip(fitted.classes_, proba, strict=True)], 1
    )
    np.testing.assert_array_equal(fitted.predict(X_test), expected)


def test_score_is_subset_accuracy(fitted, one_hot):
    _, _, X_test, Y_test = one_hot
    Y_wrong = Y_test.copy()
    Y_wrong.loc[:99, "greater"] = 1 - Y_wrong.loc[:99, "greater"]
    all_right = np.all(fitted.predict(X_test) == Y_wrong.to_numpy(), axis=1).mean()
    assert fitted.score(X_test, Y_wrong) == pytest.approx(all_right)
    assert fitted.score(X_test, Y_wrong) < fitted.score(X_test, Y_test)


def test_one_dimensional_y_gives_one_dimensional_predictions(one_hot):
    X, Y, X_test, _ = one_hot
    clf = small_classifier().fit(X, Y["sum"])
    assert clf.predict(X_test).shape == (500,)
    assert clf.predict_proba(X_test).shape == (500, 19)
    np.testing.assert_array_equal(clf.classes_, np.arange(19))


def test_string_labels_are_predicted_as_strings(one_hot):
    X, Y, X_test, _ = one_hot
    words = np.where(Y["greater"] == 1, "greater", "not greater")
    clf = small_classifier().fit(X, words)
    assert set(clf.predict(X_test)) <= {"greater", "not greater"}


def test_inputs_are_standardised_so_their_scale_does_not_matter(one_hot):
    X, Y, X_test, _ = one_hot
    unit = small_classifier(max_epochs=2).fit(X, Y)
    large = small_classifier(max_epochs=2).fit(X * 1000 + 5, Y)
    np.testing.assert_allclose(
        unit.predict_proba(X_test)[0],
        large.predict_proba(X_test * 1000 + 5)[0],
        atol=1e-3,
    )


def test_validation_accuracy_is_recorded_per_epoch(fitted):
    accuracies = fitted.history_[:, "valid_acc"]
    assert len(accuracies) == len(fitted.history_)
    assert 0 <= min(accuracies) <= max(accuracies) <= 1


def test_same_random_state_gives_identical_predictions(one_hot):
    X, Y, X_test, _ = one_hot
    first = small_classifier(random_state=3).fit(X, Y).predict_proba(X_test)
    second = small_classifier(random_state=3).fit(X, Y).predict_proba(X_test)
    other = small_classifier(random_state=4).fit(X, Y).predict_proba(X_test)
    np.testing.assert_array_equal(first[0], second[0])
    assert not np.allclose(first[0], other[0])


def test_fine_tunes_a_fitted_encoder_without_changing_it(pairs, digits):
    X, Y, X_eval, Y_eval = pairs
    X_train = digits[0]
    encoder = AutoencoderTransformer(
        n_components=8, image_shape=(8, 8), max_epochs=2, random_state=0
    ).fit(X_train)
    codes_before = encoder.transform(X_train[:5])
    clf = small_classifier(encoder=encoder, max_epochs=2).fit(X, Y)
    assert clf.encoder_ is encoder
    assert clf.predict(X_eval).shape == Y_eval.shape
    np.testing.assert_array_equal(encoder.transform(X_train[:5]), codes_before)
    fine_tuned = clf.net_.module_.encoder
    original = encoder.net_.module_.encoder
    assert not np.allclose(
        fine_tuned[1].weight.detach().numpy(), original[1].weight.detach().numpy()
    )


def test_frozen_encoder_keeps_its_weights(pairs, digits):
    X, Y, _, _ = pairs
    encoder = AutoencoderTransformer(
        n_components=8, image_shape=(8, 8), max_epochs=2, random_state=0
    ).fit(digits[0])
    clf = small_classifier(encoder=encoder, freeze_encoder=True, max_epochs=2)
    clf.fit(X, Y)
    np.testing.assert_array_equal(
        clf.net_.module_.encoder[1].weight.detach().numpy(),
        encoder.net_.module_.encoder[1].weight.detach().numpy(),
    )


def test_an_unfitted_encoder_is_fitted_on_the_images_first(pairs):
    X, Y, _, _ = pairs
    encoder = AutoencoderTransformer(n_components=8, image_shape=(8, 8), max_epochs=1)
    clf = small_classifier(encoder=encoder, max_epochs=1).fit(X, Y)
    assert hasattr(clf.encoder_, "net_")
    assert not hasattr(encoder, "net_")


def test_encoder_must_be_an_autoencoder(one_hot):
    from sklearn.decomposition import PCA

    X, Y, _, _ = one_hot
    with pytest.raises(TypeError, match="encoder must be an AutoencoderTransformer"):
        small_classifier(encoder=PCA()).fit(X, Y)


@pytest.mark.parametrize(
    ("X", "y", "message"),
    [
        (np.full((10, 4), np.nan), np.arange(10) % 2, "NaN"),
        (np.full((10, 4), np.inf), np.arange(10) % 2, "infinity"),
        (np.zeros((10, 4)), np.linspace(0, 1, 10), "Unknown label type"),
        (np.zeros((10, 4)), np.arange(9) % 2, "inconsistent numbers of samples"),
        (np.zeros((0, 4)), np.arange(0), "0 sample"),
        (np.zeros((1, 4)), np.arange(1), "at least 2 samples"),
        (np.zeros(4), np.arange(4) % 2, "2D array"),
    ],
)
def test_fit_rejects_bad_input(X, y, message):
    with pytest.raises(ValueError, match=message):
        small_classifier().fit(X, y)


def test_predict_rejects_a_different_number_of_features(fitted):
    with pytest.raises(ValueError, match="expecting 20 features"):
        fitted.predict(np.zeros((3, 21)))


def test_score_rejects_y_with_other_outputs(fitted, one_hot):
    _, _, X_test, Y_test = one_hot
    with pytest.raises(ValueError, match="one column per output"):
        fitted.score(X_test, Y_test.iloc[:, :2])


def test_predict_before_fit_raises_not_fitted():
    with pytest.raises(NotFittedError):
        small_classifier().predict(np.zeros((3, 4)))


def test_hidden_layer_sizes_must_be_positive_integers(one_hot):
    X, Y, _, _ = one_hot
    with pytest.raises(
        ValueError, match=r"'hidden_layer_sizes' parameter .* must be a tuple"
    ):
        small_classifier(hidden_layer_sizes=(0,)).fit(X, Y)


def test_arithmetic_head_learns_multi_digit_sums_from_digit_images(digits):
    X_train, X_test, y_train, y_test = digits
    X, Y = make_number_addition(
        X_train, y_train, n_digits=2, n_samples=6000, random_state=0
    )
    X_eval, Y_eval = make_number_addition(X_test, y_test, n_digits=2, random_state=1)
    clf = small_classifier(head="arithmetic", max_epochs=6, lr=3e-3).fit(X, Y)
    assert clf.score(X_eval, Y_eval) > 0.6
    assert [len(c) for c in clf.classes_] == [2, 10, 10]
    assert [p.shape[1] for p in clf.predict_proba(X_eval)] == [2, 10, 10]


def test_arithmetic_head_knows_every_class_of_a_result(pairs):
    X, Y, _, _ = pairs
    clf = small_classifier(head="arithmetic", max_epochs=1).fit(X[:50], Y[:50])
    np.testing.assert_array_equal(clf.classes_[3], np.arange(9))


def test_arithmetic_head_needs_named_results(pairs):
    X, Y, _, _ = pairs
    with pytest.raises(ValueError, match="results it knows by name"):
        small_classifier(head="arithmetic").fit(X, Y.to_numpy())


def test_arithmetic_head_checks_the_number_of_images(pairs):
    X, Y, _, _ = pairs
    with pytest.raises(ValueError, match="do not split into the 2 images"):
        small_classifier(head="arithmetic").fit(X[:, :-1], Y)


def test_arithmetic_head_rejects_impossible_results(pairs):
    X, Y, _, _ = pairs
    Y = Y.copy()
    Y.loc[0, "sum_tens"] = 3
    with pytest.raises(ValueError, match="outside 0-1"):
        small_classifier(head="arithmetic").fit(X, Y)
