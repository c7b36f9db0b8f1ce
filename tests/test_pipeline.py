"""The headline workflow: encoder and arithmetic classifier in one Pipeline."""

import pickle

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from sklarith import ArithmeticMultiOutputClassifier, AutoencoderTransformer


def headline_pipeline(encoder=None):
    encoder = encoder or AutoencoderTransformer(
        n_components=16, image_shape=(8, 8), max_epochs=10, random_state=0
    )
    classifier = ArithmeticMultiOutputClassifier(
        hidden_layer_sizes=(128,),
        head_layer_sizes=(32,),
        max_epochs=12,
        lr=3e-3,
        random_state=0,
    )
    return Pipeline([("enc", encoder), ("arith", classifier)])


@pytest.fixture(scope="module")
def fitted(pairs):
    X, Y, _, _ = pairs
    return headline_pipeline().fit(X, Y)


def test_pipeline_learns_every_output_above_chance(fitted, pairs):
    _, _, X_eval, Y_eval = pairs
    predicted = fitted.predict(X_eval)
    for i, name in enumerate(Y_eval.columns):
        accuracy = np.mean(predicted[:, i] == Y_eval[name])
        majority = Y_eval[name].value_counts(normalize=True).iloc[0]
        assert accuracy > majority + 0.05, name


def test_pipeline_predicts_scores_and_gives_probabilities(fitted, pairs):
    _, _, X_eval, Y_eval = pairs
    assert fitted.predict(X_eval).shape == Y_eval.shape
    proba = fitted.predict_proba(X_eval)
    assert [p.shape[1] for p in proba] == [10, 2, 10, 9, 2]
    subset_accuracy = np.all(fitted.predict(X_eval) == Y_eval.to_numpy(), axis=1)
    assert fitted.score(X_eval, Y_eval) == pytest.approx(subset_accuracy.mean())


def test_frozen_pretrained_encoder_is_not_refitted(pairs, digits):
    X, Y, X_eval, _ = pairs
    encoder = AutoencoderTransformer(
        n_components=16, image_shape=(8, 8), max_epochs=3, random_state=0
    ).fit(digits[0])
    codes = encoder.transform(X_eval)
    pipeline = headline_pipeline(FrozenEstimator(encoder)).fit(X, Y)
    np.testing.assert_array_equal(pipeline[0].transform(X_eval), codes)
    assert pipeline.predict(X_eval).shape == (len(X_eval), 5)


def test_grid_search_over_the_classifier_hidden_layers(pairs, digits):
    X, Y, _, _ = pairs
    encoder = AutoencoderTransformer(
        n_components=16, image_shape=(8, 8), max_epochs=3, random_state=0
    ).fit(digits[0])
    search = GridSearchCV(
        headline_pipeline(FrozenEstimator(encoder)),
        {"arith__hidden_layer_sizes": [(32,), (64,)]},
        cv=2,
    ).fit(X, Y)
    assert search.best_params_["arith__hidden_layer_sizes"] in [(32,), (64,)]
    assert len(search.cv_results_["mean_test_score"]) == 2


def test_clone_of_a_fitted_pipeline_is_unfitted_with_the_same_params(fitted, pairs):
    _, _, X_eval, _ = pairs
    copy = clone(fitted)
    assert copy.get_params()["arith__hidden_layer_sizes"] == (128,)
    with pytest.raises(NotFittedError):
        copy.predict(X_eval)


@pytest.mark.parametrize(
    ("dump", "load"),
    [(pickle.dumps, pickle.loads), (None, None)],
    ids=["pickle", "joblib"],
)
def test_persistence_round_trip_gives_identical_predictions(
    fitted, pairs, tmp_path, dump, load
):
    _, _, X_eval, _ = pairs
    if dump is None:
        joblib.dump(fitted, tmp_path / "pipeline.joblib")
        restored = joblib.load(tmp_path / "pipeline.joblib")
    else:
        restored = load(dump(fitted))
    np.testing.assert_array_equal(restored.predict(X_eval), fitted.predict(X_eval))
    np.testing.assert_array_equal(
        restored.predict_proba(X_eval)[0], fitted.predict_proba(X_eval)[0]
    )


def test_the_headline_pipeline_with_default_settings_runs_on_mnist_images():
    from sklarith.datasets import fetch_mnist, make_arithmetic_pairs
    from sklarith.datasets._mnist import mnist_raw_folder

    if not (mnist_raw_folder() / "t10k-images-idx3-ubyte").exists():
        pytest.skip("MNIST is not in the data home (set SCIKIT_LEARN_DATA)")
    test = fetch_mnist(subset="test", download_if_missing=False)
    X, Y = make_arithmetic_pairs(
        test.data[:300], test.target[:300], n_pairs=400, random_state=0
    )
    pipeline = Pipeline(
        [
            ("enc", AutoencoderTransformer()),
            ("arith", ArithmeticMultiOutputClassifier()),
        ]
    ).fit(X, Y)
    assert pipeline.predict(X[:5]).shape == (5, 5)
    assert len(pipeline.predict_proba(X[:5])) == 5
    assert 0 <= pipeline.score(X, Y) <= 1
