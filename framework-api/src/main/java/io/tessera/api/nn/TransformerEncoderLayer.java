package io.tessera.api.nn;

import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.Tensors;
import org.apiguardian.api.API;

/**
 * One transformer encoder block, PyTorch's {@code nn.TransformerEncoderLayer}: self-attention and a feed-forward
 * network {@code linear2(dropout(act(linear1(x))))}, each in a residual branch with layer norm, after the branch
 * (post-norm, PyTorch's default) or before it ({@link Builder#normFirst}, as in ViT):
 *
 * <pre>
 * post-norm: x = norm1(x + dropout1(sa(x)));        x = norm2(x + dropout2(ff(x)))
 * pre-norm:  x = x + dropout1(sa(norm1(x)));        x = x + dropout2(ff(norm2(x)))
 * </pre>
 *
 * State-dict names are PyTorch's: {@code self_attn.in_proj_weight}, {@code self_attn.in_proj_bias},
 * {@code self_attn.out_proj.*}, {@code linear1.*}, {@code linear2.*}, {@code norm1.*}, {@code norm2.*}. Defaults are
 * PyTorch's: {@code dim_feedforward=2048}, {@code dropout=0.1}, ReLU, {@code layer_norm_eps=1e-5}, sequence-first.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.1")
public final class TransformerEncoderLayer extends Module {
    /** The feed-forward activation. */
    public enum Activation {
        /** {@code max(x, 0)}. */
        RELU,
        /** Exact (erf) GELU. */
        GELU
    }

    private final MultiheadAttention selfAttn;
    private final Linear linear1;
    private final Dropout dropout;
    private final Linear linear2;
    private final LayerNorm norm1;
    private final LayerNorm norm2;
    private final Dropout dropout1;
    private final Dropout dropout2;
    private final boolean normFirst;
    private final Activation activation;

    private TransformerEncoderLayer(Builder b) {
        if (b.dimFeedforward < 1) {
            throw new IllegalArgumentException("TransformerEncoderLayer: dim_feedforward must be >= 1, got "
                    + b.dimFeedforward);
        }
        Generator g = b.generator;
        this.selfAttn = registerModule("self_attn", MultiheadAttention.builder(b.backend, b.dModel, b.nhead)
                .dropout(b.dropout).batchFirst(b.batchFirst).bias(b.bias).generator(g).build());
        this.linear1 = registerModule("linear1", new Linear(b.backend, b.dModel, b.dimFeedforward, b.bias, g));
        this.dropout = registerModule("dropout", new Dropout(b.dropout, g));
        this.linear2 = registerModule("linear2", new Linear(b.backend, b.dimFeedforward, b.dModel, b.bias, g));
        this.normFirst = b.normFirst;
        this.norm1 = registerModule("norm1", new LayerNorm(b.backend, new long[] {b.dModel}, b.layerNormEps, true));
        this.norm2 = registerModule("norm2", new LayerNorm(b.backend, new long[] {b.dModel}, b.layerNormEps, true));
        this.dropout1 = registerModule("dropout1", new Dropout(b.dropout, g));
        this.dropout2 = registerModule("dropout2", new Dropout(b.dropout, g));
        this.activation = b.activation;
    }

    /**
     * A builder with PyTorch's defaults for a model width {@code dModel} and {@code nhead} heads.
     *
     * <pre>{@code
     * TransformerEncoderLayer vit = TransformerEncoderLayer.builder(backend, 192, 3)
     *         .dimFeedforward(768).activation(Activation.GELU).normFirst(true).batchFirst(true)
     *         .dropout(0).generator(new Generator(1)).build();
     * }</pre>
     */
    public static Builder builder(TensorBackend backend, int dModel, int nhead) {
        return new Builder(backend, dModel, nhead);
    }

    /** The block without masks. */
    @Override
    public Tensor forward(Tensor src) {
        return forward(src, null, null);
    }

    /**
     * The block with an optional attention mask ({@code [L, L]} or {@code [N*H, L, L]}) and key padding mask
     * ({@code [N, L]}), as in {@link MultiheadAttention}; either may be null.
     */
    public Tensor forward(Tensor src, Tensor srcMask, Tensor srcKeyPaddingMask) {
        return Tensors.inScope(() -> {
            Tensor x = src;
            if (normFirst) {
                x = x.add(saBlock(norm1.forward(x), srcMask, srcKeyPaddingMask));
                x = x.add(ffBlock(norm2.forward(x)));
            } else {
                x = norm1.forward(x.add(saBlock(x, srcMask, srcKeyPaddingMask)));
                x = norm2.forward(x.add(ffBlock(x)));
            }
            return x;
        });
    }

    private Tensor saBlock(Tensor x, Tensor mask, Tensor kpm) {
        return dropout1.forward(selfAttn.forward(x, x, x, kpm, mask, false, true).output());
    }

    private Tensor ffBlock(Tensor x) {
        Tensor h = linear1.forward(x);
        Tensor a = activation == Activation.GELU ? h.gelu() : h.relu();
        return dropout2.forward(linear2.forward(dropout.forward(a)));
    }

    /** The self-attention sub-layer. */
    public MultiheadAttention selfAttn() {
        return selfAttn;
    }

    /** The first feed-forward projection ({@code d_model -> dim_feedforward}). */
    public Linear linear1() {
        return linear1;
    }

    /** The second feed-forward projection ({@code dim_feedforward -> d_model}). */
    public Linear linear2() {
        return linear2;
    }

    /** The norm of the attention branch. */
    public LayerNorm norm1() {
        return norm1;
    }

    /** The norm of the feed-forward branch. */
    public LayerNorm norm2() {
        return norm2;
    }

    /** Whether the norms come before the branches (pre-norm). */
    public boolean normFirst() {
        return normFirst;
    }

    /** The feed-forward activation. */
    public Activation activation() {
        return activation;
    }

    @Override
    protected String extraRepr() {
        return "norm_first=" + normFirst + ", activation=" + activation.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Options of a {@link TransformerEncoderLayer}, with PyTorch's defaults. */
    public static final class Builder {
        private final TensorBackend backend;
        private final int dModel;
        private final int nhead;
        private int dimFeedforward = 2048;
        private double dropout = 0.1;
        private Activation activation = Activation.RELU;
        private double layerNormEps = 1e-5;
        private boolean batchFirst;
        private boolean normFirst;
        private boolean bias = true;
        private Generator generator = Init.unseeded();

        private Builder(TensorBackend backend, int dModel, int nhead) {
            this.backend = backend;
            this.dModel = dModel;
            this.nhead = nhead;
        }

        /** Inner width of the feed-forward network; default 2048. */
        public Builder dimFeedforward(int d) {
            this.dimFeedforward = d;
            return this;
        }

        /** Dropout probability (attention weights, feed-forward, both residual branches); default 0.1. */
        public Builder dropout(double p) {
            this.dropout = p;
            return this;
        }

        /** Feed-forward activation; default ReLU. */
        public Builder activation(Activation a) {
            this.activation = java.util.Objects.requireNonNull(a, "activation");
            return this;
        }

        /** Layer-norm epsilon; default 1e-5. */
        public Builder layerNormEps(double eps) {
            this.layerNormEps = eps;
            return this;
        }

        /** Inputs {@code [N, L, E]} instead of {@code [L, N, E]}; default false. */
        public Builder batchFirst(boolean b) {
            this.batchFirst = b;
            return this;
        }

        /** Pre-norm instead of post-norm; default false. */
        public Builder normFirst(boolean b) {
            this.normFirst = b;
            return this;
        }

        /** Biases in the linear layers and attention; default true. */
        public Builder bias(boolean b) {
            this.bias = b;
            return this;
        }

        /** Generator for the initialisation and the dropout masks. */
        public Builder generator(Generator g) {
            this.generator = g;
            return this;
        }

        /** The layer. */
        public TransformerEncoderLayer build() {
            return new TransformerEncoderLayer(this);
        }
    }
}
