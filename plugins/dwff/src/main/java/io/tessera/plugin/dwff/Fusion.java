package io.tessera.plugin.dwff;

import org.apiguardian.api.API;

/** How the projected levels are combined (spec §4.3–4.4 and the ablations of §8). */
@API(status = API.Status.STABLE, since = "1.0")
public enum Fusion {
    /** DWFF: per-image softmax weights from the weight MLP with softplus temperature; the loss adds the entropy bonus. */
    DYNAMIC,
    /** SWFF: one free scalar per level ({@code weights.i}, initialised 0.1, 0.2, 0.3, 0.4), no entropy term. */
    STATIC,
    /** NWFF: the plain sum of the projected levels, no weights and no entropy term. */
    PLAIN
}
