"""Hyperparameter search on a Dask cluster, through joblib."""

import joblib
import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV

from sklarith import ArithmeticMultiOutputClassifier

distributed = pytest.importorskip("distributed")


def test_grid_search_runs_on_the_workers_of_a_local_dask_cluster(pairs):
    X, Y, _, _ = pairs
    search = GridSearchCV(
        ArithmeticMultiOutputClassifier(max_epochs=2, random_state=0),
        {"hidden_layer_sizes": [(16,), (32,)]},
        cv=2,
    )
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
        distributed.get_task_stream(client) as tasks,
        joblib.parallel_backend("dask"),
    ):
        cluster_workers = set(client.scheduler_info()["workers"])
        search.fit(X[:1000], Y[:1000])
    ran_on = {task["worker"] for task in tasks.data}
    assert ran_on
    assert ran_on <= cluster_workers
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
