package io.tessera.plugin.fdconv;

import org.apiguardian.api.API;

/**
 * How an FDConv attention logit {@code u} becomes a gain (official {@code ksm_global_act}, {@code ksm_local_act} and
 * the FBM {@code act}).
 */
@API(status = API.Status.STABLE, since = "1.0")
public enum GateActivation {
    /** {@code att_multi · σ(u / T)} (group gain: {@code σ(u / KT) · 2 / kn}); the official default. */
    SIGMOID,
    /** {@code 1 + tanh(u / T)} (group gain: {@code (1 + tanh(u / KT)) / kn}). */
    TANH
}
