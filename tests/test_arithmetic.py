"""ArithmeticMultiOutputClassifier (``sklarith/arithmetic.py``): what it
learns, its classes and its encoder (fine-tuned or frozen). What every
multi-output classifier does is in ``test_multioutput.py``."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.decomposition import PCA
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import cross_validate

from sklarith import ArithmeticMultiOutputClassifier, AutoencoderTransformer, PCAEncoder


def small_classifier(**params):
    defaults = {
        "hidden_layer_sizes": (64,),
        "head_layer_sizes": (32,),
        "max_epochs": 3,
        "batch_size": 256,
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


def test_each_output_has_the_classes_seen_in_its_column(fitted, one_hot):
    _, Y, X_test, _ = one_hot
    assert fitted.n_outputs_ == 3
    for classes, name in zip(fitted.classes_, Y.columns, strict=True):
        np.testing.assert_array_equal(classes, np.unique(Y[name]))
    proba = fitted.predict_proba(X_test)
    assert [p.shape[1] for p in proba] == [19, 37, 2]


def test_one_dimensional_y_gives_one_dimensional_predictions(one_hot):
    X, Y, X_test, _ = one_hot
    clf = small_classifier().fit(X, Y["sum"])
    assert clf.predict(X_test).shape == (500,)
    assert clf.predict_proba(X_test).shape == (500, 19)
    np.testing.assert_array_equal(clf.classes_, np.arange(19))


def test_partial_fit_keeps_the_classes_of_its_first_call(one_hot):
    X, Y, _, _ = one_hot
    classes = [np.unique(Y[name]) for name in Y.columns]
    clf = small_classifier().partial_fit(X[:5], Y[:5], classes=classes)
    clf.partial_fit(X[5:], Y[5:])
    for kept, every in zip(clf.classes_, classes, strict=True):
        np.testing.assert_array_equal(kept, every)


def test_partial_fit_refuses_labels_outside_the_classes_of_its_first_call(one_hot):
    X, Y, _, _ = one_hot
    clf = small_classifier().partial_fit(X[:5], Y["sum"][:5])
    unseen = ~np.isin(Y["sum"], Y["sum"][:5])
    with pytest.raises(ValueError, match="first partial_fit's classes"):
        clf.partial_fit(X[unseen], Y["sum"][unseen])
    assert clf.n_iter_ == 1


def test_string_labels_are_predicted_as_strings(one_hot):
    X, Y, X_test, _ = one_hot
    words = np.where(Y["greater"] == 1, "greater", "not greater")
    clf = small_classifier().fit(X, words)
    assert set(clf.predict(X_test)) == {"greater", "not greater"}


def test_inputs_are_standardised_so_their_scale_does_not_matter(one_hot):
    X, Y, X_test, _ = one_hot
    # Without dropout: its random masks magnify the rounding of the two
    # standardisations into differences above the tolerance.
    unit = small_classifier(max_epochs=2, dropout=0.0).fit(X, Y)
    large = small_classifier(max_epochs=2, dropout=0.0).fit(X * 1000 + 5, Y)
    np.testing.assert_allclose(
        unit.predict_proba(X_test)[0],
        large.predict_proba(X_test * 1000 + 5)[0],
        atol=1e-3,
    )


def test_empty_layer_sizes_give_a_linear_model(one_hot):
    X, Y, _, _ = one_hot
    clf = small_classifier(hidden_layer_sizes=(), head_layer_sizes=(), max_epochs=1)
    clf.fit(X[:200], Y[:200])
    n_weights = sum(p.numel() for p in clf.net_.module_.parameters())
    n_features, n_classes = X.shape[1], sum(len(c) for c in clf.classes_)
    assert n_weights == n_features * n_classes + n_classes


def test_early_stopping_ends_n_iter_no_change_epochs_after_the_best_score(one_hot):
    """The validation score, not the loss, decides when training stops."""
    X, Y, _, _ = one_hot
    model = small_classifier(max_epochs=60, n_iter_no_change=3, lr=3e-2).fit(X, Y)
    scores = np.array(model.history_[:, "valid_acc"])
    assert len(scores) < 60
    best_epoch = int(np.flatnonzero(scores >= scores.max() - 1e-4)[0])
    assert len(scores) - 1 - best_epoch == 3


def test_dropout_acts_in_training_only(one_hot):
    X, Y, X_test, _ = one_hot
    model = small_classifier(dropout=0.5).fit(X, Y)
    assert not model.net_.module_.training
    np.testing.assert_array_equal(
        model.predict_proba(X_test)[0], model.predict_proba(X_test)[0]
    )


def test_label_smoothing_keeps_the_network_from_certainty(one_hot):
    """The loss is lowest where the right class has 1 - s + s/k of the
    probability: 0.75 for s = 0.5 over the 2 classes of a comparison."""
    X, Y, X_test, _ = one_hot
    Y = Y[["greater"]]
    params = {"max_epochs": 20, "lr": 3e-3, "dropout": 0.0}
    sure = small_classifier(**params, label_smoothing=0.0).fit(X, Y)
    smoothed = small_classifier(**params, label_smoothing=0.5).fit(X, Y)
    assert sure.predict_proba(X_test)[0].max(axis=1).mean() > 0.9
    assert smoothed.predict_proba(X_test)[0].max(axis=1).mean() < 0.8


def test_no_dropout_builds_no_dropout_layer(one_hot):
    X, Y, _, _ = one_hot
    model = small_classifier(dropout=0.0).fit(X, Y)
    layers = [type(layer).__name__ for layer in model.net_.module_.modules()]
    assert "Dropout" not in layers
    assert "Dropout" in [
        type(layer).__name__
        for layer in small_classifier(dropout=0.1).fit(X, Y).net_.module_.modules()
    ]


@pytest.mark.parametrize(
    ("make_y", "error", "message"),
    [
        (lambda Y: Y + 0.5, ValueError, "Unknown label type: continuous"),
        (lambda Y: Y.astype(float).mask(Y == 0), ValueError, "y contains NaN"),
        (lambda Y: Y.astype(object).mask(Y == 0, "seven"), TypeError, "mixes strings"),
        (lambda Y: Y.to_numpy()[:, :, np.newaxis], ValueError, "dim 3"),
    ],
    ids=["continuous", "nan", "strings-and-numbers", "3d"],
)
def test_fit_refuses_labels_that_are_not_classes(one_hot, make_y, error, message):
    X, Y, _, _ = one_hot
    with pytest.raises(error, match=message):
        small_classifier().fit(X[:100], make_y(Y[:100]))


# With an encoder: rows of images, through a copy of the encoder's network


@pytest.fixture(scope="module", params=["autoencoder", "pca"])
def encoder(request, digits):
    """An encoder fitted on single 8x8 images."""
    if request.param == "pca":
        return PCAEncoder(n_components=8, image_shape=(8, 8)).fit(digits[0])
    return AutoencoderTransformer(
        n_components=8, image_shape=(8, 8), max_epochs=2, random_state=0
    ).fit(digits[0])


def _weights(module):
    return [p.detach().numpy().copy() for p in module.parameters()]


def test_fine_tunes_a_copy_of_the_encoder_and_leaves_the_encoder_alone(encoder, pairs):
    X, Y, X_eval, Y_eval = pairs
    codes = encoder.transform(X_eval)
    original = _weights(encoder.torch_encoder())
    clf = small_classifier(encoder=encoder, max_epochs=2).fit(X[:1000], Y[:1000])
    assert clf.encoder_ is encoder
    assert clf.predict(X_eval).shape == Y_eval.shape
    np.testing.assert_array_equal(encoder.transform(X_eval), codes)
    fine_tuned = _weights(clf.net_.module_.encoder)
    assert [w.shape for w in fine_tuned] == [w.shape for w in original]
    assert not all(np.allclose(a, b) for a, b in zip(fine_tuned, original, strict=True))


def test_a_frozen_encoder_keeps_its_weights(encoder, pairs):
    X, Y, _, _ = pairs
    clf = small_classifier(encoder=encoder, freeze_encoder=True, max_epochs=2)
    clf.fit(X[:1000], Y[:1000])
    frozen = _weights(clf.net_.module_.encoder)
    for a, b in zip(frozen, _weights(encoder.torch_encoder()), strict=True):
        np.testing.assert_array_equal(a, b)


def test_an_unfitted_encoder_is_fitted_on_the_images_first(encoder, pairs):
    X, Y, _, _ = pairs
    unfitted = clone(encoder)
    clf = small_classifier(encoder=unfitted, max_epochs=1).fit(X[:500], Y[:500])
    assert clf.encoder_ is not unfitted
    assert clf.encoder_.n_features_in_ == X.shape[1]
    assert not hasattr(unfitted, "n_features_in_")


def test_a_warm_start_continues_the_encoder_fitted_at_the_first_fit(encoder, pairs):
    X, Y, _, _ = pairs
    clf = small_classifier(encoder=clone(encoder), max_epochs=1, warm_start=True)
    first = clf.fit(X[:500], Y[:500]).encoder_
    clf.fit(X[:500], Y[:500])
    assert clf.encoder_ is first
    assert len(clf.history_) == 2


def test_model_selection_refits_a_pre_trained_encoder_unless_it_is_frozen(
    encoder, pairs
):
    X, Y, _, _ = pairs
    frozen = FrozenEstimator(encoder)
    for given, kept in [(encoder, False), (frozen, True)]:
        clf = small_classifier(encoder=given, max_epochs=1)
        result = cross_validate(clf, X[:400], Y[:400], cv=2, return_estimator=True)
        for fold in result["estimator"]:
            assert (fold.encoder_ is frozen) == kept
            assert (fold.encoder_.n_features_in_ == X.shape[1]) != kept


def test_the_encoder_must_be_an_autoencoder_or_a_pca_encoder(one_hot):
    X, Y, _, _ = one_hot
    with pytest.raises(TypeError, match="encoder must be an AutoencoderTransformer"):
        small_classifier(encoder=PCA()).fit(X, Y)
