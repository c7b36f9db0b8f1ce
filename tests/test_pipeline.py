"""The headline workflow: encoder and arithmetic classifier in one Pipeline."""

import numpy as np
import pytest
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


def test_pipeline_predicts_each_result_and_its_distribution(fitted, pairs):
    _, _, X_eval, Y_eval = pairs
    assert fitted.predict(X_eval).shape == Y_eval.shape
    proba = fitted.predict_proba(X_eval)
    assert [p.shape for p in proba] == [(len(X_eval), n) for n in [10, 2, 10, 9, 2]]


@pytest.fixture(scope="module")
def pretrained(digits):
    """An autoencoder fitted on single 8x8 images."""
    return AutoencoderTransformer(
        n_components=16, image_shape=(8, 8), max_epochs=3, random_state=0
    ).fit(digits[0])


def test_frozen_pretrained_encoder_is_not_refitted(pairs, pretrained):
    X, Y, X_eval, _ = pairs
    codes = pretrained.transform(X_eval)
    pipeline = headline_pipeline(FrozenEstimator(pretrained))
    pipeline.set_params(arith__max_epochs=1).fit(X[:1000], Y[:1000])
    np.testing.assert_array_equal(pipeline[0].transform(X_eval), codes)
    np.testing.assert_array_equal(pretrained.transform(X_eval), codes)


def test_grid_search_refits_the_classifier_of_the_best_hidden_layers(pairs, pretrained):
    X, Y, X_eval, _ = pairs
    codes = pretrained.transform(X_eval)
    search = GridSearchCV(
        headline_pipeline(FrozenEstimator(pretrained)).set_params(arith__max_epochs=2),
        {"arith__hidden_layer_sizes": [(8,), (64,)]},
        cv=2,
    ).fit(X[:1000], Y[:1000])
    scores = search.cv_results_["mean_test_score"]
    best = [(8,), (64,)][int(np.argmax(scores))]
    assert search.best_params_ == {"arith__hidden_layer_sizes": best}
    assert search.best_estimator_["arith"].hidden_layer_sizes == best
    np.testing.assert_array_equal(search.best_estimator_[0].transform(X_eval), codes)


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
            ("enc", AutoencoderTransformer(random_state=0)),
            ("arith", ArithmeticMultiOutputClassifier(random_state=0)),
        ]
    ).fit(X, Y)
    # 28x28 images and 100 codes per image by default.
    assert pipeline[0].transform(X[:5]).shape == (5, 200)
    assert pipeline.predict(X[:5]).shape == (5, 5)
    # Training as long as early stopping allows, 400 pairs learn which digit
    # is the greater.
    greater = pipeline.predict(X)[:, -1] == Y["greater"]
    assert greater.mean() > Y["greater"].value_counts(normalize=True).max() + 0.05
