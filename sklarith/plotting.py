"""Plots of what the estimators learnt; matplotlib is an optional dependency."""

import numbers

import numpy as np
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    StrOptions,
    validate_params,
)
from sklearn.utils.validation import check_array, check_is_fitted

from .structures import ARITHMETIC_TARGETS
from .utils._validation import check_image_shape


def _import_pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            "Plotting needs matplotlib, which is not installed. Install it with "
            "pip install 'sklarith[plot]' (or pip install matplotlib)."
        ) from exc
    return plt


#: A prediction of a sum is right when it rounds to the sum: when its error is
#: below this.
_ROUNDING_LIMIT = 0.5
_ROUNDING_LABEL = f"error {_ROUNDING_LIMIT}: below it, rounds to the sum"


def _rounding_limit_patch():
    """The legend entry of the plane at the rounding limit."""
    from matplotlib.patches import Patch

    return Patch(color="tab:red", alpha=0.3, label=_ROUNDING_LABEL)


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
    where the error is below 0.5: a red plane marks that level on the
    surface, a red contour and a red line on the colour bar on the heatmap.

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
        # Below the plane, the prediction rounds to the right sum.
        ax.plot_surface(
            a,
            b,
            np.full(a.shape, _ROUNDING_LIMIT),
            color="tab:red",
            alpha=0.3,
            shade=False,
        )
        ax.set_zlabel("error")
        ax.legend(handles=[_rounding_limit_patch()], loc="upper left")
    else:
        mesh = ax.pcolormesh(a, b, error, cmap="viridis", shading="nearest")
        colorbar = ax.figure.colorbar(
            mesh, ax=ax, label=f"error (red: {_ROUNDING_LIMIT}, the rounding limit)"
        )
        # Inside the contour the prediction rounds to the right sum; where
        # every error is on one side, the colour bar still shows the limit.
        ax.contour(a, b, error, levels=[_ROUNDING_LIMIT], colors="tab:red")
        colorbar.ax.axhline(_ROUNDING_LIMIT, color="tab:red", linewidth=2)
    ax.set_xlabel("a")
    ax.set_ylabel("b")
    ax.set_title(f"|prediction - (a + b)|, sums up to {max_sum:,}")
    return ax


def _montage(images, image_shape, gap=1):
    """Images side by side in one array, separated by ``gap`` columns of NaN
    (drawn in the background colour)."""
    height, width = image_shape
    n_images = len(images)
    montage = np.full((height, n_images * (width + gap) - gap), np.nan)
    for i, image in enumerate(images):
        start = i * (width + gap)
        montage[:, start : start + width] = image.reshape(height, width)
    return montage


