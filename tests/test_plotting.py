import itertools
import sys

import numpy as np
import pytest
from sklearn.base import BaseEstimator
from sklearn.dummy import DummyRegressor
from sklearn.pipeline import Pipeline
from skorch.history import History

from sklarith import (
    ArithmeticMultiOutputClassifier,
    AutoencoderTransformer,
    MLPAdderRegressor,
    PCAEncoder,
)
from sklarith.datasets import make_addition, make_arithmetic_pairs
from sklarith.plotting import (
    plot_error_surface,
    plot_predicted_arithmetic,
    plot_reconstructions,
    plot_training_curves,
)

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
plt = pytest.importorskip("matplotlib.pyplot")
QuadMesh = pytest.importorskip("matplotlib.collections").QuadMesh


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def predicts_zero():
    """A fitted regressor of two numbers whose error on a + b is a + b."""
    X, y = make_addition(50, max_sum=16, random_state=0)
    return DummyRegressor(strategy="constant", constant=0).fit(X, y)


def _meshes(ax):
    """The colour maps of an Axes, without the contour lines drawn on them."""
    return [c for c in ax.collections if isinstance(c, QuadMesh)]


def test_heatmap_shows_the_absolute_error_over_the_operands(predicts_zero):
    ax = plot_error_surface(predicts_zero, max_sum=16, kind="heatmap")
    (mesh,) = _meshes(ax)
    errors = np.asarray(mesh.get_array()).reshape(9, 9)
    a, b = np.meshgrid(np.arange(9), np.arange(9))
    np.testing.assert_allclose(errors, a + b)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("a", "b")


def test_surface_is_drawn_on_a_new_3d_axes(predicts_zero):
    ax = plot_error_surface(predicts_zero, max_sum=256, resolution=20)
    assert ax.name == "3d"
    assert len(ax.collections) == 2  # the errors and the rounding limit
    assert "256" in ax.get_title()


def test_large_ranges_are_sampled_at_the_resolution(predicts_zero):
    ax = plot_error_surface(
        predicts_zero, max_sum=65_536, resolution=33, kind="heatmap"
    )
    (mesh,) = _meshes(ax)
    assert np.asarray(mesh.get_array()).size == 33 * 33


def test_draws_on_the_axes_given(predicts_zero):
    _, ax = plt.subplots()
    assert plot_error_surface(predicts_zero, max_sum=16, kind="heatmap", ax=ax) is ax


def test_surface_on_a_flat_axes_is_refused(predicts_zero):
    _, ax = plt.subplots()
    with pytest.raises(ValueError, match="3-D Axes"):
        plot_error_surface(predicts_zero, max_sum=16, ax=ax)


def test_estimator_of_three_operands_is_refused():
    X, y = make_addition(20, max_sum=30, n_operands=3, random_state=0)
    regressor = DummyRegressor().fit(X, y)
    with pytest.raises(ValueError, match="sums of two numbers"):
        plot_error_surface(regressor, max_sum=30)


def test_missing_matplotlib_is_reported_with_the_install_command(
    predicts_zero, monkeypatch
):
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"pip install 'sklarith\[plot\]'"):
        plot_error_surface(predicts_zero, max_sum=16)


class _ConstantPairs(BaseEstimator):
    """A model of pairs that always predicts the same results."""

    def __init__(self, row):
        self.row = row

    def fit(self, X=None, y=None):
        self.row_ = np.asarray(self.row)
        return self

    def predict(self, X):
        return np.tile(self.row_, (len(X), 1))


@pytest.fixture(scope="module")
def pca(digits):
    X_train, *_ = digits
    return PCAEncoder(n_components=4, image_shape=(8, 8)).fit(X_train)


@pytest.fixture(scope="module")
def pair_classifier(digits):
    """A tiny pipeline of pairs, fitted for two epochs."""
    X_train, _, y_train, _ = digits
    X, Y = make_arithmetic_pairs(X_train, y_train, n_pairs=300, random_state=0)
    pipe = Pipeline(
        [
            ("enc", PCAEncoder(n_components=8, image_shape=(8, 8))),
            (
                "arith",
                ArithmeticMultiOutputClassifier(
                    hidden_layer_sizes=(16,), max_epochs=2, random_state=0
                ),
            ),
        ]
    )
    return pipe.fit(X, Y), X, Y


def test_reconstructions_show_originals_above_reconstructions(pca, digits):
    images = digits[1][:3]
    ax = plot_reconstructions(pca, images, n_images=3)
    (picture,) = ax.get_images()
    montage = np.asarray(picture.get_array())
    reconstructed = pca.inverse_transform(pca.transform(images))
    assert montage.shape == (8 + 1 + 8, 3 * 9 - 1)
    for i in range(3):
        columns = slice(9 * i, 9 * i + 8)
        np.testing.assert_allclose(montage[:8, columns], images[i].reshape(8, 8))
        np.testing.assert_allclose(
            montage[9:, columns], reconstructed[i].reshape(8, 8), rtol=1e-6
        )
    labels = [label.get_text() for label in ax.get_yticklabels()]
    assert labels == ["original", "reconstructed"]


