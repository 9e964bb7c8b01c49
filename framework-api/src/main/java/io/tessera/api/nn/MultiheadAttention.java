package io.tessera.api.nn;

import io.tessera.api.tensor.Autograd;
import io.tessera.api.tensor.DType;
import io.tessera.api.tensor.Functional;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Shape;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.TensorScope;
import io.tessera.api.tensor.Tensors;
import org.apiguardian.api.API;

/**
 * Multi-head scaled dot-product attention, PyTorch's {@code nn.MultiheadAttention}:
 * {@code out = concat_h(softmax(q_h k_h^T / sqrt(d_h) + mask) v_h) W_o^T + b_o}, with {@code q, k, v} projected by
 * one packed {@code in_proj_weight [3E, E]} and {@code in_proj_bias [3E]} (or {@code q_proj_weight},
 * {@code k_proj_weight}, {@code v_proj_weight} when the key or value size differs from {@code E}, as in PyTorch) and
 * the output by {@code out_proj} (a {@link Linear}). State-dict names and initialisation are PyTorch's: Xavier-uniform
 * projections, zero {@code in_proj_bias} and {@code out_proj.bias}, {@code out_proj.weight} as a default
 * {@link Linear}.
 *
 * <p>Inputs are {@code [L, N, E]} (sequence first, PyTorch's default), {@code [N, L, E]} with
 * {@link Builder#batchFirst}, or unbatched {@code [L, E]}. Masks follow PyTorch:
 * <ul>
 *   <li>{@code keyPaddingMask [N, S]} (or {@code [S]} unbatched): bool, {@code true} = this key is padding and is
 *       ignored; or floating point, added to the scores.</li>
 *   <li>{@code attnMask [L, S]} or {@code [N*H, L, S]}: bool, {@code true} = not allowed to attend; or floating
 *       point, added to the scores.</li>
 * </ul>
 * A query whose keys are all masked gets NaN, as in PyTorch. Dropout on the attention weights is active only in
 * training mode and draws from the layer's {@link Generator}. {@code add_bias_kv} and {@code add_zero_attn} are not
 * supported.
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.1")
public final class MultiheadAttention extends Module {
    private final int embedDim;
    private final int kdim;
    private final int vdim;
    private final int numHeads;
    private final int headDim;
    private final double dropout;
    private final boolean batchFirst;
    private final Generator generator;
    private final Tensor inProjWeight;
    private final Tensor qProjWeight;
    private final Tensor kProjWeight;
    private final Tensor vProjWeight;
    private final Tensor inProjBias;
    private final Linear outProj;

    /**
     * What a forward pass returns: the attention output, and the attention weights ({@code [N, L, S]} averaged over
     * heads, or {@code [N, H, L, S]}; without the batch axis for unbatched input) or null when not asked for.
     */
    public record Output(Tensor output, Tensor weights) implements AutoCloseable {
        @Override
        public void close() {
            output.close();
            if (weights != null) {
                weights.close();
            }
        }
    }

    /** Self- or cross-attention with {@code embedDim} split over {@code numHeads}, no dropout, sequence first. */
    public MultiheadAttention(TensorBackend backend, int embedDim, int numHeads, Generator gen) {
        this(builder(backend, embedDim, numHeads).generator(gen));
    }

    private MultiheadAttention(Builder b) {
        if (b.embedDim < 1 || b.numHeads < 1 || b.embedDim % b.numHeads != 0) {
            throw new IllegalArgumentException("MultiheadAttention: embed_dim " + b.embedDim
                    + " must be >= 1 and divisible by num_heads " + b.numHeads);
        }
        if (b.kdim < 1 || b.vdim < 1) {
            throw new IllegalArgumentException("MultiheadAttention: kdim and vdim must be >= 1, got " + b.kdim + ", "
                    + b.vdim);
        }
        this.embedDim = b.embedDim;
        this.kdim = b.kdim;
        this.vdim = b.vdim;
        this.numHeads = b.numHeads;
        this.headDim = b.embedDim / b.numHeads;
        this.dropout = NnChecks.probability("MultiheadAttention", b.dropout);
        this.batchFirst = b.batchFirst;
        this.generator = b.generator;
        Generator g = b.generator;
        TensorBackend be = b.backend;
        boolean packed = kdim == embedDim && vdim == embedDim;
        long e = embedDim;
        // PyTorch's registration order: in_proj_weight or q/k/v_proj_weight, in_proj_bias, out_proj (_reset_parameters
        // draws in_proj (or q, k, v), then out_proj's own Linear init ran first at construction).
        Linear out = new Linear(be, embedDim, embedDim, b.bias, g);
        if (packed) {
            this.inProjWeight = registerParameter("in_proj_weight", Init.xavierUniform(be, new long[] {3 * e, e}, 1, g));
            this.qProjWeight = null;
            this.kProjWeight = null;
            this.vProjWeight = null;
        } else {
            this.inProjWeight = null;
            this.qProjWeight = registerParameter("q_proj_weight", Init.xavierUniform(be, new long[] {e, e}, 1, g));
            this.kProjWeight = registerParameter("k_proj_weight", Init.xavierUniform(be, new long[] {e, kdim}, 1, g));
            this.vProjWeight = registerParameter("v_proj_weight", Init.xavierUniform(be, new long[] {e, vdim}, 1, g));
        }
        this.inProjBias = registerParameter("in_proj_bias", b.bias ? be.zeros(Shape.of(3 * e), DType.FLOAT32) : null);
        this.outProj = registerModule("out_proj", out);
        if (out.bias() != null) {
            try (Autograd.NoGradSection ng = Autograd.noGrad()) {
                out.bias().fill(0);
            }
        }
    }

    /** A builder for {@code embedDim} split over {@code numHeads} heads. */
    public static Builder builder(TensorBackend backend, int embedDim, int numHeads) {
        return new Builder(backend, embedDim, numHeads);
    }

    /** Self-attention without masks: {@code forward(x, x, x)}'s output. */
    @Override
    public Tensor forward(Tensor input) {
        return Tensors.inScope(() -> forward(input, input, input, null, null, false, true).output());
    }

    /** Self-attention with optional masks (either may be null); returns the output only. */
    public Tensor forward(Tensor input, Tensor attnMask, Tensor keyPaddingMask) {
        return Tensors.inScope(() -> forward(input, input, input, keyPaddingMask, attnMask, false, true).output());
    }

    /**
     * The full PyTorch call {@code forward(query, key, value, key_padding_mask, need_weights, attn_mask,
     * average_attn_weights)}. Either mask may be null.
     */
    public Output forward(Tensor query, Tensor key, Tensor value, Tensor keyPaddingMask, Tensor attnMask,
            boolean needWeights, boolean averageAttnWeights) {
        String op = "MultiheadAttention";
        boolean batched = query.rank() == 3;
        if (!(query.rank() == 3 || query.rank() == 2) || key.rank() != query.rank() || value.rank() != query.rank()) {
            throw new IllegalArgumentException(op + ": query, key and value must all be 3-D ([L, N, E], or [N, L, E]"
                    + " with batch_first) or all 2-D (unbatched [L, E]), got " + query.shape() + ", " + key.shape()
                    + ", " + value.shape());
        }
        checkLast(op, "query", query, embedDim);
        checkLast(op, "key", key, kdim);
        checkLast(op, "value", value, vdim);
        try (TensorScope sc = Tensors.scope()) {
            // Work in [N, L, E].
            Tensor q = batched ? (batchFirst ? query : query.transpose(0, 1)) : query.unsqueeze(0);
            Tensor k = batched ? (batchFirst ? key : key.transpose(0, 1)) : key.unsqueeze(0);
            Tensor v = batched ? (batchFirst ? value : value.transpose(0, 1)) : value.unsqueeze(0);
            long n = q.size(0);
            long l = q.size(1);
            long s = k.size(1);
            if (k.size(0) != n || v.size(0) != n || v.size(1) != s) {
                throw new IllegalArgumentException(op + ": key " + key.shape() + " and value " + value.shape()
                        + " must share batch and source length, and match the query's batch " + query.shape());
            }
            Tensor qp;
            Tensor kp;
            Tensor vp;
            if (inProjWeight != null) {
                if (query == key && key == value) {
                    Tensor qkv = Functional.linear(q, inProjWeight, inProjBias);
                    qp = qkv.narrow(-1, 0, embedDim);
                    kp = qkv.narrow(-1, embedDim, embedDim);
                    vp = qkv.narrow(-1, 2L * embedDim, embedDim);
                } else {
                    qp = Functional.linear(q, inProjWeight.narrow(0, 0, embedDim), biasPart(0));
                    kp = Functional.linear(k, inProjWeight.narrow(0, embedDim, embedDim), biasPart(1));
                    vp = Functional.linear(v, inProjWeight.narrow(0, 2L * embedDim, embedDim), biasPart(2));
                }
            } else {
                qp = Functional.linear(q, qProjWeight, biasPart(0));
                kp = Functional.linear(k, kProjWeight, biasPart(1));
                vp = Functional.linear(v, vProjWeight, biasPart(2));
            }
            // [N, H, L, d]
            Tensor qh = qp.reshape(n, l, numHeads, headDim).permute(0, 2, 1, 3).mul(1.0 / Math.sqrt(headDim));
            Tensor kh = kp.reshape(n, s, numHeads, headDim).permute(0, 2, 3, 1);
            Tensor vh = vp.reshape(n, s, numHeads, headDim).permute(0, 2, 1, 3);
            Tensor scores = qh.matmul(kh);
            if (attnMask != null) {
                scores = applyMask(scores, attnMaskAs4d(op, attnMask, n, l, s));
            }
            if (keyPaddingMask != null) {
                scores = applyMask(scores, keyPaddingAs4d(op, keyPaddingMask, batched, n, s));
            }
            Tensor weights = scores.softmax(-1);
            Tensor dropped = isTraining() && dropout > 0
                    ? Functional.dropout(weights, dropout, true, generator) : weights;
            Tensor ctx = dropped.matmul(vh).permute(0, 2, 1, 3).reshape(n, l, embedDim);
            Tensor out = outProj.forward(ctx);
            if (!batched) {
                out = out.squeeze(0);
            } else if (!batchFirst) {
                out = out.transpose(0, 1);
            }
            Tensor w = null;
            if (needWeights) {
                w = averageAttnWeights ? weights.mean(1, false) : weights;
                if (!batched) {
                    w = w.squeeze(0);
                }
                w = sc.keep(w);
            }
            return new Output(sc.keep(out), w);
        }
    }

    private Tensor biasPart(int i) {
        return inProjBias == null ? null : inProjBias.narrow(0, (long) i * embedDim, embedDim);
    }

    private static void checkLast(String op, String what, Tensor t, int size) {
        if (t.size(-1) != size) {
            throw new IllegalArgumentException(op + ": " + what + " " + t.shape() + " must end in " + size);
        }
    }

    private static Tensor applyMask(Tensor scores, Tensor mask) {
        if (mask.dtype() == DType.BOOL) {
            return scores.maskedFill(mask, Double.NEGATIVE_INFINITY);
        }
        if (!mask.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("MultiheadAttention: a mask must be bool or floating point, got "
                    + mask.dtype() + mask.shape());
        }
        return scores.add(mask.dtype() == scores.dtype() ? mask : mask.to(scores.dtype()));
    }

    private Tensor attnMaskAs4d(String op, Tensor m, long n, long l, long s) {
        if (m.rank() == 2 && m.size(0) == l && m.size(1) == s) {
            return m;
        }
        if (m.rank() == 3 && m.size(0) == n * numHeads && m.size(1) == l && m.size(2) == s) {
            return m.reshape(n, numHeads, l, s);
        }
        throw new IllegalArgumentException(op + ": attn_mask " + m.shape() + " must be [L, S] = [" + l + ", " + s
                + "] or [N*num_heads, L, S] = [" + n * numHeads + ", " + l + ", " + s + "]");
    }

    private static Tensor keyPaddingAs4d(String op, Tensor m, boolean batched, long n, long s) {
        if (batched && m.rank() == 2 && m.size(0) == n && m.size(1) == s) {
            return m.reshape(n, 1, 1, s);
        }
        if (!batched && m.rank() == 1 && m.size(0) == s) {
            return m.reshape(1, 1, 1, s);
        }
        throw new IllegalArgumentException(op + ": key_padding_mask " + m.shape() + " must be [N, S] = [" + n + ", "
                + s + "] (or [S] for unbatched input)");
    }

    /** The packed projection {@code [3E, E]}, or null when key/value sizes differ from {@code E}. */
    public Tensor inProjWeight() {
        return inProjWeight;
    }

    /** The packed projection bias {@code [3E]}, or null without bias. */
    public Tensor inProjBias() {
        return inProjBias;
    }

    /** The output projection. */
    public Linear outProj() {
        return outProj;
    }

    /** Model width {@code E}. */
    public int embedDim() {
        return embedDim;
    }

    /** Number of heads. */
    public int numHeads() {
        return numHeads;
    }

    /** Whether inputs are {@code [N, L, E]}. */
    public boolean batchFirst() {
        return batchFirst;
    }

    @Override
    protected String extraRepr() {
        return "embed_dim=" + embedDim + ", num_heads=" + numHeads + ", dropout=" + dropout + ", batch_first="
                + batchFirst + (inProjWeight == null ? ", kdim=" + kdim + ", vdim=" + vdim : "");
    }

    /** Options of a {@link MultiheadAttention}, with PyTorch's defaults. */
    public static final class Builder {
        private final TensorBackend backend;
        private final int embedDim;
        private final int numHeads;
        private int kdim;
        private int vdim;
        private double dropout;
        private boolean bias = true;
        private boolean batchFirst;
        private Generator generator = Init.unseeded();

        private Builder(TensorBackend backend, int embedDim, int numHeads) {
            this.backend = backend;
            this.embedDim = embedDim;
            this.numHeads = numHeads;
            this.kdim = embedDim;
            this.vdim = embedDim;
        }

        /** Dropout probability on the attention weights (training only); default 0. */
        public Builder dropout(double p) {
            this.dropout = p;
            return this;
        }

        /** Whether the projections have biases; default true. */
        public Builder bias(boolean b) {
            this.bias = b;
            return this;
        }

        /** Inputs and outputs {@code [N, L, E]} instead of {@code [L, N, E]}; default false. */
        public Builder batchFirst(boolean b) {
            this.batchFirst = b;
            return this;
        }

        /** Key feature size (default {@code embedDim}); a different size gives separate projection weights. */
        public Builder kdim(int k) {
            this.kdim = k;
            return this;
        }

        /** Value feature size (default {@code embedDim}). */
        public Builder vdim(int v) {
            this.vdim = v;
            return this;
        }

        /** Generator for the initialisation and the dropout masks. */
        public Builder generator(Generator g) {
            this.generator = g;
            return this;
        }

        /** The layer. */
        public MultiheadAttention build() {
            return new MultiheadAttention(this);
        }
    }
}
