"""Comparing encoders: cached grid searches and ``sklarith compare``."""

import collections

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from sklarith import (
    ArithmeticMultiOutputClassifier,
    AutoencoderTransformer,
    PCAEncoder,
    cli,
)
from sklarith.cli import compare, demo


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


@pytest.fixture
def tiny_settings(monkeypatch):
    """Shrink the digits settings that compare shares with demo."""
    settings = {
        "autoencoder": {"n_components": 16, "image_shape": (8, 8), "max_epochs": 3},
        "classifier": {"max_epochs": 2, "hidden_layer_sizes": (64,)},
        "n_pairs": 2000,
        "quick": {"n_pairs": 1000, "max_epochs": 1},
    }
    monkeypatch.setitem(demo.DEMO_SETTINGS, "digits", settings)


def test_compare_prints_one_table_of_every_feature_set(tiny_settings, capsys):
    cli.main(["compare", "--data", "digits", "--quiet", "--n-test-pairs", "300"])
    output = capsys.readouterr().out
    table = output[output.index("autoencoder  ") :].splitlines()
    assert table[0].split() == ["autoencoder", "PCA", "raw", "pixels"]
    labels = [line[:24].strip() for line in table[1:12]]
    assert labels == [
        "sum_units",
        "sum_tens",
        "product_units",
        "product_tens",
        "greater",
        "all five",
        "reconstruction BCE",
        "reconstruction MSE",
        "encoder fit",
        "transform test images",
        "classifier fit",
    ]
    assert "2,000 pairs of training images" in output
    assert "300 pairs of the 450 test images" in output


def test_compare_shows_progress_of_each_feature_set(tiny_settings, capsys):
    cli.main(["compare", "--data", "digits", "--quick", "--n-test-pairs", "100"])
    output = capsys.readouterr().out
    assert "[1/3] autoencoder: fitting on the training images" in output
    assert "[3/3] raw pixels: classifier on 1,000 pairs" in output
    assert "train_loss" in output


def test_compare_falls_back_to_the_embedded_digits(tiny_settings, monkeypatch, capsys):
    def offline(**kwargs):
        raise OSError("Could not download MNIST into /nowhere: no network")

    monkeypatch.setattr(demo, "fetch_mnist", offline)
    cli.main(["compare", "--quick", "--quiet", "--n-test-pairs", "100"])
    first_line = capsys.readouterr().out.splitlines()[0]
    assert first_line.startswith("Could not download MNIST")
    assert "embedded 8x8 digits" in first_line


@pytest.mark.parametrize("data", ["mnist", "digits"])
def test_pca_has_the_code_size_and_image_shape_of_the_autoencoder(data):
    encoders = compare.compared_encoders(demo.DEMO_SETTINGS[data])
    autoencoder, pca = encoders["autoencoder"], encoders["PCA"]
    assert pca.n_components == autoencoder.n_components
    assert pca.image_shape == autoencoder.image_shape
    assert encoders["raw pixels"] is None


def test_raw_pixels_have_accuracy_but_no_reconstruction(digits):
    X_train, X_test, y_train, y_test = digits
    classifier = ArithmeticMultiOutputClassifier(
        hidden_layer_sizes=(32,), max_epochs=1, random_state=0
    )
    rows = compare.compare_features(
        {"PCA": PCAEncoder(n_components=8, image_shape=(8, 8)), "raw pixels": None},
        classifier,
        X_train,
        y_train,
        X_test,
        y_test,
        n_pairs=500,
        n_test_pairs=100,
        log=lambda line: None,
    )
    pca, raw = rows
    assert 0 < pca["mse"] < pca["bce"]
    assert raw["bce"] is raw["mse"] is raw["fit_time"] is None
    for row in rows:
        assert set(row["accuracy"]) == {
            "sum_units",
            "sum_tens",
            "product_units",
            "product_tens",
            "greater",
        }
        assert row["all_five"] <= min(row["accuracy"].values())
        assert row["classifier_time"] > 0
