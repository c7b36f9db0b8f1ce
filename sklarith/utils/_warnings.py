"""Warnings that point at the user's line, however deep sklarith raises them."""

import os
import sys

import joblib
import sklearn
import skorch
import torch


def _library_folders():
    """The folders of sklarith and of the libraries that call into it or that
    it drives: skorch, scikit-learn (its Pipeline, its model selection),
    joblib (scikit-learn's loops over folds and candidates) and torch."""
    sklarith_folder = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return tuple(
        folder + os.sep
        for folder in (
            sklarith_folder,
            *(
                os.path.dirname(module.__file__)
                for module in (skorch, sklearn, joblib, torch)
            ),
        )
    )


def stacklevel_outside_libraries():
    """The ``stacklevel`` of a warning raised by the caller that points at the
    first frame outside sklarith and the libraries around it: the user's
    ``fit``, ``predict``, ``cross_val_score`` or ``GridSearchCV.fit`` line,
    however deep the estimators, a Pipeline, joblib and skorch call (what
    pandas' ``find_stack_level`` does; Python 3.12's ``skip_file_prefixes``
    would)."""
    folders = _library_folders()
    frame, level = sys._getframe(1), 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(
        folders
    ):
        frame, level = frame.f_back, level + 1
    return level
