package io.tessera.plugin.dwff;

import org.apiguardian.api.API;

/**
 * The official group-count rule of DWFF-Net's {@code make_group_norm} (spec §3): {@code c/32} groups, reduced until
 * the count divides {@code c}. Fewer than 32 channels would make the official helper divide by zero, so they are
 * rejected here with a message instead.
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class GroupRule {
    /** Channels per group the rule aims for. */
    public static final int CHANNELS_PER_GROUP = 32;

    private GroupRule() {
    }

    /** The number of GroupNorm groups for {@code channels} channels (512→16, 256→8, 128→4, 64→2, 32→1). */
    public static int groups(int channels) {
        if (channels < CHANNELS_PER_GROUP) {
            throw new IllegalArgumentException("DWFF GroupNorm needs at least " + CHANNELS_PER_GROUP + " channels"
                    + " (the official rule uses channels/32 groups), got " + channels + "; widen the layer to >= 32");
        }
        int g = channels / CHANNELS_PER_GROUP;
        while (channels % g != 0) {
            g--;
        }
        return g;
    }
}
