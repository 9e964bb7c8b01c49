package io.tessera.plugin.dcd;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * {@code queries.png} and {@code queries.json} of {@code dcd/evaluate}: text queries with their five best images
 * (green frame: the image shows the caption's ordered pair, red: it does not) and image queries with their five best
 * captions (marked the same way).
 */
final class QueryGallery {
    private static final int TOP = 5;
    private static final int SCALE = 2;
    private static final int GAP = 8;
    private static final int TEXT_W = 300;

    private QueryGallery() {
    }

    static void write(Path dir, String label, Composites test, int[] items, double[][] scores, int queries)
            throws IOException {
        int q = Math.min(queries, items.length / 2);
        List<Integer> textQueries = new ArrayList<>();
        List<Integer> imageQueries = new ArrayList<>();
        java.util.Set<Integer> keys = new java.util.HashSet<>();
        for (int i = 0; i < items.length && (textQueries.size() < q || imageQueries.size() < q); i++) {
            if (keys.add(test.key(items[i]))) {
                (textQueries.size() < q ? textQueries : imageQueries).add(i);
            }
        }
        int iw = test.width() * SCALE;
        int ih = test.height() * SCALE;
        int top = Math.min(TOP, items.length);
        int width = TEXT_W + GAP + top * (iw + GAP) + GAP;
        int rowH = Math.max(ih, 14 * (top + 1)) + 2 * GAP;
        int height = 24 + (textQueries.size() + imageQueries.size()) * rowH + GAP;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        g.drawString(label + ": top-" + top + " (green = same ordered pair as the query)", GAP, 16);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        StringBuilder json = new StringBuilder("{\n  \"model\": \"").append(esc(label)).append("\",\n");
        json.append("  \"text_to_image\": [\n");
        int y = 24 + GAP;
        for (int n = 0; n < textQueries.size(); n++) {
            int qi = textQueries.get(n);
            int[] order = ranked(column(scores, qi));
            g.setColor(Color.BLACK);
            g.drawString("\"" + test.caption(items[qi]) + "\"", GAP, y + ih / 2);
            json.append("    {\"query\": \"").append(esc(test.caption(items[qi]))).append("\", \"top\": [");
            for (int r = 0; r < top; r++) {
                int it = items[order[r]];
                int x = TEXT_W + GAP + r * (iw + GAP);
                boolean hit = test.key(it) == test.key(items[qi]);
                g.setColor(hit ? new Color(0x2ca02c) : new Color(0xd62728));
                g.fillRect(x - 3, y - 3, iw + 6, ih + 6);
                g.drawImage(greyImage(test, it), x, y, iw, ih, null);
                json.append(r == 0 ? "" : ", ").append("{\"item\": ").append(it).append(", \"caption\": \"")
                        .append(esc(test.caption(it))).append("\", \"match\": ").append(hit).append('}');
            }
            json.append("]}").append(n + 1 < textQueries.size() ? ",\n" : "\n");
            y += rowH;
        }
        json.append("  ],\n  \"image_to_text\": [\n");
        for (int n = 0; n < imageQueries.size(); n++) {
            int qi = imageQueries.get(n);
            int[] order = ranked(scores[qi]);
            g.drawImage(greyImage(test, items[qi]), GAP, y, iw, ih, null);
            g.setColor(Color.GRAY);
            g.drawString("(" + test.caption(items[qi]) + ")", GAP, y + ih + 12);
            json.append("    {\"query_item\": ").append(items[qi]).append(", \"query_caption\": \"")
                    .append(esc(test.caption(items[qi]))).append("\", \"top\": [");
            for (int r = 0; r < top; r++) {
                int it = items[order[r]];
                boolean hit = test.key(it) == test.key(items[qi]);
                g.setColor(hit ? new Color(0x2ca02c) : new Color(0xd62728));
                g.drawString((r + 1) + ". " + test.caption(it), TEXT_W + GAP, y + 12 + 14 * r);
                json.append(r == 0 ? "" : ", ").append("{\"caption\": \"").append(esc(test.caption(it)))
                        .append("\", \"match\": ").append(hit).append('}');
            }
            json.append("]}").append(n + 1 < imageQueries.size() ? ",\n" : "\n");
            y += rowH;
        }
        json.append("  ]\n}\n");
        g.dispose();
        Path png = dir.resolve("queries.png");
        Path tmp = dir.resolve("queries.png.tmp");
        ImageIO.write(img, "png", tmp.toFile());
        Files.move(tmp, png, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.writeString(dir.resolve("queries.json"), json, StandardCharsets.UTF_8);
    }

    private static double[] column(double[][] scores, int j) {
        double[] out = new double[scores.length];
        for (int i = 0; i < scores.length; i++) {
            out[i] = scores[i][j];
        }
        return out;
    }

    /** Indices by descending score, ties in index order. */
    private static int[] ranked(double[] v) {
        Integer[] o = new Integer[v.length];
        Arrays.setAll(o, i -> i);
        Arrays.sort(o, (a, b) -> Double.compare(v[b], v[a]));
        return Arrays.stream(o).mapToInt(Integer::intValue).toArray();
    }

    private static BufferedImage greyImage(Composites set, int item) {
        float[] px = set.pixels(new int[] {item});
        BufferedImage b = new BufferedImage(set.width(), set.height(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < set.height(); y++) {
            for (int x = 0; x < set.width(); x++) {
                int v = Math.round(Math.max(0, Math.min(1, px[y * set.width() + x])) * 255);
                b.setRGB(x, y, (v << 16) | (v << 8) | v);
            }
        }
        return b;
    }

    private static String esc(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
