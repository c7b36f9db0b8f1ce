"""Helpers the estimators share: validation, device and seeding, distinct rows.

Nothing here is public API; the estimators and their tests build on it.
"""
