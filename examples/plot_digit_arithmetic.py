"""
Reading digits from results alone
=================================

Two classifiers learn the results of pairs of digit images without ever
being told the digits. :class:`~sklarith.ArithmeticMultiOutputClassifier`
learns a head per result; :class:`~sklarith.DigitArithmeticClassifier` reads
a digit from every image and computes the results exactly from the digits it
reads, through a structure of :mod:`sklarith.structures`. This example trains
both on the same pairs of scikit-learn's bundled 8x8 digits, then uses the
digit reader where the learnt heads cannot go: it reads the digits of test
images and adds numbers longer than any it was trained on.
"""

# %%
# Pairs labelled with results only
# --------------------------------
# As in :ref:`sphx_glr_auto_examples_plot_headline.py`, the images are split
# first, and :func:`~sklarith.datasets.make_arithmetic_pairs` labels each pair
# with five results: the units and tens of the sum and of the product, and
# whether the first digit is the greater. Both classifiers take the pixels of
# the two images directly here, without an encoder.
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import ConfusionMatrixDisplay
from sklearn.model_selection import train_test_split

from sklarith import ArithmeticMultiOutputClassifier, DigitArithmeticClassifier
from sklarith.datasets import (
    load_digit_images,
    make_arithmetic_pairs,
    make_number_addition,
)
from sklarith.structures import NumberSum, PairResults

digits = load_digit_images()
images_train, images_test, labels_train, labels_test = train_test_split(
    digits.data, digits.target, test_size=0.25, stratify=digits.target, random_state=0
)
X, Y = make_arithmetic_pairs(images_train, labels_train, n_pairs=20_000, random_state=0)
X_test, Y_test = make_arithmetic_pairs(
    images_test, labels_test, n_pairs=5_000, random_state=1
)
Y.head()

# %%
# Two classifiers, the same pairs
# -------------------------------
# The digit reader's ``structure`` says what the columns of ``Y`` are:
# ``PairResults()`` computes the five results of the arithmetic experiment
# over the 100 pairs of digits (it is also the default, ``structure=None``).
# Ten epochs each keep the example quick; a fit that ends at ``max_epochs``
# while it still improves warns, which is silenced here.
classifiers = {
    "learnt heads": ArithmeticMultiOutputClassifier(max_epochs=10, random_state=0),
    "digit reader": DigitArithmeticClassifier(
        structure=PairResults(), max_epochs=10, random_state=0
    ),
}
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    for clf in classifiers.values():
        clf.fit(X, Y)

truth = Y_test.to_numpy()
table = pd.DataFrame(
    {
        name: [
            *(100 * np.mean(clf.predict(X_test) == truth, axis=0)),
            100 * clf.score(X_test, Y_test),
        ]
        for name, clf in classifiers.items()
    },
    index=[*Y_test.columns, "all five"],
)
print("Test accuracy (%) on pairs of unseen images")
print(table.round(2).to_string())

# %%
# The learnt heads must find out, for each result on its own, how the pixels
# of two images map to it, and get each result right or wrong on its own. The
# digit reader learns one thing, the digit in an image, shared by both images
# of a pair and by every result, and the arithmetic is exact: when it reads
# both digits right, all five results are right, which is why the share of
# pairs with all five right gains most.

# %%
# The digits it reads
# -------------------
# ``predict_digits`` gives the digit the reader's network sees in every
# image. No digit label was used to train it, yet its digits are the true
# ones: the sum and the product of two digits tell which two they are, and
# ``greater`` which comes first. Rows of any number of images go in: here
# each row is one test image.
reader = classifiers["digit reader"]
read = reader.predict_digits(images_test).ravel()
print(f"test images read right: {np.mean(read == labels_test):.2%}")
# sphinx_gallery_thumbnail_number = 1
ConfusionMatrixDisplay.from_predictions(labels_test, read, colorbar=False)
plt.title("Digits read from results alone (test images)")
plt.show()

# %%
# Numbers of any length
# ---------------------
# A network that reads digits adds numbers of any length: read the digits of
# two 4-digit numbers written with test images, then add them with
# :class:`~sklarith.structures.NumberSum`, the column addition
# :func:`~sklarith.datasets.make_number_addition` labels its rows with. The
# reader was trained on pairs of single digits only; the whole sum is right
# when all eight digits are read right.
X_long, Y_long = make_number_addition(
    images_test, labels_test, n_digits=4, n_samples=1_000, random_state=2
)
sums = NumberSum(n_digits=4).results(reader.predict_digits(X_long))
right = np.all(sums == Y_long.to_numpy(), axis=1)
print(f"4-digit sums right: {np.mean(right):.2%} of {len(right):,}")

# %%
# The learnt heads have no such reading: they answer the five results of a
# pair, and nothing else. For rows of other results, give the digit reader
# their structure at fit: ``NumberSum(n_digits=N)`` for
# :func:`~sklarith.datasets.make_number_addition`, ``DigitSum(n_terms=k)``
# for :func:`~sklarith.datasets.make_digit_sums`.
