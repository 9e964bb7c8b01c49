package io.tessera.plugin.fdconv;

import io.tessera.api.nn.Module;
import io.tessera.api.tensor.ComplexTensor;
import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Fft;
import io.tessera.api.tensor.FftNorm;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apiguardian.api.API;

/**
 * Frequency band modulation, the official {@code FrequencyBandModulation} (spec §5.7): the input is split into
 * frequency bands with nested low-pass masks on its orthonormal 2-D spectrum, and each band but the lowest is
 * re-weighted per pixel by a gate computed from the input. With all gates at 1 the output equals the input (the
 * bands telescope).
 *
 * <p>State: the gate convolutions {@code freq_weight_conv_list.j} and the non-persistent buffer {@code cached_masks}
 * ({@code [nb, 1, maxH, maxW/2+1]} bool), the masks on the official fixed grid before resampling.
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class FrequencyBandModulation extends Module {
    private final FbmOptions options;
    private final int inChannels;
    private final int spatialGroup;
    private final GateConvList gates;
    /** The low-pass matrices per feature-map size (plain Java arrays, so no tensor outlives a scope); empty: use FFTs. */
    private final Map<Long, BandLowPass.Band[]> filterCache = new ConcurrentHashMap<>();

    /**
     * The band decomposition of one input.
     *
     * @param bands  {@code band_j = low_{j-1} − low_j} with {@code low_{-1} = x}, {@code [B, nb, Cin, H, W]}
     * @param lowest the part below the last cut-off, {@code [B, Cin, H, W]}
     * @param gates  the activated gates, {@code [B, n · spatial_group, H, W]} with {@code n = nb} (+1 with
     *               {@code lowfreq_att})
     */
    public record Decomposition(Tensor bands, Tensor lowest, Tensor gates) {
    }

    FrequencyBandModulation(TensorBackend be, int inChannels, FbmOptions options, Generator gen) {
        this.options = options;
        this.inChannels = inChannels;
        int sg = options.spatialGroup() > 64 ? inChannels : options.spatialGroup();
        if (inChannels % sg != 0) {
            throw new IllegalArgumentException("FBM spatial_group " + sg + " must divide the " + inChannels
                    + " input channels");
        }
        this.spatialGroup = sg;
        int count = options.bands() + (options.lowfreqAtt() ? 1 : 0);
        this.gates = registerModule("freq_weight_conv_list", new GateConvList(be, inChannels, count, sg,
                options.spatialKernel(), options.zeroInit(), gen));
        boolean[][][] grid = FbmMasks.grid(options.kList(), options.maxH(), options.maxW());
        int wr = options.maxW() / 2 + 1;
        boolean[] flat = new boolean[grid.length * options.maxH() * wr];
        for (int j = 0; j < grid.length; j++) {
            for (int r = 0; r < options.maxH(); r++) {
                System.arraycopy(grid[j][r], 0, flat, (j * options.maxH() + r) * wr, wr);
            }
        }
        registerBuffer("cached_masks", be.tensor(flat, grid.length, 1, options.maxH(), wr), false);
    }

    /**
     * {@code x' = Σ_j G_j · band_j + lowest} (the lowest band gated too with {@code lowfreq_att}), computed as the
     * equal telescoped sum {@code G_0 · x + Σ_j (G_{j+1} − G_j) · low_j} with {@code G_nb = 1} (or the low-band gate),
     * which needs no band tensors.
     */
    @Override
    public Tensor forward(Tensor x) {
        checkInput(x);
        int nb = options.bands();
        int sg = spatialGroup;
        List<Tensor> lows = lows(x);
        Tensor g = gates(x);
        Tensor out = gated(x, g.narrow(1, 0, sg));
        for (int j = 0; j < nb; j++) {
            Tensor next = j + 1 < nb || options.lowfreqAtt() ? g.narrow(1, (long) (j + 1) * sg, sg) : null;
            Tensor cur = g.narrow(1, (long) j * sg, sg);
            Tensor diff = next == null ? cur.rsub(1) : next.sub(cur);
            out = out.add(gated(lows.get(j), diff));
        }
        return out;
    }

    /** The bands, the lowest part and the gates of {@code x [B, Cin, H, W]}. */
    public Decomposition decompose(Tensor x) {
        checkInput(x);
        int nb = options.bands();
        long b = x.size(0);
        List<Tensor> lows = lows(x);
        List<Tensor> upper = new ArrayList<>();
        upper.add(x.unsqueeze(1));
        for (int j = 0; j + 1 < nb; j++) {
            upper.add(lows.get(j).unsqueeze(1));
        }
        List<Tensor> lowStack = new ArrayList<>();
        for (Tensor l : lows) {
            lowStack.add(l.unsqueeze(1));
        }
        Tensor bands = Tensors.concat(upper, 1).sub(Tensors.concat(lowStack, 1));
        return new Decomposition(bands, lows.get(nb - 1), gates(x));
    }

    private void checkInput(Tensor x) {
        if (x.rank() != 4 || x.size(1) != inChannels) {
            throw new IllegalArgumentException("FBM(" + inChannels + "): expected an NCHW input with " + inChannels
                    + " channels, got " + x.shape());
        }
    }

    /** The activated gates {@code [B, n · spatial_group, H, W]}. */
    private Tensor gates(Tensor x) {
        Tensor logits = gates.forward(x);
        return options.act() == GateActivation.SIGMOID ? logits.sigmoid().mul(2) : logits.tanh().add(1);
    }

    /** {@code t [B, Cin, H, W]} times a gate {@code [B, spatial_group, H, W]} shared by each group's channels. */
    private Tensor gated(Tensor t, Tensor gate) {
        if (spatialGroup == 1) {
            return t.mul(gate);
        }
        long b = t.size(0);
        long h = t.size(2);
        long w = t.size(3);
        return t.reshape(b, spatialGroup, inChannels / spatialGroup, h, w)
                .mul(gate.reshape(b, spatialGroup, 1, h, w)).reshape(b, inChannels, h, w);
    }

    /**
     * {@code low_j = irfft2(rfft2(x, ortho) · mask_j, ortho)} for every band, through the separable real filters of
     * {@link BandLowPass} (or the transforms when a mask is not separable).
     */
    List<Tensor> lows(Tensor x) {
        int h = (int) x.size(2);
        int w = (int) x.size(3);
        BandLowPass.Band[] filters = filterCache.computeIfAbsent(((long) h << 32) | w, key -> {
            BandLowPass.Band[] f = BandLowPass.of(options.kList(), options.maxH(), options.maxW(), h, w);
            return f == null ? new BandLowPass.Band[0] : f;
        });
        if (filters.length == 0) {
            return lowsByTransform(x);
        }
        TensorBackend be = x.backend();
        Tensor xt = x.transpose(-1, -2);
        List<Tensor> out = new ArrayList<>();
        for (BandLowPass.Band f : filters) {
            Tensor low = xt.matmul(matrix(be, f.rowCosT(), h, x)).transpose(-1, -2)
                    .matmul(matrix(be, f.colCosT(), w, x));
            if (f.rowSinT() != null) {
                low = low.sub(xt.matmul(matrix(be, f.rowSinT(), h, x)).transpose(-1, -2)
                        .matmul(matrix(be, f.colSinT(), w, x)));
            }
            out.add(low);
        }
        return out;
    }

    private static Tensor matrix(TensorBackend be, float[] v, int n, Tensor like) {
        Tensor m = be.tensor(v, n, n);
        return like.dtype() == DType.FLOAT32 ? m : m.to(like.dtype());
    }

    /** The same low parts through the 2-D transforms, literally as the official code computes them. */
    List<Tensor> lowsByTransform(Tensor x) {
        int nb = options.bands();
        int h = (int) x.size(2);
        int w = (int) x.size(3);
        int wr = w / 2 + 1;
        // spec §5.7: masks from the fixed grid, nearest-resampled to this map's half-spectrum grid
        Tensor masks = x.backend().tensor(FbmMasks.resized(options.kList(), options.maxH(), options.maxW(), h, w),
                1, nb, 1, h, wr);
        if (x.dtype() != DType.FLOAT32) {
            masks = masks.to(x.dtype());
        }
        ComplexTensor spec = Fft.rfft2(x, FftNorm.ORTHO);
        ComplexTensor masked = new ComplexTensor(spec.real().unsqueeze(1).mul(masks),
                spec.imag().unsqueeze(1).mul(masks));
        Tensor lows = Fft.irfft2(masked, h, w, FftNorm.ORTHO);
        List<Tensor> out = new ArrayList<>();
        for (int j = 0; j < nb; j++) {
            out.add(lows.narrow(1, j, 1).squeeze(1));
        }
        return out;
    }

    /** The gate convolutions. */
    public GateConvList gateConvs() {
        return gates;
    }

    /** The options. */
    public FbmOptions options() {
        return options;
    }
}
