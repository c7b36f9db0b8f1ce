"""Helpers the estimators share: validation, device and seeding, distinct rows.

Two are public, for scripts that measure or drive sklarith as the estimators
do: :func:`resolve_device`, the device an estimator's ``device`` parameter
names on this machine, and :func:`distinct_rows`, how the encoders find the
distinct images of pairs. The registry of small estimators that sklarith's
common tests run on is :mod:`sklarith.utils.estimator_checks`. The other
modules here are private: the estimators build on them.
"""

from ._device import resolve_device
from ._distinct import distinct_rows

__all__ = ["distinct_rows", "resolve_device"]
