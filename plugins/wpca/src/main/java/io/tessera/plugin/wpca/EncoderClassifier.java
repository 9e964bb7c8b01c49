package io.tessera.plugin.wpca;

import io.tessera.api.nn.Init;
import io.tessera.api.nn.LayerNorm;
import io.tessera.api.nn.Linear;
import io.tessera.api.nn.Module;
import io.tessera.api.nn.ModuleList;
import io.tessera.api.nn.MultiheadAttention;
import io.tessera.api.tensor.Generator;
import io.tessera.api.tensor.Tensor;
import io.tessera.api.tensor.TensorBackend;
import io.tessera.api.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import org.apiguardian.api.API;

/**
 * A candidate of the {@link SearchSpace} as a network: each image row is a token ({@code embed}: Linear
 * {@code tokenDim → hidden} plus a learned {@code pos_embedding}), the architecture's blocks, then a mean over tokens,
 * a LayerNorm and a linear classifier. Every block exposes its FFN pre-activation {@code linear1(x)} (spec §2 step 2)
 * through {@link #forward(Tensor, List)}: W-PCA measures those, before the GELU.
 *
 * <pre>
 * BERT:        x = norm1(x + attn(x));  h = linear1(x);  x = norm2(x + linear2(gelu(h)))
 * bottleneck:  b = bottleneck_in(x);  a = norm1(b + attn(b));  h = linear1(a);  f = norm2(a + linear2(gelu(h)));
 *              x = norm3(x + bottleneck_out(f))          (attention and FFN on hidden/2)
 * </pre>
 */
@API(status = API.Status.EXPERIMENTAL, since = "1.0")
public final class EncoderClassifier extends Module {
    private final SearchSpace space;
    private final Architecture architecture;
    private final Linear embed;
    private final Tensor posEmbedding;
    private final ModuleList<Block> blocks;
    private final LayerNorm norm;
    private final Linear head;

    /** A block that also reports its FFN pre-activation. */
    abstract static class Block extends Module {
        abstract Tensor forward(Tensor x, List<Tensor> preActivations);

        @Override
        public Tensor forward(Tensor x) {
            return forward(x, null);
        }
    }

    /** The network of {@code a}, initialised from {@code gen}. */
    public EncoderClassifier(TensorBackend be, SearchSpace space, Architecture a, Generator gen) {
        this.space = space;
        this.architecture = a;
        int h = space.hidden();
        this.embed = registerModule("embed", new Linear(be, space.tokenDim(), h, gen));
        this.posEmbedding = registerParameter("pos_embedding",
                Init.normal(be, new long[] {space.seqLen(), h}, 0, 0.02, gen));
        List<Block> bs = new ArrayList<>();
        for (Architecture.Layer l : a.layers()) {
            bs.add(l.type() == BlockType.BERT ? new BertBlock(be, h, space.heads(), l.ffn(), gen)
                    : new BottleneckBlock(be, h, space.heads(), l.ffn(), gen));
        }
        this.blocks = registerModule("layers", new ModuleList<>(bs));
        this.norm = registerModule("norm", new LayerNorm(be, h));
        this.head = registerModule("head", new Linear(be, h, space.classes(), gen));
    }

    /** Logits {@code [B, classes]} of images {@code [B, 1, H, W]} or sequences {@code [B, L, tokenDim]}. */
    @Override
    public Tensor forward(Tensor input) {
        return forward(input, null);
    }

