"""
Watching training: a progress bar and a score per output
========================================================

scikit-learn's callbacks (``sklearn.callback``) watch any estimator that
supports them, sklarith's included: :class:`~sklearn.callback.ProgressBar`
draws a bar per fit and per epoch (it needs the ``rich`` package, in the
``progress`` extra), and :class:`~sklearn.callback.ScoringMonitor` scores the
model after every epoch. Both attach with ``set_callbacks``, and reach the
networks inside a Pipeline or a grid search too.

A multi-output classifier's ``score`` is the share of rows with every output
right; a scorer that returns a dict monitors each output on its own.
"""

# %%
# Pairs of digits and their five results
# --------------------------------------
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.callback import ProgressBar, ScoringMonitor
from sklearn.exceptions import ConvergenceWarning

from sklarith import ArithmeticMultiOutputClassifier
from sklarith.datasets import load_digit_images, make_arithmetic_pairs

digits = load_digit_images()
X, Y = make_arithmetic_pairs(digits.data, digits.target, n_pairs=5_000, random_state=0)


# %%
# A scorer of every output
# ------------------------
# ScoringMonitor takes what ``scoring`` takes in scikit-learn: here a
# callable that returns one accuracy per output, by name.
def accuracy_per_output(estimator, X, y):
    predicted = estimator.predict(X)
    truth = np.asarray(y)
    return {
        name: float(np.mean(predicted[:, i] == truth[:, i]))
        for i, name in enumerate(y.columns)
    }


monitor = ScoringMonitor(scoring=accuracy_per_output)
clf = ArithmeticMultiOutputClassifier(max_epochs=40, random_state=0)
clf.set_callbacks(monitor, ProgressBar())
with warnings.catch_warnings():
    # 40 epochs keep the example short; the validation score still improves
    # a little at the end, which a ConvergenceWarning would say.
    warnings.simplefilter("ignore", ConvergenceWarning)
    clf.fit(X, Y)
print(f"trained {clf.n_iter_} epochs")

# %%
# Each epoch's scores
# -------------------
# ``get_logs`` returns the log of the last fit; its ``data_as_pandas`` has a
# row per task, the fit first, then each epoch, with a column per score. The
# monitor scores the rows the fit was given, so these are training
# accuracies; the validation score that early stopping watches is
# ``validation_scores_``.
scores = monitor.get_logs().data_as_pandas
epochs = scores[scores["task_name"] != scores["task_name"].iloc[0]]
fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
for name in Y.columns:
    ax.plot(np.arange(1, len(epochs) + 1), 100 * epochs[name], label=name)
ax.plot(
    np.arange(1, clf.n_iter_ + 1),
    100 * np.asarray(clf.validation_scores_),
    "k--",
    label="validation: all five right",
)
ax.set_xlabel("epoch")
ax.set_ylabel("accuracy (%)")
ax.legend()
plt.show()
