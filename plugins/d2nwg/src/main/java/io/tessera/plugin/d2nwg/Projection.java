package io.tessera.plugin.d2nwg;

import io.tessera.api.tensor.Generator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;

/**
 * A 2-D PCA projection of weight vectors (fitted on the real zoo vectors, by power iteration with deflation on the
 * centred data) and an SVG scatter plot of real vs generated vectors for the report.
 */
final class Projection {
    private final double[] mean;
    private final double[][] axes;

    private Projection(double[] mean, double[][] axes) {
        this.mean = mean;
        this.axes = axes;
    }

    static Projection fit(double[][] rows, int components, long seed) {
        int d = rows[0].length;
        double[] mean = new double[d];
        for (double[] r : rows) {
            for (int j = 0; j < d; j++) {
                mean[j] += r[j] / rows.length;
            }
        }
        double[][] c = new double[rows.length][d];
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < d; j++) {
                c[i][j] = rows[i][j] - mean[j];
            }
        }
        double[][] axes = new double[components][];
        Generator gen = new Generator(seed);
        for (int k = 0; k < components; k++) {
            double[] v = new double[d];
            for (int j = 0; j < d; j++) {
                v[j] = gen.nextGaussian();
            }
            normalise(v);
            for (int it = 0; it < 200; it++) {
                double[] w = new double[d];
                for (double[] r : c) {
                    double p = dot(r, v);
                    for (int j = 0; j < d; j++) {
                        w[j] += p * r[j];
                    }
                }
                for (int q = 0; q < k; q++) { // deflate
                    double p = dot(w, axes[q]);
                    for (int j = 0; j < d; j++) {
                        w[j] -= p * axes[q][j];
                    }
                }
                if (normalise(w) == 0) {
                    break;
                }
                v = w;
            }
            axes[k] = v;
        }
        return new Projection(mean, axes);
    }

    double[] project(double[] row) {
        double[] out = new double[axes.length];
        for (int k = 0; k < axes.length; k++) {
            double s = 0;
            for (int j = 0; j < row.length; j++) {
                s += (row[j] - mean[j]) * axes[k][j];
            }
            out[k] = s;
        }
        return out;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static double normalise(double[] v) {
        double n = Math.sqrt(dot(v, v));
        if (n > 0) {
            for (int i = 0; i < v.length; i++) {
                v[i] /= n;
            }
        }
        return n;
    }

    /** A named group of 2-D points with its colour. */
    record Group(String name, String colour, List<double[]> points) {
    }

    /** Writes an SVG scatter plot of the groups (atomically). */
    static void scatterSvg(Path file, String title, List<Group> groups) throws IOException {
        double minX = Double.POSITIVE_INFINITY;
        double maxX = Double.NEGATIVE_INFINITY;
        double minY = Double.POSITIVE_INFINITY;
        double maxY = Double.NEGATIVE_INFINITY;
        for (Group g : groups) {
            for (double[] p : g.points()) {
                minX = Math.min(minX, p[0]);
                maxX = Math.max(maxX, p[0]);
                minY = Math.min(minY, p[1]);
                maxY = Math.max(maxY, p[1]);
            }
        }
        double w = 640;
        double h = 480;
        double m = 50;
        double sx = (w - 2 * m) / Math.max(1e-12, maxX - minX);
        double sy = (h - 2 * m) / Math.max(1e-12, maxY - minY);
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\""
                + " font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
                w, h));
        svg.append(String.format(Locale.ROOT, "<text x=\"%.0f\" y=\"24\" text-anchor=\"middle\" font-size=\"14\">%s</text>\n",
                w / 2, esc(title)));
        svg.append(String.format(Locale.ROOT, "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"none\""
                + " stroke=\"#888\"/>\n", m, m, w - 2 * m, h - 2 * m));
        svg.append(String.format(Locale.ROOT, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\">PC 1</text>\n", w / 2,
                h - 15));
        svg.append(String.format(Locale.ROOT, "<text x=\"15\" y=\"%.0f\" transform=\"rotate(-90 15 %.0f)\""
                + " text-anchor=\"middle\">PC 2</text>\n", h / 2, h / 2));
        int li = 0;
        for (Group g : groups) {
            for (double[] p : g.points()) {
                svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\""
                        + " fill-opacity=\"0.6\"/>\n", m + (p[0] - minX) * sx, h - m - (p[1] - minY) * sy, g.colour()));
            }
            svg.append(String.format(Locale.ROOT, "<circle cx=\"%.0f\" cy=\"%.0f\" r=\"5\" fill=\"%s\"/><text x=\"%.0f\""
                    + " y=\"%.0f\">%s (%d)</text>\n", m + 10, m + 15 + 18 * li, g.colour(), m + 20, m + 19 + 18 * li,
                    esc(g.name()), g.points().size()));
            li++;
        }
        svg.append("</svg>\n");
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, svg);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