    /**
     * Logits, adding each block's FFN pre-activation {@code [B, L, d_l]} to {@code preActivations} when it is not
     * null; they belong to no scope, so the caller closes them.
     */
    public Tensor forward(Tensor input, List<Tensor> preActivations) {
        Tensor x0 = input.rank() == 4 ? input.reshape(input.size(0), space.seqLen(), space.tokenDim()) : input;
        if (x0.rank() != 3 || x0.size(1) != space.seqLen() || x0.size(2) != space.tokenDim()) {
            throw new IllegalArgumentException("encoder: input " + input.shape() + " must be [B, 1, " + space.seqLen()
                    + ", " + space.tokenDim() + "] images or [B, " + space.seqLen() + ", " + space.tokenDim()
                    + "] sequences");
        }
        List<Tensor> kept = new ArrayList<>();
        Tensor logits = Tensors.inScope(() -> {
            Tensor x = embed.forward(x0).add(posEmbedding);
            for (Block b : blocks.asList()) {
                x = b.forward(x, preActivations == null ? null : kept);
            }
            return head.forward(norm.forward(x.mean(1, false)));
        });
        if (preActivations != null) {
            preActivations.addAll(kept);
        }
        return logits;
    }

    /** Parameters W-PCA counts: all but the classifier head and its norm (spec §2 step 5). */
    public long encoderParameterCount() {
        long n = 0;
        for (var e : namedParameters().entrySet()) {
            if (!e.getKey().startsWith("head.") && !e.getKey().startsWith("norm.")) {
                n += e.getValue().numel();
            }
        }
        return n;
    }

    /** The architecture this network was built from. */
    public Architecture architecture() {
        return architecture;
    }

    private static Tensor keepProbe(Tensor h, List<Tensor> probe) {
        if (probe != null) {
            // leaves the block's scope with the caller (closing with the caller's scope)
            probe.add(Tensors.unscoped(h::detach));
        }
        return h;
    }

    static final class BertBlock extends Block {
        private final MultiheadAttention attn;
        private final LayerNorm norm1;
        private final Linear linear1;
        private final Linear linear2;
        private final LayerNorm norm2;

        BertBlock(TensorBackend be, int h, int heads, int ffn, Generator g) {
            attn = registerModule("attn", MultiheadAttention.builder(be, h, heads).batchFirst(true).generator(g)
                    .build());
            norm1 = registerModule("norm1", new LayerNorm(be, h));
            linear1 = registerModule("linear1", new Linear(be, h, ffn, g));
            linear2 = registerModule("linear2", new Linear(be, ffn, h, g));
            norm2 = registerModule("norm2", new LayerNorm(be, h));
        }

        @Override
        Tensor forward(Tensor x, List<Tensor> probe) {
            return Tensors.inScope(() -> {
                Tensor a = norm1.forward(x.add(attn.forward(x)));
                Tensor pre = keepProbe(linear1.forward(a), probe);
                return norm2.forward(a.add(linear2.forward(pre.gelu())));
            });
        }
    }

    static final class BottleneckBlock extends Block {
        private final Linear bottleneckIn;
        private final MultiheadAttention attn;
        private final LayerNorm norm1;
        private final Linear linear1;
        private final Linear linear2;
        private final LayerNorm norm2;
        private final Linear bottleneckOut;
        private final LayerNorm norm3;

        BottleneckBlock(TensorBackend be, int h, int heads, int ffn, Generator g) {
            int i = h / 2;
            bottleneckIn = registerModule("bottleneck_in", new Linear(be, h, i, g));
            attn = registerModule("attn", MultiheadAttention.builder(be, i, heads).batchFirst(true).generator(g)
                    .build());
            norm1 = registerModule("norm1", new LayerNorm(be, i));
            linear1 = registerModule("linear1", new Linear(be, i, ffn, g));
            linear2 = registerModule("linear2", new Linear(be, ffn, i, g));
            norm2 = registerModule("norm2", new LayerNorm(be, i));
            bottleneckOut = registerModule("bottleneck_out", new Linear(be, i, h, g));
            norm3 = registerModule("norm3", new LayerNorm(be, h));
        }

        @Override
        Tensor forward(Tensor x, List<Tensor> probe) {
            return Tensors.inScope(() -> {
                Tensor b = bottleneckIn.forward(x);
                Tensor a = norm1.forward(b.add(attn.forward(b)));
                Tensor pre = keepProbe(linear1.forward(a), probe);
                Tensor f = norm2.forward(a.add(linear2.forward(pre.gelu())));
                return norm3.forward(x.add(bottleneckOut.forward(f)));
            });
        }
    }
}
