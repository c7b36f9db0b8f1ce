"""Helpers the estimators share: validation, device and seeding, distinct rows;
and the registry of small estimators the common tests run on (``_testing``).

Nothing here is public API; the estimators and their tests build on it.
"""
