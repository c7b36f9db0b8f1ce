"""Loading saved models safely: the exact types a genuine file holds.

A fitted sklarith estimator saves with pickle, joblib or skops (see the
:ref:`User Guide <user_guide_persistence>`). skops loads only the types it is
told to trust; :func:`trusted_types` lists exactly those of a genuine file of
a given kind of model, to compare with what a file you did not write holds.
"""

from sklearn.base import clone

from .structures import PairResults

__all__ = ["trusted_types"]


def trusted_types(estimator):
    """The types that skops lists for a file of ``estimator`` once fitted.

    A fitted sklarith model holds its estimators' classes, the types of the
    callbacks and structures it was given (and ``PairResults``, the structure
    of a :class:`~sklarith.DigitArithmeticClassifier` given none), never a
    function. Loading a file with
    exactly these trusted loads a genuine file of such a model, and refuses
    one that names any other type; a prefix such as ``"sklarith."`` would
    trust every function of sklarith.

    Parameters
    ----------
    estimator : estimator instance
        A sklarith estimator, or a Pipeline of them, with the parameters of
        the model expected in the file; fitted or not, it is left as it is.

    Returns
    -------
    types : list of str
        The types' full names, sorted: pass them as ``trusted`` to
        ``skops.io.load``.

    Examples
    --------
    >>> from sklarith import PCAEncoder
    >>> from sklarith.persistence import trusted_types
    >>> trusted_types(PCAEncoder())
    ['sklarith.pca.PCAEncoder']
    """
    # skops is an optional dependency: imported only when it is needed.
    import skops.io as sio

    # A clone has the parameters, and no fitted attribute, of the estimator;
    # a fitted net persists as data, so its fit adds no type but the
    # structure that a structure of None stands for.
    model = clone(estimator)
    types = set(sio.get_untrusted_types(data=sio.dumps(model)))
    if any(
        name.split("__")[-1] == "structure" and value is None
        for name, value in model.get_params(deep=True).items()
    ):
        types.update(sio.get_untrusted_types(data=sio.dumps(PairResults())))
    return sorted(types)
