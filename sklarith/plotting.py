"""Plots of what the estimators learnt; matplotlib is an optional dependency."""

import numbers

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions, validate_params
from sklearn.utils.validation import check_is_fitted


def _import_pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            "Plotting needs matplotlib, which is not installed. Install it with "
            "pip install 'sklarith[plot]' (or pip install matplotlib)."
        ) from exc
    return plt


@validate_params(
    {
        "estimator": [object],
        "max_sum": [Interval(numbers.Integral, 2, None, closed="left")],
        "resolution": [Interval(numbers.Integral, 2, None, closed="left")],
        "kind": [StrOptions({"surface", "heatmap"})],
        "ax": [object, None],
    },
    prefer_skip_nested_validation=True,
)
def plot_error_surface(estimator, *, max_sum, resolution=65, kind="surface", ax=None):
    """Plot the error of a fitted adder over the pairs ``(a, b)`` it adds.

    The error of ``a + b`` is ``|prediction - (a + b)|``, shown for ``a`` and
    ``b`` from 0 to ``max_sum // 2`` (the operands of
    :func:`sklarith.datasets.make_addition`), as a 3-D surface like the seed
    experiment's plots or as a heatmap. A prediction rounds to the right sum
    where the error is below 0.5.

    Parameters
    ----------
    estimator : fitted regressor of two numbers
        Such as :class:`sklarith.MLPAdderRegressor`, fitted on two operands.
    max_sum : int
        Largest sum of the range to show.
    resolution : int, default=65
        Values of each operand on the grid, evenly spaced integers (every
        integer when the range is smaller).
    kind : {"surface", "heatmap"}, default="surface"
        A 3-D surface or a colour map seen from above.
    ax : matplotlib Axes or None, default=None
        Where to draw; a 3-D Axes (``projection="3d"``) for a surface. None
        draws on a new figure.

    Returns
    -------
    ax : matplotlib Axes
        The Axes drawn on.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklarith import MLPAdderRegressor
    >>> from sklarith.datasets import make_addition
    >>> from sklarith.plotting import plot_error_surface
    >>> X, y = make_addition(500, max_sum=16, random_state=0)
    >>> adder = MLPAdderRegressor(random_state=0).fit(X, y)
    >>> ax = plot_error_surface(adder, max_sum=16, kind="heatmap")
    >>> ax.get_xlabel()
    'a'
    """
    check_is_fitted(estimator)
    if getattr(estimator, "n_features_in_", 2) != 2:
        raise ValueError(
            "plot_error_surface shows sums of two numbers; the estimator was "
            f"fitted on {estimator.n_features_in_} operands."
        )
    plt = _import_pyplot()
    operands = np.unique(np.linspace(0, max_sum // 2, resolution).round()).astype(int)
    a, b = np.meshgrid(operands, operands, indexing="xy")
    pairs = np.column_stack([a.ravel(), b.ravel()])
    error = np.abs(estimator.predict(pairs) - pairs.sum(axis=1)).reshape(a.shape)

    if ax is None:
        figure = plt.figure()
        ax = figure.add_subplot(projection="3d" if kind == "surface" else None)
    if kind == "surface":
        if not hasattr(ax, "plot_surface"):
            raise ValueError(
                "kind='surface' draws on a 3-D Axes: pass "
                "ax=figure.add_subplot(projection='3d'), or kind='heatmap'."
            )
        ax.plot_surface(a, b, error, cmap="viridis")
        ax.set_zlabel("error")
    else:
        mesh = ax.pcolormesh(a, b, error, cmap="viridis", shading="nearest")
        ax.figure.colorbar(mesh, ax=ax, label="error")
    ax.set_xlabel("a")
    ax.set_ylabel("b")
    ax.set_title(f"|prediction - (a + b)|, sums up to {max_sum:,}")
    return ax