@validate_params(
    {
        "encoder": [HasMethods(["transform", "inverse_transform"])],
        "images": ["array-like"],
        "n_images": [Interval(numbers.Integral, 1, None, closed="left")],
        "ax": [object, None],
    },
    prefer_skip_nested_validation=True,
)
def plot_reconstructions(encoder, images, *, n_images=8, ax=None):
    """Show images above their reconstruction by a fitted encoder.

    Each image is encoded with ``transform`` and drawn again from its code
    with ``inverse_transform``: what the reconstructions lose is what the
    codes do not keep.

    Parameters
    ----------
    encoder : fitted AutoencoderTransformer or PCAEncoder
        An encoder of images with ``image_shape_`` and ``inverse_transform``.
    images : array-like of shape (n_samples, k * height * width)
        Rows of one or several flattened images of the encoder's
        ``image_shape``, such as pairs; the first ``n_images`` images are
        shown.
    n_images : int, default=8
        Number of images to show.
    ax : matplotlib Axes or None, default=None
        Where to draw; None draws on a new figure.

    Returns
    -------
    ax : matplotlib Axes
        The Axes drawn on: one image whose top row holds the originals and
        whose bottom row holds their reconstructions.

    See Also
    --------
    sklarith.metrics.reconstruction_bce : The reconstruction error as a number.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklarith import PCAEncoder
    >>> from sklarith.datasets import load_digit_images
    >>> from sklarith.plotting import plot_reconstructions
    >>> digits = load_digit_images()
    >>> encoder = PCAEncoder(n_components=8, image_shape=(8, 8)).fit(digits.data)
    >>> ax = plot_reconstructions(encoder, digits.data, n_images=5)
    >>> [label.get_text() for label in ax.get_yticklabels()]
    ['original', 'reconstructed']
    """
    check_is_fitted(encoder)
    image_shape = getattr(encoder, "image_shape_", None)
    if image_shape is None:
        raise TypeError(
            "plot_reconstructions needs an encoder of images, such as an "
            f"AutoencoderTransformer or a PCAEncoder; got {type(encoder).__name__}."
        )
    n_pixels = image_shape[0] * image_shape[1]
    images = check_array(images, dtype=np.float32, input_name="images")
    if images.shape[1] % n_pixels:
        raise ValueError(
            f"images has {images.shape[1]} columns, which is not a whole number "
            f"of the encoder's {image_shape[0]}x{image_shape[1]} images "
            f"({n_pixels} pixels each)."
        )
    shown = images.reshape(-1, n_pixels)[:n_images]
    reconstructed = encoder.inverse_transform(encoder.transform(shown))
    plt = _import_pyplot()

    if ax is None:
        _, ax = plt.subplots(
            figsize=(max(3.0, 0.8 * len(shown) + 1), 2.0), layout="constrained"
        )
    height = image_shape[0]
    montage = np.vstack(
        [
            _montage(shown, image_shape),
            np.full((1, len(shown) * (image_shape[1] + 1) - 1), np.nan),
            _montage(reconstructed, image_shape),
        ]
    )
    ax.imshow(
        montage,
        cmap="gray_r",
        vmin=encoder.data_min_,
        vmax=encoder.data_max_,
        interpolation="nearest",
    )
    ax.set_xticks([])
    ax.set_yticks([(height - 1) / 2, height + 1 + (height - 1) / 2])
    ax.set_yticklabels(["original", "reconstructed"])
    ax.tick_params(left=False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_title(f"{type(encoder).__name__}, {encoder.n_components} codes per image")
    return ax


#: How :func:`plot_predicted_arithmetic` writes each result: pairs of units and
#: tens columns make one number.
_NUMBER_COLUMNS = {"sum": "a+b", "product": "a×b"}


def _describe_results(names, values):
    """``["a+b=14", "a×b=48", "a>b"]`` from the named results of one pair."""
    values = dict(zip(names, values, strict=True))
    parts = []
    for stem, symbol in _NUMBER_COLUMNS.items():
        if stem in values:
            parts.append((f"{symbol}=", values.pop(stem)))
        elif f"{stem}_units" in values and f"{stem}_tens" in values:
            number = 10 * values.pop(f"{stem}_tens") + values.pop(f"{stem}_units")
            parts.append((f"{symbol}=", number))
    if "greater" in values:
        parts.append(("a>b" if values.pop("greater") else "a≤b", None))
    parts.extend((f"{name}=", value) for name, value in values.items())
    return parts


def _result_labels(names, predicted, expected):
    """One title per pair, and whether any of its results is wrong."""
    titles, wrong = [], []
    for i, row in enumerate(predicted):
        parts = _describe_results(names, row)
        if expected is None:
            titles.append(" ".join(f"{k}{'' if v is None else v}" for k, v in parts))
            wrong.append(False)
            continue
        truth = _describe_results(names, expected[i])
        words = []
        for (key, value), (true_key, true_value) in zip(parts, truth, strict=True):
            shown = f"{key}{'' if value is None else value}"
            if (key, value) != (true_key, true_value):
                correct = true_key if true_value is None else true_value
                shown += f" [{correct}]"
            words.append(shown)
        titles.append(" ".join(words))
        wrong.append(bool(np.any(row != expected[i])))
    return titles, wrong


@validate_params(
    {
        "estimator": [HasMethods(["predict"])],
        "X": ["array-like"],
        "y": ["array-like", None],
        "image_shape": [tuple, list],
        "n_rows": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_cols": [Interval(numbers.Integral, 1, None, closed="left")],
        "target_names": [list, tuple, None],
        "ax": ["array-like", None],
    },
    prefer_skip_nested_validation=True,
)
def plot_predicted_arithmetic(
    estimator,
    X,
    y=None,
    *,
    image_shape,
    n_rows=6,
    n_cols=4,
    target_names=None,
    ax=None,
):
    """Show pairs of digit images with the results a model predicts for them.

    Each panel shows the two images of a pair side by side, titled with the
    predicted results: ``a+b=14 a×b=48 a>b`` (units and tens columns are
    read together as one number). When the true results ``y`` are given, a
    wrong panel has a red title and each wrong result is followed by the
    right one in brackets.

    Parameters
    ----------
    estimator : fitted classifier of pairs
        Such as a :class:`~sklearn.pipeline.Pipeline` ending in
        :class:`~sklarith.ArithmeticMultiOutputClassifier`, or the classifier
        itself with an ``encoder``: anything whose ``predict`` takes rows of
        two images.
    X : array-like of shape (n_samples, 2 * height * width)
        Pairs of flattened images, as made by
        :func:`~sklarith.datasets.make_arithmetic_pairs`; the first
        ``n_rows * n_cols`` pairs are shown.
    y : array-like of shape (n_samples, n_outputs) or None, default=None
        The true results, to mark the wrong predictions.
    image_shape : tuple of int
        ``(height, width)`` of each image, such as ``(8, 8)`` or ``(28, 28)``.
    n_rows, n_cols : int, default=6 and 4
        Shape of the grid of pairs.
    target_names : list of str or None, default=None
        Names of the predicted columns, as in ``make_arithmetic_pairs``'s
        ``targets``. None takes the columns of ``y`` when it is a DataFrame,
        and otherwise the arithmetic experiment's five
        (:data:`~sklarith.structures.ARITHMETIC_TARGETS`), the default
        ``targets`` of :func:`~sklarith.datasets.make_arithmetic_pairs`.
    ax : array-like of matplotlib Axes or None, default=None
        ``n_rows * n_cols`` Axes to draw on, such as those of
        ``plt.subplots(n_rows, n_cols)``; None draws on a new figure.

    Returns
    -------
    axes : ndarray of matplotlib Axes of shape (n_rows, n_cols)
        The Axes drawn on; those left without a pair are hidden.

    See Also
    --------
    sklarith.datasets.make_arithmetic_pairs : Pairs of images labelled with
        results.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklarith import ArithmeticMultiOutputClassifier
    >>> from sklarith.datasets import load_digit_images, make_arithmetic_pairs
    >>> from sklarith.plotting import plot_predicted_arithmetic
    >>> digits = load_digit_images()
    >>> X, Y = make_arithmetic_pairs(
    ...     digits.data, digits.target, n_pairs=500, random_state=0
    ... )
    >>> clf = ArithmeticMultiOutputClassifier(
    ...     hidden_layer_sizes=(32,), max_epochs=2, random_state=0
    ... ).fit(X, Y)
    >>> axes = plot_predicted_arithmetic(
    ...     clf, X, Y, image_shape=(8, 8), n_rows=2, n_cols=3
    ... )
    >>> axes.shape
    (2, 3)
    """
    check_is_fitted(estimator)
    height, width = check_image_shape(image_shape)
    X = check_array(X, dtype=np.float32, input_name="X")
    n_pixels = height * width
    if X.shape[1] != 2 * n_pixels:
        raise ValueError(
            f"X has {X.shape[1]} columns, but pairs of {height}x{width} images "
            f"have {2 * n_pixels}: pass the image_shape of your images, e.g. "
            "image_shape=(8, 8) for load_digit_images()."
        )
    n_shown = min(len(X), n_rows * n_cols)
    if target_names is None:
        target_names = list(getattr(y, "columns", ARITHMETIC_TARGETS))
    predicted = np.asarray(estimator.predict(X[:n_shown]))
    predicted = predicted.reshape(n_shown, -1)
    expected = None
    if y is not None:
        expected = np.asarray(y)
        expected = expected.reshape(len(expected), -1)
        if len(expected) != len(X) or expected.shape[1] != predicted.shape[1]:
            raise ValueError(
                f"y has shape {np.shape(y)}, but X has {len(X)} pairs and the "
                f"model predicts {predicted.shape[1]} results per pair."
            )
        expected = expected[:n_shown]
    if len(target_names) != predicted.shape[1]:
        raise ValueError(
            f"The model predicts {predicted.shape[1]} results per pair, but "
            f"target_names names {len(target_names)}: pass target_names= with "
            "one name per column of y."
        )
    titles, wrong = _result_labels(list(target_names), predicted, expected)
    plt = _import_pyplot()

    if ax is None:
        _, ax = plt.subplots(
            n_rows,
            n_cols,
            figsize=(2.6 * n_cols, 1.6 * n_rows),
            squeeze=False,
            layout="constrained",
        )
    axes = np.asarray(ax, dtype=object)
    if axes.size != n_rows * n_cols:
        raise ValueError(
            f"ax holds {axes.size} Axes, but a grid of n_rows={n_rows} by "
            f"n_cols={n_cols} needs {n_rows * n_cols}."
        )
    axes = axes.reshape(n_rows, n_cols)
    low, high = float(X[:n_shown].min()), float(X[:n_shown].max())
    for i, panel in enumerate(axes.flat):
        panel.set_axis_off()
        if i >= n_shown:
            continue
        pair = _montage(X[i].reshape(2, n_pixels), (height, width))
        panel.imshow(pair, cmap="gray_r", vmin=low, vmax=high, interpolation="nearest")
        panel.set_title(titles[i], fontsize=9, color="red" if wrong[i] else "black")
    return axes


def _label_log_ticks(axis, decades):
    """Plain numbers (0.05, not 5e-02) on a log axis, few enough not to
    crowd: the powers of ten, and 2 and 5 times them when the data span
    less than two decades."""
    from matplotlib.ticker import FuncFormatter

    def minor(value, position):
        mantissa = round(value / 10 ** np.floor(np.log10(value)))
        return f"{value:g}" if decades < 2 and mantissa in (2, 5) else ""

    axis.set_major_formatter(FuncFormatter(lambda value, position: f"{value:g}"))
    axis.set_minor_formatter(FuncFormatter(minor))


#: Points between the plot and its title, to fit one row of legend entries.
_LEGEND_PAD = 26


def _last_step(estimator):
    """The estimator itself, or the last step of a Pipeline."""
    steps = getattr(estimator, "steps", None)
    return estimator if steps is None else _last_step(steps[-1][1])


@validate_params(
    {"estimator": [object], "ax": [object, None]},
    prefer_skip_nested_validation=True,
)
def plot_training_curves(estimator, ax=None):
    """Plot the losses and the validation accuracy of each training epoch.

    The curves come from the estimator's ``history_`` (skorch's history of
    the fit): the training loss and, with early stopping, the validation loss
    on the left axis, and the validation accuracy (``valid_acc``) on a right
    axis when the estimator records one.

    Parameters
    ----------
    estimator : fitted sklarith network estimator or Pipeline
        :class:`~sklarith.AutoencoderTransformer`,
        :class:`~sklarith.ArithmeticMultiOutputClassifier`,
        :class:`~sklarith.IdentityAdderClassifier` or
        :class:`~sklarith.MLPAdderRegressor`, or a Pipeline whose last step is
        one of them.
    ax : matplotlib Axes or None, default=None
        Where to draw the losses; None draws on a new figure.

    Returns
    -------
    axes : list of matplotlib Axes
        The Axes of the losses and, when the history holds a validation
        accuracy, the twin Axes of the accuracy.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklarith import AutoencoderTransformer
    >>> from sklarith.datasets import load_digit_images
    >>> from sklarith.plotting import plot_training_curves
    >>> digits = load_digit_images()
    >>> encoder = AutoencoderTransformer(
    ...     n_components=8, image_shape=(8, 8), max_epochs=3, random_state=0
    ... ).fit(digits.data[:300])
    >>> (ax,) = plot_training_curves(encoder)
    >>> [line.get_label() for line in ax.get_lines()]
    ['training loss', 'validation loss']
    """
    model = _last_step(estimator)
    check_is_fitted(model)
    history = getattr(model, "history_", None)
    if history is None:
        raise TypeError(
            "plot_training_curves needs a network trained by skorch, whose "
            f"history_ holds the losses of each epoch; {type(model).__name__} "
            "has none (PCAEncoder, for one, is not trained by epochs)."
        )
    plt = _import_pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5), layout="constrained")
    epochs = history[:, "epoch"]
    losses = {"training loss": "train_loss", "validation loss": "valid_loss"}
    curves = {
        label: history[:, key] for label, key in losses.items() if key in history[-1]
    }
    for label, values in curves.items():
        ax.plot(epochs, values, marker=".", label=label)
    # Losses that fall by orders of magnitude read better on a log scale.
    values = np.concatenate([np.asarray(v, dtype=float) for v in curves.values()])
    if values.min() > 0 and values.max() > 10 * values.min():
        ax.set_yscale("log")
        _label_log_ticks(ax.yaxis, np.log10(values.max() / values.min()))
    ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    axes = [ax]
    if "valid_acc" in history[-1]:
        ax_accuracy = ax.twinx()
        # clip_on=False: markers at an accuracy of 0 or 1 show whole.
        ax_accuracy.plot(
            epochs,
            history[:, "valid_acc"],
            marker=".",
            color="tab:green",
            label="validation accuracy",
            clip_on=False,
        )
        # An accuracy lies in [0, 1]: the axis never shows what cannot be.
        low, high = ax_accuracy.get_ylim()
        ax_accuracy.set_ylim(max(low, 0.0), min(high, 1.0))
        ax_accuracy.set_ylabel("validation accuracy")
        axes.append(ax_accuracy)
    # The legend sits above the plot, below the title, where no curve runs.
    handles = [line for a in axes for line in a.get_lines()]
    ax.legend(
        handles,
        [line.get_label() for line in handles],
        loc="lower center",
        bbox_to_anchor=(0.5, 1.0),
        ncols=len(handles),
        frameon=False,
        fontsize="small",
    )
    ax.set_title(f"{type(model).__name__}, training", pad=_LEGEND_PAD)
    return axes
