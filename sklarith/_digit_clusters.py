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

from .modules.digits import N_DIGITS

#: Clusters of the images' features: several per digit, so that each holds
#: nearly one digit only, where ten clusters would merge digits that look
#: alike.
N_CLUSTERS = 40

#: Random starts of the cluster-to-digit table; the most likely one is kept.
N_STARTS = 3

#: Adam steps on the table from each start, and their learning rate.
N_STEPS = 200
STEP_SIZE = 0.1

#: Rows whose results the table is fitted on, at most: enough to tell 40
#: clusters apart, few enough to take seconds.
MAX_ROWS = 4_000


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

    def negative_log_likelihood(table):
        log_digits = torch.log_softmax(table, dim=1)[row_clusters]
        return -structure.log_likelihood(log_digits, row_results).mean()

    best_table, best_loss = None, np.inf
    for _ in range(N_STARTS):
        # A uniform table has no gradient: the results favour no digit of an
        # image whose digits are all equally likely. A random one does.
        table = torch.randn(n_clusters, N_DIGITS, generator=generator)
        table.requires_grad_(True)
        optimizer = torch.optim.Adam([table], lr=STEP_SIZE)
        for _ in range(N_STEPS):
            optimizer.zero_grad()
            negative_log_likelihood(table).backward()
            optimizer.step()
        with torch.no_grad():
            loss = float(negative_log_likelihood(table))
        if loss < best_loss:
            best_table, best_loss = table.detach(), loss
    return best_table.argmax(dim=1)[clusters].numpy()