def test_reconstructions_split_pairs_into_images(pca, pairs):
    X = pairs[0]
    ax = plot_reconstructions(pca, X[:2], n_images=3)
    (picture,) = ax.get_images()
    np.testing.assert_allclose(
        np.asarray(picture.get_array())[:8, 18:26], X[1, :64].reshape(8, 8)
    )


def test_reconstructions_of_an_autoencoder(digits):
    X_train, *_ = digits
    encoder = AutoencoderTransformer(
        n_components=4, image_shape=(8, 8), max_epochs=1, random_state=0
    ).fit(X_train[:100])
    ax = plot_reconstructions(encoder, X_train[:5], n_images=5)
    assert np.asarray(ax.get_images()[0].get_array()).shape == (17, 44)


def test_reconstructions_refuse_images_of_another_size(pca):
    with pytest.raises(ValueError, match="whole number of the encoder's 8x8"):
        plot_reconstructions(pca, np.zeros((2, 70)))


def test_reconstructions_refuse_an_encoder_without_images():
    regressor = DummyRegressor().fit(np.zeros((3, 2)), np.zeros(3))
    regressor.inverse_transform = regressor.transform = lambda X: X
    with pytest.raises(TypeError, match="needs an encoder of images"):
        plot_reconstructions(regressor, np.zeros((2, 64)))


def test_predicted_arithmetic_draws_one_panel_per_pair(pair_classifier):
    pipe, X, Y = pair_classifier
    axes = plot_predicted_arithmetic(pipe, X, Y, image_shape=(8, 8), n_rows=2)
    assert axes.shape == (2, 4)
    for i, ax in enumerate(axes.flat):
        (picture,) = ax.get_images()
        pair = np.asarray(picture.get_array())
        np.testing.assert_allclose(pair[:, :8], X[i, :64].reshape(8, 8))
        np.testing.assert_allclose(pair[:, 9:], X[i, 64:].reshape(8, 8))


def test_wrong_predictions_have_red_titles_with_the_right_results(pairs):
    X, Y = pairs[0][:3], pairs[1][:3].copy()
    # Predicts 3 + 4 = 7, 3 × 4 = 12, 3 ≤ 4 for every pair.
    model = _ConstantPairs([7, 0, 2, 1, 0]).fit()
    Y.iloc[0] = [7, 0, 2, 1, 0]
    Y.iloc[1] = [5, 1, 2, 1, 0]
    Y.iloc[2] = [7, 0, 2, 1, 1]
    axes = plot_predicted_arithmetic(model, X, Y, image_shape=(8, 8), n_rows=1)
    titles = [ax.get_title() for ax in axes.flat[:3]]
    colours = [ax.title.get_color() for ax in axes.flat[:3]]
    assert titles == [
        "a+b=7 a×b=12 a≤b",
        "a+b=7 [15] a×b=12 a≤b",
        "a+b=7 a×b=12 a≤b [a>b]",
    ]
    assert colours == ["black", "red", "red"]


def test_predicted_arithmetic_without_truth_marks_nothing(pairs):
    X = pairs[0]
    model = _ConstantPairs([7, 0, 2, 1, 0]).fit()
    axes = plot_predicted_arithmetic(model, X, image_shape=(8, 8), n_rows=1)
    assert {ax.title.get_color() for ax in axes.flat} == {"black"}
    assert axes[0, 0].get_title() == "a+b=7 a×b=12 a≤b"


def test_predicted_arithmetic_names_other_targets_as_given(pairs):
    model = _ConstantPairs([9, 3]).fit()
    axes = plot_predicted_arithmetic(
        model,
        pairs[0],
        image_shape=(8, 8),
        n_rows=1,
        n_cols=1,
        target_names=["sum", "difference"],
    )
    assert axes[0, 0].get_title() == "a+b=9 difference=3"


def test_predicted_arithmetic_hides_panels_without_a_pair(pairs):
    model = _ConstantPairs([7, 0, 2, 1, 0]).fit()
    axes = plot_predicted_arithmetic(model, pairs[0][:5], image_shape=(8, 8))
    assert sum(bool(ax.get_images()) for ax in axes.flat) == 5


def test_predicted_arithmetic_draws_on_the_axes_given(pairs):
    _, given = plt.subplots(2, 2)
    model = _ConstantPairs([7, 0, 2, 1, 0]).fit()
    axes = plot_predicted_arithmetic(
        model, pairs[0], image_shape=(8, 8), n_rows=2, n_cols=2, ax=given
    )
    assert all(a is b for a, b in zip(axes.flat, given.flat, strict=True))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"image_shape": (28, 28)}, "pairs of 28x28 images have 1568"),
        ({"image_shape": (8, 8), "target_names": ["sum"]}, "target_names names 1"),
        ({"image_shape": (8, 8), "n_rows": 3, "ax": [None]}, "holds 1 Axes"),
    ],
)
def test_predicted_arithmetic_refuses_inconsistent_input(pairs, kwargs, message):
    model = _ConstantPairs([7, 0, 2, 1, 0]).fit()
    with pytest.raises(ValueError, match=message):
        plot_predicted_arithmetic(model, pairs[0], **kwargs)


