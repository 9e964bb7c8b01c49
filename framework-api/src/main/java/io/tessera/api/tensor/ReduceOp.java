package io.tessera.api.tensor;

import org.apiguardian.api.API;

/** Reductions over a set of axes ({@link TensorBackend#reduce}). */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public enum ReduceOp {
    SUM, MEAN, MAX, MIN, PROD
}
