"""
Learning arithmetic from results alone
======================================

The headline of sklarith: a network that adds, multiplies and compares two
handwritten digits without ever being told which digits they are. It sees a
pair of images and five results (the units and tens of the sum, the units
and tens of the product, and whether the first digit is the greater), and
must work out the rest.

The model is a scikit-learn :class:`~sklearn.pipeline.Pipeline` of two
steps: an :class:`~sklarith.AutoencoderTransformer` learns a short code of
each image from its pixels alone, and an
:class:`~sklarith.ArithmeticMultiOutputClassifier` learns the five results
from the codes of the two images. This example trains it on scikit-learn's
bundled 8x8 digits; ``sklarith demo`` does the same on MNIST.
"""

# %%
# Pairs labelled with results only
# --------------------------------
# The images are split first, so that the test pairs only ever show images
# the model never saw. :func:`~sklarith.datasets.make_arithmetic_pairs` draws
# random pairs and labels each with its results; the digits themselves
# appear nowhere in ``X`` or ``Y``.
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline

from sklarith import ArithmeticMultiOutputClassifier, AutoencoderTransformer
from sklarith.datasets import load_digit_images, make_arithmetic_pairs
from sklarith.plotting import (
    plot_predicted_arithmetic,
    plot_reconstructions,
    plot_training_curves,
)

# Both networks train for a fixed, short budget here (30 and 10 epochs),
# where they still improve a little at the end: scikit-learn's
# ConvergenceWarning would say so for each fit. ``sklarith demo`` trains
# longer on MNIST.
warnings.filterwarnings("ignore", category=ConvergenceWarning)

digits = load_digit_images()
images_train, images_test, labels_train, labels_test = train_test_split(
    digits.data, digits.target, test_size=0.25, stratify=digits.target, random_state=0
)
X, Y = make_arithmetic_pairs(images_train, labels_train, n_pairs=10_000, random_state=0)
X_test, Y_test = make_arithmetic_pairs(
    images_test, labels_test, n_pairs=5_000, random_state=1
)
print(f"{len(X):,} training pairs; each row holds two images of 64 pixels")
Y.head()

# %%
# The pipeline
# ------------
# The autoencoder gives each 8x8 image a code of 32 numbers, learnt without
# labels; a row of two images becomes a row of two codes. The classifier has
# the arithmetic post's shape: a shared layer of 1,000 units, then one
# branch per result with its own 200 units and a softmax. ``verbose=1``
# prints a table per epoch: training loss, validation loss, validation
# accuracy (all five results right) and time.
pipe = Pipeline(
    [
        (
            "enc",
            AutoencoderTransformer(
                n_components=32,
                image_shape=(8, 8),
                batch_size=64,
                max_epochs=30,
                random_state=0,
            ),
        ),
        (
            "arith",
            ArithmeticMultiOutputClassifier(max_epochs=10, random_state=0, verbose=1),
        ),
    ]
)
pipe.fit(X, Y)

# %%
# Accuracy per result
# -------------------
# On pairs of test images, next to the rate of always answering the most
# frequent result. ``score`` is the share of pairs with all five right.
Y_pred = pipe.predict(X_test)
truth = Y_test.to_numpy()
table = pd.DataFrame(
    {
        "accuracy (%)": 100 * np.mean(Y_pred == truth, axis=0),
        "most frequent (%)": [
            100 * Y_test[name].value_counts(normalize=True).iloc[0]
            for name in Y_test.columns
        ],
    },
    index=Y_test.columns,
)
print(table.round(2).to_string())
print(f"all five right: {pipe.score(X_test, Y_test):.2%}")

# %%
# The sum's tens and the comparison are the easiest: a digit misread as a
# close one often leaves them right. The units of the sum and of the product
# need both digits exactly right, so they are the hardest.

# %%
# What the codes keep
# -------------------
# Test images (top) and the autoencoder's reconstruction of each from its 32
# numbers (bottom). The codes keep the shape of the digit and lose the
# finest strokes.
plot_reconstructions(pipe["enc"], images_test, n_images=12)
plt.show()

# %%
# Worked examples
# ---------------
# Test pairs with the predicted results: ``a+b`` and ``a×b`` put units and
# tens together, ``a>b`` or ``a≤b`` is the comparison. A red title marks a
# pair with a wrong result, the right one in brackets. Half of the pairs
# shown are mistakes, to see what goes wrong.
wrong = np.flatnonzero(np.any(Y_pred != truth, axis=1))[:8]
right = np.flatnonzero(np.all(Y_pred == truth, axis=1))[:8]
shown = np.concatenate([right, wrong])
# sphinx_gallery_thumbnail_number = 2
plot_predicted_arithmetic(
    pipe, X_test[shown], Y_test.iloc[shown], image_shape=(8, 8), n_rows=4
)
plt.show()

# %%
# Training curves
# ---------------
# Both networks keep a history of each epoch (``history_``). The classifier
# holds out 10 % of the training pairs: its validation accuracy counts the
# pairs with all five results right. The learning rate decays to zero along
# a cosine over ``max_epochs``, which settles the last epochs.
fig, (ax_enc, ax_arith) = plt.subplots(1, 2, figsize=(11, 3.5), layout="constrained")
plot_training_curves(pipe["enc"], ax=ax_enc)
plot_training_curves(pipe, ax=ax_arith)
plt.show()

# %%
# Validation pairs are drawn from the training images, so the validation
# accuracy is higher than the test accuracy above: the network has seen
# those images in other pairs. Only pairs of unseen images measure what it
# learnt.
