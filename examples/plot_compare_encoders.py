"""
Autoencoder or PCA codes for arithmetic on digits
=================================================

The arithmetic post's experiment learns arithmetic on pairs of digit images
from codes an autoencoder learnt without labels, and notes that PCA can
learn such codes too. :class:`~sklarith.PCAEncoder` has the same contract as
:class:`~sklarith.AutoencoderTransformer`, so the encoder is just one more
parameter of a grid search, beside the classifier's settings and the raw
pixels as a reference.

This example runs the comparison on scikit-learn's bundled 8x8 digits;
``sklarith compare`` runs it on MNIST.
"""

# %%
# The data
# --------
# Pairs of training images, labelled with the units and tens of their sum
# and product and with which is the greater: never with the digits.
import tempfile
import warnings

import joblib
import matplotlib.pyplot as plt
import pandas as pd
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import Pipeline

from sklarith import ArithmeticMultiOutputClassifier, AutoencoderTransformer, PCAEncoder
from sklarith.datasets import load_digit_images, make_arithmetic_pairs
from sklarith.metrics import reconstruction_bce, reconstruction_mse

# The grid search fits many small models for a few epochs each, which end
# while they still improve a little: scikit-learn's ConvergenceWarning would
# say so for every fit. The comparison is between equal budgets.
warnings.filterwarnings("ignore", category=ConvergenceWarning)

digits = load_digit_images()
images_train, images_test, labels_train, labels_test = train_test_split(
    digits.data, digits.target, test_size=0.25, stratify=digits.target, random_state=0
)
X, Y = make_arithmetic_pairs(images_train, labels_train, n_pairs=3_000, random_state=0)
X_test, Y_test = make_arithmetic_pairs(
    images_test, labels_test, n_pairs=2_000, random_state=1
)
print(f"{len(X):,} training pairs of {X.shape[1]} pixels")
Y.head()

# %%
# One grid over the features and the classifier
# ---------------------------------------------
# Both encoders give 16 codes per image; ``"passthrough"`` feeds the pixels
# to the classifier. With ``memory=``, the pipeline caches each fitted
# encoder: in each split of the cross-validation, the autoencoder is trained
# once and reused for every classifier setting, not trained again.
autoencoder = AutoencoderTransformer(
    n_components=16, image_shape=(8, 8), max_epochs=10, batch_size=64, random_state=0
)
pca = PCAEncoder(n_components=16, image_shape=(8, 8))
classifier = ArithmeticMultiOutputClassifier(max_epochs=5, random_state=0)
cache = tempfile.mkdtemp()
pipeline = Pipeline(
    [("enc", pca), ("arith", classifier)], memory=joblib.Memory(cache, verbose=0)
)
search = GridSearchCV(
    pipeline,
    {
        "enc": [autoencoder, pca, "passthrough"],
        "arith__hidden_layer_sizes": [(64,), (256,)],
    },
    cv=2,
)
search.fit(X, Y)

results = pd.DataFrame(search.cv_results_)
results["features"] = results["param_enc"].map(
    lambda enc: enc if isinstance(enc, str) else type(enc).__name__
)
results[
    ["features", "param_arith__hidden_layer_sizes", "mean_test_score", "mean_fit_time"]
].sort_values("mean_test_score", ascending=False)

# %%
# The score is the share of pairs with all five results right. The best
# setting, refitted on all the training pairs, on pairs of test images:
print(search.best_params_)
print(f"all five right on test pairs: {search.score(X_test, Y_test):.1%}")

# %%
# What the codes keep of the images
# ---------------------------------
# Reconstruction errors per pixel on the test images, and a few of them
# reconstructed from their 16 codes.
encoders = {
    "autoencoder": autoencoder.fit(images_train),
    "PCA": pca.fit(images_train),
}
for name, encoder in encoders.items():
    bce = reconstruction_bce(encoder, images_test)
    mse = reconstruction_mse(encoder, images_test)
    print(f"{name:<12} BCE {bce:.4f}   MSE {mse:.4f}")

shown = images_test[:8]
rows = {"original": shown}
for name, encoder in encoders.items():
    rows[name] = encoder.inverse_transform(encoder.transform(shown))
fig, axes = plt.subplots(len(rows), len(shown), figsize=(8, 3.2))
for axes_row, (name, images) in zip(axes, rows.items(), strict=True):
    axes_row[0].set_title(name, loc="left", fontsize=9)
    for ax, image in zip(axes_row, images, strict=True):
        ax.imshow(image.reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        ax.set_axis_off()
fig.tight_layout()
plt.show()

# %%
# Clean up the cache of fitted encoders.
joblib.Memory(cache, verbose=0).clear(warn=False)
