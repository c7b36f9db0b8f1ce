"""A first digit for every image, from a clustering matched to the results.

The arithmetic head learns digits from results alone. From random weights,
the results of long sums say almost nothing about any one image: every digit
of the sum depends on a carry that the other images decide, so the gradient
of a network that does not yet tell digits apart is close to zero (the cold
start). A clustering of the images' features needs no label; the results
then say which digit each cluster is. :func:`cluster_digits` clusters the
images and finds the digit of each cluster that makes the observed results
most likely under exact arithmetic (the structure's likelihood, maximised
over a cluster-to-digit table from a few random starts), which gives the
network a first digit for every image to learn from before the results
alone take over.
"""

import numpy as np
import torch
from sklearn.cluster import KMeans

from .structures import N_DIGITS

#: Clusters of the images' features: several per digit, so that each holds
#: nearly one digit only, where ten clusters would merge digits that look
#: alike.
N_CLUSTERS = 40

#: Random starts of the cluster-to-digit table, fitted side by side; the most
#: likely is kept. A start may settle on a wrong table (digits read one off,
#: whose sums are mostly right too), less likely than the true one: with
#: sixteen starts, one nearly always finds the true table.
N_STARTS = 16

#: Adam steps on the table from each start, and their learning rate.
N_STEPS = 200
STEP_SIZE = 0.1

#: Rows whose results the tables are fitted on, at most: enough to tell 40
#: clusters apart, few enough to take seconds.
MAX_ROWS = 1_000


def cluster_digits(features, structure, y, random_state):
    """A digit for every image of every row, learnt without digit labels.

    Parameters
    ----------
    features : ndarray of shape (n_rows, n_images, n_features)
        Features of each image of each row (an encoder's codes, or pixels).
    structure : PairResults, NumberSum or DigitSum
        The exact arithmetic that gives the results of a row's digits.
    y : ndarray of shape (n_rows, n_outputs)
        Class indices of the observed results.
    random_state : int
        Seeds the clustering, the rows and the starts.

    Returns
    -------
    digits : ndarray of shape (n_rows, n_images)
        The digit of each image's cluster.
    """
    n_rows, n_images, n_features = features.shape
    images = features.reshape(n_rows * n_images, n_features)
    n_clusters = min(N_CLUSTERS, len(images))
    clusters = KMeans(n_clusters, n_init=1, random_state=random_state).fit_predict(
        images
    )
    clusters = torch.as_tensor(clusters.reshape(n_rows, n_images), dtype=torch.int64)
    rng = np.random.RandomState(random_state)
    rows = torch.as_tensor(
        rng.choice(n_rows, min(n_rows, MAX_ROWS), replace=False), dtype=torch.int64
    )
    row_clusters, row_results = clusters[rows], torch.as_tensor(y)[rows]
    generator = torch.Generator().manual_seed(int(rng.randint(2**31 - 1)))
    # A uniform table has no gradient: the results favour no digit of an
    # image whose digits are all equally likely. Random ones do.
    tables = torch.randn(N_STARTS, n_clusters, N_DIGITS, generator=generator)
    tables.requires_grad_(True)

    def negative_log_likelihoods():
        """Of the results under each table, one value per table."""
        likelihood = structure.table_log_likelihood(
            torch.log_softmax(tables, dim=2), row_clusters, row_results
        )
        return -likelihood.mean(dim=1)

    # Adam scales each weight's step by its own gradient, so the tables,
    # fitted together on the sum of their losses, train as if apart.
    optimizer = torch.optim.Adam([tables], lr=STEP_SIZE)
    for _ in range(N_STEPS):
        optimizer.zero_grad()
        negative_log_likelihoods().sum().backward()
        optimizer.step()
    with torch.no_grad():
        best = int(negative_log_likelihoods().argmin())
    return tables[best].detach().argmax(dim=1)[clusters].numpy()
