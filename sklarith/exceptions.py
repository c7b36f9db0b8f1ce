"""The exceptions and warnings sklarith raises, beside scikit-learn's.

A fit that cannot go on raises :class:`TrainingDivergedError`; the results
files and the kept models of the experiments raise
:class:`UnreadableResultsError` and warn with :class:`UnreadableFileWarning`.
Each subclasses the builtin that code catching errors of its kind expects
(``ValueError``, ``UserWarning``). scikit-learn's own
(``sklearn.exceptions.NotFittedError``, ``ConvergenceWarning``) keep their
names.
"""

__all__ = [
    "IncompatibleNetError",
    "TrainingDivergedError",
    "UnreadableFileWarning",
    "UnreadableResultsError",
]


class TrainingDivergedError(ValueError):
    """The training loss became NaN or infinite: the weights are lost.

    Raised by ``fit`` at the batch where it happened, naming the learning
    rate to lower, instead of returning a model that predicts NaN.
    """


class IncompatibleNetError(ValueError):
    """A fitted net's weights do not fit the net that should continue them.

    The estimators turn it into a ``ValueError`` that names the parameters
    to restore when ``warm_start=True`` meets a network of another shape.
    """


class UnreadableResultsError(ValueError):
    """A file where a results file should be is not one that sklarith wrote."""


class UnreadableFileWarning(UserWarning):
    """A file sklarith kept could not be read: it was set aside and rebuilt."""
