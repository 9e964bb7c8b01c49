package io.tessera.plugin.wpca;

import org.apiguardian.api.API;

/**
 * The two kinds of encoder block of the search space (spec §3, §6): a BERT block (post-norm attention and FFN at the
 * model width) or a MobileBERT-style bottleneck block (projected down to half the width, attention and FFN there,
 * projected back up with a residual).
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public enum BlockType {
    /** Post-norm self-attention and FFN at the model width. */
    BERT,
    /** Attention and FFN inside a bottleneck of half the model width. */
    BOTTLENECK
}
