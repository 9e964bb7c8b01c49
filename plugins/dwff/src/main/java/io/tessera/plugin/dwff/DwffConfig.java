package io.tessera.plugin.dwff;

import java.util.Objects;
import org.apiguardian.api.API;

/**
 * Hyperparameters of the DWFF decoder (spec §3). The official model has {@code levels} 4, {@code inChannels} 1024
 * (DINOv3 ViT-L), {@code fusionChannels} 512, {@code mid1}/{@code mid2} 256/128 (hard-coded there, parameters here)
 * and 16 classes; the dropout rates of the two ConvBlocks are 0.2 and 0.1.
 *
 * @param levels         number of encoder levels L fused, at least 1
 * @param inChannels     channels D of each level's feature map
 * @param fusionChannels channels Fc of the projected levels (at least 32, the GroupNorm rule)
 * @param mid1           width of the first ConvBlock (at least 32)
 * @param mid2           width of the second ConvBlock (at least 32)
 * @param classes        output classes K, at least 2
 * @param fusion         DWFF (dynamic), SWFF (static) or NWFF (plain)
 * @param dropout1       Dropout2d rate inside the first ConvBlock
 * @param dropout2       Dropout2d rate inside the second ConvBlock
 */
@API(status = API.Status.STABLE, since = "1.0")
public record DwffConfig(int levels, int inChannels, int fusionChannels, int mid1, int mid2, int classes,
                         Fusion fusion, double dropout1, double dropout2) {

    public DwffConfig {
        Objects.requireNonNull(fusion, "fusion");
        require(levels >= 1, "levels must be >= 1, was " + levels);
        require(inChannels >= 1, "inChannels must be >= 1, was " + inChannels);
        require(classes >= 2, "classes must be >= 2, was " + classes);
        require(dropout1 >= 0 && dropout1 < 1 && dropout2 >= 0 && dropout2 < 1,
                "dropout rates must be in [0, 1), were " + dropout1 + " and " + dropout2);
        // the group rule throws for < 32 channels with the reason
        GroupRule.groups(fusionChannels);
        GroupRule.groups(mid1);
        GroupRule.groups(mid2);
    }

    /** The official DWFF-Net decoder: L 4, D 1024, Fc 512, 256/128, 16 classes, dynamic fusion. */
    public static DwffConfig official() {
        return new DwffConfig(4, 1024, 512, 256, 128, 16, Fusion.DYNAMIC, 0.2, 0.1);
    }

    /** A dynamic-fusion decoder of the given widths with the official dropout rates. */
    public static DwffConfig of(int levels, int inChannels, int fusionChannels, int mid1, int mid2, int classes) {
        return new DwffConfig(levels, inChannels, fusionChannels, mid1, mid2, classes, Fusion.DYNAMIC, 0.2, 0.1);
    }

    /** This config with another fusion. */
    public DwffConfig withFusion(Fusion f) {
        return new DwffConfig(levels, inChannels, fusionChannels, mid1, mid2, classes, f, dropout1, dropout2);
    }

    /** This config with another number of levels. */
    public DwffConfig withLevels(int l) {
        return new DwffConfig(l, inChannels, fusionChannels, mid1, mid2, classes, fusion, dropout1, dropout2);
    }

    /** Hidden width of the weight MLP: {@code max(32, Fc/2)} (spec §3). */
    public int weightHidden() {
        return Math.max(32, fusionChannels / 2);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("DwffConfig: " + message);
        }
    }
}