def test_predicted_arithmetic_refuses_truth_of_another_shape(pairs):
    model = _ConstantPairs([7, 0, 2, 1, 0]).fit()
    X, Y = pairs[0], pairs[1]
    with pytest.raises(ValueError, match="predicts 5 results per pair"):
        plot_predicted_arithmetic(model, X, Y.iloc[:, :2], image_shape=(8, 8))


def test_training_curves_follow_the_history_of_a_pipeline(pair_classifier):
    pipe = pair_classifier[0]
    history = pipe[-1].history_
    ax_loss, ax_accuracy = plot_training_curves(pipe)
    lines = {line.get_label(): line for line in ax_loss.get_lines()}
    np.testing.assert_allclose(lines["training loss"].get_xdata(), [1, 2])
    np.testing.assert_allclose(
        lines["training loss"].get_ydata(), history[:, "train_loss"]
    )
    np.testing.assert_allclose(
        lines["validation loss"].get_ydata(), history[:, "valid_loss"]
    )
    (accuracy,) = ax_accuracy.get_lines()
    np.testing.assert_allclose(accuracy.get_ydata(), history[:, "valid_acc"])


def test_training_curves_without_validation_show_the_training_loss_only():
    X, y = make_addition(100, max_sum=16, random_state=0)
    adder = MLPAdderRegressor(max_epochs=3, early_stopping=False, random_state=0)
    (ax,) = plot_training_curves(adder.fit(X, y))
    assert [line.get_label() for line in ax.get_lines()] == ["training loss"]


def test_training_curves_refuse_an_estimator_without_history(pca):
    with pytest.raises(TypeError, match="PCAEncoder has none"):
        plot_training_curves(pca)


def test_heatmap_marks_the_rounding_limit(predicts_zero):
    ax = plot_error_surface(predicts_zero, max_sum=16, kind="heatmap")
    (contour,) = [c for c in ax.collections if hasattr(c, "levels")]
    np.testing.assert_allclose(contour.levels, [0.5])
    colorbar_axes = ax.figure.axes[-1]
    assert [line.get_ydata()[0] for line in colorbar_axes.get_lines()] == [0.5]


def test_surface_marks_the_rounding_limit_with_a_plane(predicts_zero):
    ax = plot_error_surface(predicts_zero, max_sum=16)
    _, plane = ax.collections
    legend = ax.get_legend()
    (entry,) = legend.get_texts()
    (handle,) = legend.legend_handles
    assert "0.5" in entry.get_text()
    np.testing.assert_allclose(plane.get_facecolor()[0], handle.get_facecolor())


class _FittedHistory(BaseEstimator):
    """A fitted network estimator whose history holds the losses given."""

    def __init__(self, losses, accuracies=None):
        self.losses = losses
        self.accuracies = accuracies

    def fit(self, X=None, y=None):
        self.history_ = History()
        for epoch, loss in enumerate(self.losses, start=1):
            self.history_.new_epoch()
            self.history_.record("epoch", epoch)
            self.history_.record("train_loss", loss)
            if self.accuracies is not None:
                self.history_.record("valid_acc", self.accuracies[epoch - 1])
        return self


def _visible_tick_labels(axis):
    """Boxes of the tick labels drawn inside the axis' view."""
    axis.figure.canvas.draw()
    low, high = sorted(axis.get_view_interval())
    ticks = axis.get_major_ticks() + axis.get_minor_ticks()
    return [
        tick.label1.get_window_extent()
        for tick in ticks
        if tick.label1.get_visible()
        and tick.label1.get_text()
        and low <= tick.get_loc() <= high
    ]


@pytest.mark.parametrize(
    "losses",
    [
        np.geomspace(2.3, 0.05, 20),
        np.geomspace(0.9, 0.08, 20),
        np.geomspace(10, 1e-4, 20),
    ],
    ids=["under two decades", "one decade", "five decades"],
)
def test_log_scale_tick_labels_do_not_overlap(losses):
    (ax,) = plot_training_curves(_FittedHistory(losses).fit())
    assert ax.get_yscale() == "log"
    boxes = sorted(_visible_tick_labels(ax.yaxis), key=lambda box: box.y0)
    assert len(boxes) >= 2
    for below, above in itertools.pairwise(boxes):
        assert above.y0 > below.y1


def test_accuracy_axis_stays_within_zero_and_one():
    history = _FittedHistory([3.0, 2.0, 1.5], accuracies=[0.0, 0.0, 1.0]).fit()
    _, ax_accuracy = plot_training_curves(history)
    low, high = ax_accuracy.get_ylim()
    assert (low, high) == (0.0, 1.0)


def test_training_curves_legend_lies_outside_the_plot(pair_classifier):
    ax_loss, _ = plot_training_curves(pair_classifier[0])
    ax_loss.figure.canvas.draw()
    legend = ax_loss.get_legend().get_window_extent()
    plot = ax_loss.get_window_extent()
    title = ax_loss.title.get_window_extent()
    assert plot.y1 <= legend.y0
    assert legend.y1 <= title.y0
