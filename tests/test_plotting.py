import sys

import numpy as np
import pytest
from sklearn.dummy import DummyRegressor

from sklarith.datasets import make_addition
from sklarith.plotting import plot_error_surface

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
plt = pytest.importorskip("matplotlib.pyplot")


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def predicts_zero():
    """A fitted regressor of two numbers whose error on a + b is a + b."""
    X, y = make_addition(50, max_sum=16, random_state=0)
    return DummyRegressor(strategy="constant", constant=0).fit(X, y)


def test_heatmap_shows_the_absolute_error_over_the_operands(predicts_zero):
    ax = plot_error_surface(predicts_zero, max_sum=16, kind="heatmap")
    (mesh,) = ax.collections
    errors = np.asarray(mesh.get_array()).reshape(9, 9)
    a, b = np.meshgrid(np.arange(9), np.arange(9))
    np.testing.assert_allclose(errors, a + b)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("a", "b")


def test_surface_is_drawn_on_a_new_3d_axes(predicts_zero):
    ax = plot_error_surface(predicts_zero, max_sum=256, resolution=20)
    assert ax.name == "3d"
    assert len(ax.collections) == 1
    assert "256" in ax.get_title()


def test_large_ranges_are_sampled_at_the_resolution(predicts_zero):
    ax = plot_error_surface(
        predicts_zero, max_sum=65_536, resolution=33, kind="heatmap"
    )
    (mesh,) = ax.collections
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
