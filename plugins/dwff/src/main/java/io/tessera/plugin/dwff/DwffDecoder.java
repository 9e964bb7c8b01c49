package io.tessera.plugin.dwff;

import io.tessera.api.nn.Init;
import io.tessera.api.nn.Module;
import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.InterpolationMode;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * The trainable DWFF-Net decoder, the official {@code MultiLevelDecoder2} (spec §3–§4): every level is projected by a
 * 1×1 convolution, GroupNorm and ReLU to {@code Fc} channels; for dynamic fusion the L2-normalised global averages of
 * the projections feed a two-layer MLP whose scores, divided by the temperature {@code softplus(temp_param)+1e-6},
 * give per-image softmax weights over the levels; the weighted sum goes through two ConvBlocks (conv3×3, GN, ReLU,
 * Dropout2d, conv3×3, GN, ReLU), each followed by two successive ×2 bilinear upsamplings, and a 1×1 classifier, so the
 * logits are {@code 16h × 16w}.
 *
 * <p>Parameter names are the official state-dict keys ({@code projections.0.0.weight}, {@code weight_fc.2.bias},
 * {@code temp_param}, {@code decoder.conv1.conv.4.weight}, {@code decoder.classifier.bias}; SWFF's scalars are
 * {@code weights.i}), so official checkpoints load by name. The ablations of spec §8 are the {@link Fusion} of the
 * config: NWFF sums the projections (no weight network), SWFF weighs them with free scalars.
 *
 * <p>Inputs are the L encoder levels, each {@code [B, D, h, w]}: {@link #run(List)} returns the logits with the
 * fusion trace; {@link #forward(Tensor)} takes them concatenated on the channel axis ({@code [B, L·D, h, w]}).
 */
@API(status = API.Status.STABLE, since = "1.0")
public final class DwffDecoder extends Module {
    /** Added to the descriptor norm before dividing (spec §4.2). */
    static final double NORM_EPS = 1e-6;
    /** Added to the softplus temperature (spec §4.3). */
    static final double TEMP_EPS = 1e-6;
    /** GroupNorm eps (torch default). */
    static final double GN_EPS = 1e-5;
    private static final int[] ONE = {1, 1};
    private static final int[] ZERO = {0, 0};

    private final DwffConfig config;
    private final Generator dropoutGenerator;
    private final Tensor tempParam;
    private final Tensor[] projWeight;
    private final Tensor[] projGnWeight;
    private final Tensor[] projGnBias;
    private final Tensor fc0Weight;
    private final Tensor fc2Weight;
    private final Tensor fc2Bias;
    private final Tensor[] staticWeights;
    private final Block block1;
    private final Block block2;
    private final Tensor classifierWeight;
    private final Tensor classifierBias;

    /**
     * A float32 decoder with PyTorch's default initialisation drawn from {@code gen} (which also drives the dropout
     * masks).
     */
    public DwffDecoder(TensorBackend backend, DwffConfig config, Generator gen) {
        this(backend, config, gen, DType.FLOAT32);
    }

    /** A decoder whose parameters have the given floating dtype (float64 for finite-difference checks). */
    public DwffDecoder(TensorBackend backend, DwffConfig config, Generator gen, DType dtype) {
        this.config = Objects.requireNonNull(config, "config");
        Objects.requireNonNull(gen, "gen");
        if (!dtype.isFloatingPoint()) {
            throw new IllegalArgumentException("DwffDecoder: parameters must be floating point, not " + dtype);
        }
        this.dropoutGenerator = gen.split();
        int l = config.levels();
        int fc = config.fusionChannels();
        // Own parameters first, as PyTorch lists them; the official DWFF module owns temp_param.
        tempParam = config.fusion() == Fusion.DYNAMIC
                ? registerParameter("temp_param", backend.scalar(1.0, dtype)) : null;
        Node projections = registerModule("projections", new Node());
        projWeight = new Tensor[l];
        projGnWeight = new Tensor[l];
        projGnBias = new Tensor[l];
        for (int i = 0; i < l; i++) {
            Node seq = projections.child(Integer.toString(i));
            projWeight[i] = seq.child("0").param("weight",
                    Init.defaultWeight(backend, new long[] {fc, config.inChannels(), 1, 1}, gen), dtype);
            Node gn = seq.child("1");
            projGnWeight[i] = gn.param("weight", backend.ones(fc), dtype);
            projGnBias[i] = gn.param("bias", backend.zeros(fc), dtype);
        }
        if (config.fusion() == Fusion.DYNAMIC) {
            int hd = config.weightHidden();
            Node fcs = registerModule("weight_fc", new Node());
            fc0Weight = fcs.child("0").param("weight", Init.defaultWeight(backend, new long[] {hd, (long) l * fc}, gen),
                    dtype);
            Node last = fcs.child("2");
            fc2Weight = last.param("weight", Init.defaultWeight(backend, new long[] {l, hd}, gen), dtype);
            fc2Bias = last.param("bias", Init.defaultBias(backend, l, hd, gen), dtype);
        } else {
            fc0Weight = null;
            fc2Weight = null;
            fc2Bias = null;
        }
        if (config.fusion() == Fusion.STATIC) {
            // SWFF-Net: nn.ParameterList of scalars 0.1, 0.2, 0.3, 0.4 (continued by 0.1 steps for other L)
            Node weights = registerModule("weights", new Node());
            staticWeights = new Tensor[l];
            for (int i = 0; i < l; i++) {
                staticWeights[i] = weights.param(Integer.toString(i), backend.scalar(0.1 * (i + 1)), dtype);
            }
        } else {
            staticWeights = null;
        }
        Node decoder = registerModule("decoder", new Node());
        block1 = new Block(decoder.child("conv1"), backend, fc, config.mid1(), config.dropout1(), gen, dtype);
        block2 = new Block(decoder.child("conv2"), backend, config.mid1(), config.mid2(), config.dropout2(), gen,
                dtype);
        Node classifier = decoder.child("classifier");
        long[] cshape = {config.classes(), config.mid2(), 1, 1};
        classifierWeight = classifier.param("weight", Init.defaultWeight(backend, cshape, gen), dtype);
        classifierBias = classifier.param("bias", Init.defaultBias(backend, config.classes(), Init.fanIn(cshape), gen),
                dtype);
    }

    /** The hyperparameters. */
    public DwffConfig config() {
        return config;
    }

    /**
     * Everything one pass computes (spec §10's trace names). Tensors belong to the caller's scope.
     *
     * @param logits        {@code [B, K, 16h, 16w]}
     * @param fusionWeights {@code [B, L]}: the softmax weights (DWFF), the free scalars broadcast per image (SWFF) or
     *                      ones (NWFF)
     * @param descriptor    {@code [B, L·Fc]}, the concatenated L2-normalised descriptors (DWFF only, else null)
     * @param scores        {@code [B, L]}, the weight MLP's scores before the temperature (DWFF only, else null)
     * @param fused         {@code [B, Fc, h, w]}, the fused map entering the decoder
     * @param projected     the L projected levels {@code p_i}
     */
    public record Output(Tensor logits, Tensor fusionWeights, Tensor descriptor, Tensor scores, Tensor fused,
                         List<Tensor> projected) {
    }

    /** Runs the decoder on the L levels ({@code [B, D, h, w]} each, level order). */
    public Output run(List<Tensor> levels) {
        List<Tensor> projected = project(levels);
        Tensor descriptor = null;
        Tensor scores = null;
        Tensor weights;
        Tensor fused;
        long b = projected.get(0).size(0);
        switch (config.fusion()) {
            case DYNAMIC -> {
                descriptor = descriptor(projected);
                scores = scores(descriptor);
                weights = softmaxWeights(scores);
                fused = weightedSum(projected, weights);
            }
            case STATIC -> {
                // spec §8: F = Σ λ_i p_i with free scalars
                fused = projected.get(0).mul(staticWeights[0]);
                for (int i = 1; i < projected.size(); i++) {
                    fused = fused.add(projected.get(i).mul(staticWeights[i]));
                }
                weights = Tensors.stack(List.of(staticWeights), 0).unsqueeze(0)
                        .expand(Shape.of(b, config.levels())).copy();
            }
            case PLAIN -> {
                fused = plainSum(projected);
                weights = projected.get(0).backend().ones(Shape.of(b, config.levels()), projected.get(0).dtype());
            }
            default -> throw new IllegalStateException();
        }
        Tensor logits = decode(fused);
        return new Output(logits, weights, descriptor, scores, fused, projected);
    }

    /** The levels concatenated on the channel axis, {@code [B, L·D, h, w]}; returns the logits. */
    @Override
    public Tensor forward(Tensor input) {
        if (input.rank() != 4 || input.size(1) != (long) config.levels() * config.inChannels()) {
            throw new IllegalArgumentException("DwffDecoder.forward: expected the " + config.levels() + " levels"
                    + " concatenated as [B, " + config.levels() + "·" + config.inChannels() + ", h, w], got "
                    + input.shape() + "; or call run(List) with one [B, D, h, w] map per level");
        }
        try (TensorScope sc = Tensors.scope()) {
            long[] sizes = new long[config.levels()];
            java.util.Arrays.fill(sizes, config.inChannels());
            return sc.keep(run(Tensors.split(input, 1, sizes)).logits());
        }
    }

    /** spec §4.1: {@code p_i = ReLU(GN(Conv1x1(f_i)))}. */
    List<Tensor> project(List<Tensor> levels) {
        if (levels.size() != config.levels()) {
            throw new IllegalArgumentException("DwffDecoder: expected " + config.levels() + " levels, got "
                    + levels.size());
        }
        Tensor first = levels.get(0);
        List<Tensor> out = new ArrayList<>();
        for (int i = 0; i < levels.size(); i++) {
            Tensor f = levels.get(i);
            if (f.rank() != 4 || f.size(1) != config.inChannels() || f.size(0) != first.size(0)
                    || f.size(2) != first.size(2) || f.size(3) != first.size(3)) {
                throw new IllegalArgumentException("DwffDecoder: level " + i + " has shape " + f.shape() + "; every"
                        + " level must be [B, " + config.inChannels() + ", h, w] with the B, h, w of level 0 ("
                        + first.shape() + ")");
            }
            Tensor p = Functional.conv2d(f, projWeight[i], null, ONE, ZERO, ONE, 1);
            p = groupNorm(p, GroupRule.groups(config.fusionChannels()), projGnWeight[i], projGnBias[i]);
            out.add(p.relu());
        }
        return out;
    }

    /** spec §4.2: {@code u = concat_i(v_i / (‖v_i‖₂ + 1e-6))} with {@code v_i} the spatial mean of {@code p_i}. */
    static Tensor descriptor(List<Tensor> projected) {
        List<Tensor> parts = new ArrayList<>();
        for (Tensor p : projected) {
            Tensor v = p.mean(new int[] {2, 3}, false);
            parts.add(v.div(v.norm(new int[] {1}, true).add(NORM_EPS)));
        }
        return Tensors.concat(parts, 1);
    }

    /** spec §4.3: {@code s = W2·ReLU(W1·u) + b2}. */
    Tensor scores(Tensor descriptor) {
        return Functional.linear(Functional.linear(descriptor, fc0Weight, null).relu(), fc2Weight, fc2Bias);
    }

    /** spec §4.3: {@code ω = softmax(s / τ)}, {@code τ = softplus(temp_param) + 1e-6}. */
    Tensor softmaxWeights(Tensor scores) {
        return scores.div(temperature()).softmax(1);
    }

    /** The fusion temperature τ (a scalar tensor). */
    public Tensor temperature() {
        requireDynamic("temperature");
        return tempParam.softplus().add(TEMP_EPS);
    }

    /** spec §4.4: {@code F = Σ_i ω[:, i]·p_i}, one weight per image and level. */
    static Tensor weightedSum(List<Tensor> projected, Tensor weights) {
        long b = projected.get(0).size(0);
        Tensor fused = null;
        for (int i = 0; i < projected.size(); i++) {
            Tensor w = weights.narrow(1, i, 1).reshape(b, 1, 1, 1);
            Tensor term = projected.get(i).mul(w);
            fused = fused == null ? term : fused.add(term);
        }
        return fused;
    }

    /** spec §8 (NWFF): {@code F = Σ_i p_i}. */
    static Tensor plainSum(List<Tensor> projected) {
        Tensor fused = projected.get(0);
        for (int i = 1; i < projected.size(); i++) {
            fused = fused.add(projected.get(i));
        }
        return projected.size() == 1 ? fused.mul(1.0) : fused;
    }

    /** spec §4.5: ConvBlock, ×2, ×2, ConvBlock, ×2, ×2, 1×1 classifier. */
    public Tensor decode(Tensor fused) {
        Tensor y = block1.apply(fused);
        y = upsample2(upsample2(y));
        y = block2.apply(y);
        y = upsample2(upsample2(y));
        return Functional.conv2d(y, classifierWeight, classifierBias, ONE, ZERO, ONE, 1);
    }

    /**
     * GroupNorm (torch semantics: biased variance per sample and group, eps 1e-5, per-channel affine) through the
     * backend's fused layer-norm kernel on {@code [N, G, C/G·H·W]}: two kernels instead of the dozen elementwise
     * ops of the composite form, forward and backward.
     */
    static Tensor groupNorm(Tensor x, int groups, Tensor weight, Tensor bias) {
        long n = x.size(0);
        long c = x.size(1);
        long per = x.numel() / (n * groups);
        Tensor y = Functional.layerNorm(x.reshape(n, groups, per), new long[] {per}, null, null, GN_EPS)
                .reshape(x.shape());
        return y.mul(weight.reshape(1, c, 1, 1)).add(bias.reshape(1, c, 1, 1));
    }

    /** One ×2 bilinear step with half-pixel centres ({@code align_corners=False}, spec §4.5). */
    public static Tensor upsample2(Tensor x) {
        return Functional.interpolate(x, new int[] {(int) x.size(2) * 2, (int) x.size(3) * 2},
                InterpolationMode.BILINEAR, false);
    }

    private void requireDynamic(String what) {
        if (tempParam == null) {
            throw new IllegalStateException("DwffDecoder: " + what + " exists only for dynamic fusion (DWFF), this"
                    + " decoder uses " + config.fusion());
        }
    }

    @Override
    protected String extraRepr() {
        return config.toString();
    }

    /** A ConvBlock (official {@code ConvBlock}, residual off): parameters at {@code conv.0/1/4/5}. */
    private final class Block {
        private final Tensor w0;
        private final Tensor gn1w;
        private final Tensor gn1b;
        private final Tensor w4;
        private final Tensor gn5w;
        private final Tensor gn5b;
        private final int groups;
        private final double dropout;

        Block(Node owner, TensorBackend be, int in, int out, double dropout, Generator gen, DType dtype) {
            Node conv = owner.child("conv");
            this.w0 = conv.child("0").param("weight", Init.defaultWeight(be, new long[] {out, in, 3, 3}, gen), dtype);
            Node gn1 = conv.child("1");
            this.gn1w = gn1.param("weight", be.ones(out), dtype);
            this.gn1b = gn1.param("bias", be.zeros(out), dtype);
            this.w4 = conv.child("4").param("weight", Init.defaultWeight(be, new long[] {out, out, 3, 3}, gen), dtype);
            Node gn5 = conv.child("5");
            this.gn5w = gn5.param("weight", be.ones(out), dtype);
            this.gn5b = gn5.param("bias", be.zeros(out), dtype);
            this.groups = GroupRule.groups(out);
            this.dropout = dropout;
        }

        Tensor apply(Tensor x) {
            int[] pad = {1, 1};
            Tensor y = Functional.conv2d(x, w0, null, ONE, pad, ONE, 1);
            y = groupNorm(y, groups, gn1w, gn1b).relu();
            y = dropout2d(y);
            y = Functional.conv2d(y, w4, null, ONE, pad, ONE, 1);
            return groupNorm(y, groups, gn5w, gn5b).relu();
        }

        /** Dropout2d: whole channels zeroed with probability p in training, the rest scaled by 1/(1-p). */
        private Tensor dropout2d(Tensor y) {
            if (!isTraining() || dropout == 0) {
                return y;
            }
            Tensor keep = dropoutGenerator.bernoulli(y.backend(), Shape.of(y.size(0), y.size(1), 1, 1), 1 - dropout)
                    .to(y.dtype());
            return y.mul(keep).div(1 - dropout);
        }
    }

    /** A parameter holder that gives the official dotted names ({@code projections.0.1.weight}); not callable. */
    private static final class Node extends Module {
        Node child(String name) {
            Module m = children().get(name);
            return m != null ? (Node) m : registerModule(name, new Node());
        }

        Tensor param(String name, Tensor value, DType dtype) {
            Tensor v = value.dtype() == dtype ? value : Tensors.unscoped(() -> value.to(dtype));
            if (v != value) {
                value.close();
            }
            return registerParameter(name, v);
        }

        @Override
        public Tensor forward(Tensor input) {
            throw new UnsupportedOperationException("a DWFF parameter group is not a layer; call DwffDecoder.run");
        }
    }
}
