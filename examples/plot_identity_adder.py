"""
Reading a digit and adding a number to it
=========================================

:class:`~sklarith.IdentityAdderClassifier` takes an image of a handwritten
digit and an integer from 0 to 9, and predicts two things: the digit in the
image and the sum of the digit and the integer. One network does both, with
a convolutional reader of the image, the integer joined to the image's
embedding, and one head per answer.

This example trains it on scikit-learn's bundled 8x8 digits;
``sklarith reproduce identity-adder`` runs the same estimator on MNIST, on
the identity adder post's protocol (:doc:`/benchmarks` gives its table).
"""

# %%
# The data
# --------
# :func:`~sklarith.datasets.make_identity_adder` appends a random integer to
# each image and labels it with the digit and the sum. Each training image is
# used twice, with two random integers; the test images are never
# seen in training.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from sklarith import IdentityAdderClassifier
from sklarith.datasets import load_digit_images, make_identity_adder
from sklarith.plotting import plot_training_curves

# A short budget of 10 epochs keeps the example quick; the loss still
# improves a little at the end, which scikit-learn's ConvergenceWarning
# would say.
warnings.filterwarnings("ignore", category=ConvergenceWarning)

digits = load_digit_images()
images_train, images_test, labels_train, labels_test = train_test_split(
    digits.data, digits.target, test_size=0.25, stratify=digits.target, random_state=0
)
X, y = make_identity_adder(
    np.tile(images_train, (2, 1)), np.tile(labels_train, 2), random_state=0
)
X_test, y_test = make_identity_adder(images_test, labels_test, random_state=1)
print(f"{len(X)} training rows of {X.shape[1]} columns: 64 pixels, then the integer")
y.head()

# %%
# Training
# --------
# The images are 8x8, so two convolution blocks are enough. During training
# each image is slightly rotated, scaled and shifted at random
# (``augment=True``, the default).
clf = IdentityAdderClassifier(
    image_shape=(8, 8),
    channels=(16, 32),
    max_epochs=10,
    lr=5e-3,
    random_state=0,
)
clf.fit(X, y)

predicted = clf.predict(X_test)
right = predicted == y_test.to_numpy()
print(f"digit right: {right[:, 0].mean():.1%}")
print(f"sum right:   {right[:, 1].mean():.1%}")
print(f"both right:  {clf.score(X_test, y_test):.1%}")

# %%
# A wrong sum is either a misread digit or a wrong addition to a digit read
# right; the two heads tell which.
integers = X_test[:, -1].astype(int)
digit_wrong = ~right[:, 0]
sum_wrong = ~right[:, 1]
print(f"wrong sums: {sum_wrong.sum()} of {len(X_test)}")
print(f"  with the digit misread:     {(sum_wrong & digit_wrong).sum()}")
print(f"  with the digit read right:  {(sum_wrong & ~digit_wrong).sum()}")

# %%
# Learning curves
# ---------------
# :func:`~sklarith.plotting.plot_training_curves` reads the history of each
# epoch (``history_``). The loss is the sum of the two cross-entropies; the
# validation accuracy counts the rows with both answers right, on the 10 % of
# the training rows held out for early stopping.
plot_training_curves(clf)
plt.show()

# %%
# Worked examples
# ---------------
# Test images with the predicted digit, the integer and the predicted sum; a
# red title marks a wrong answer, with the true sum in brackets.
both_right = right.all(axis=1)
n_mistakes = min(2, (~both_right).sum())
shown = np.concatenate(
    [
        np.flatnonzero(both_right)[: 10 - n_mistakes],
        np.flatnonzero(~both_right)[:n_mistakes],
    ]
)
fig, axes = plt.subplots(2, 5, figsize=(8, 4))
for ax, row in zip(axes.flat, shown, strict=True):
    ax.imshow(X_test[row, :-1].reshape(8, 8), cmap="gray_r")
    digit, total = predicted[row]
    if right[row].all():
        ax.set_title(f"{digit} + {integers[row]} = {total}")
    else:
        true_sum = y_test["sum"].iloc[row]
        ax.set_title(f"{digit} + {integers[row]} = {total} ({true_sum})", color="red")
    ax.set_axis_off()
fig.tight_layout()
plt.show()
