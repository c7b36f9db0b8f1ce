"""Comparing encoders in a grid search: each encoder fitted once per split,
thanks to the Pipeline's cache (``sklarith compare`` is tested with the other
experiments)."""

import collections

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from sklarith import ArithmeticMultiOutputClassifier, AutoencoderTransformer, PCAEncoder


@pytest.fixture
def fit_counts(monkeypatch):
    """Count the fits of each encoder class, cached ones excepted."""
    counts = collections.Counter()
    for cls in (AutoencoderTransformer, PCAEncoder):
        # Both fit and fit_transform (a Pipeline's call) train here.
        def counting_fit(self, images, _fit=cls._fit_distinct_images):
            counts[type(self).__name__] += 1
            return _fit(self, images)

        monkeypatch.setattr(cls, "_fit_distinct_images", counting_fit)
    return counts


def encoders():
    return [
        AutoencoderTransformer(
            n_components=8, image_shape=(8, 8), max_epochs=2, random_state=0
        ),
        PCAEncoder(n_components=8, image_shape=(8, 8)),
    ]


def cached_pipeline(folder):
    classifier = ArithmeticMultiOutputClassifier(
        hidden_layer_sizes=(16,), head_layer_sizes=(8,), max_epochs=1, random_state=0
    )
    memory = joblib.Memory(folder, verbose=0)
    return Pipeline([("enc", encoders()[1]), ("arith", classifier)], memory=memory)


def test_grid_search_fits_each_encoder_once_per_split(fit_counts, pairs, tmp_path):
    X, Y, _, _ = pairs
    search = GridSearchCV(
        cached_pipeline(tmp_path),
        {"enc": encoders(), "arith__hidden_layer_sizes": [(16,), (32,)]},
        cv=2,
        refit=False,
    ).fit(X[:1000], Y[:1000])
    assert len(search.cv_results_["params"]) == 4
    assert fit_counts == {"AutoencoderTransformer": 2, "PCAEncoder": 2}


def test_second_fit_of_the_same_encoder_on_the_same_data_is_a_cache_hit(
    fit_counts, pairs, tmp_path
):
    X, Y, _, _ = pairs
    first = cached_pipeline(tmp_path).fit(X[:500], Y[:500])
    second = clone(first).set_params(arith__hidden_layer_sizes=(32,))
    second.fit(X[:500], Y[:500])
    assert fit_counts["PCAEncoder"] == 1
    np.testing.assert_array_equal(
        second["enc"].pca_.components_, first["enc"].pca_.components_
    )
    assert second["arith"].net_.module_.trunk[0].out_features == 32


def test_a_different_encoder_setting_is_a_cache_miss(fit_counts, pairs, tmp_path):
    X, Y, _, _ = pairs
    first = cached_pipeline(tmp_path).fit(X[:500], Y[:500])
    clone(first).set_params(enc__n_components=4).fit(X[:500], Y[:500])
    assert fit_counts["PCAEncoder"] == 2
