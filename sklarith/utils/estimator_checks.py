"""The small estimators that sklarith's common tests run scikit-learn's checks on.

:data:`ESTIMATOR_CASES` holds every estimator of sklarith once per
configuration that takes another code path, as an :class:`EstimatorCase`: a
small instance, a maker of the data it fits in about a second, and the checks
of :func:`sklearn.utils.estimator_checks.check_estimator` it fails by design,
each with its reason. ``tests/test_common.py`` runs over it, and so can a
script: ``benchmarks/count_checks.py`` counts the checks each case passes,
``benchmarks/gpu_check.py`` fits each case on a GPU.

Examples
--------
>>> from sklearn.utils.estimator_checks import check_estimator
>>> from sklarith.utils.estimator_checks import ESTIMATOR_CASES
>>> case = ESTIMATOR_CASES[0]
>>> results = check_estimator(
...     case.estimator_for_checks(),
...     expected_failed_checks=case.expected_failed_checks,
...     on_fail=None,
... )  # doctest: +SKIP
"""

from ._testing import ESTIMATOR_CASES, EstimatorCase

__all__ = ["ESTIMATOR_CASES", "EstimatorCase"]
