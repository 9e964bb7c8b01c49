package io.tessera.plugin.wpca;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/** Small PNG charts for the run report (a step's PNG files appear there): scatter plots and step curves. */
final class Plots {
    private static final int W = 640;
    private static final int H = 440;
    private static final int L = 80;
    private static final int R = 20;
    private static final int T = 40;
    private static final int B = 60;
    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
        new Color(0xff7f0e)};

    private Plots() {
    }

    /** A scatter plot of {@code y} against {@code x}. */
    static void scatter(Path file, String title, String xLabel, String yLabel, double[] x, double[] y)
            throws IOException {
        Frame f = new Frame(title, xLabel, yLabel, x, y);
        f.g.setColor(COLORS[0]);
        for (int i = 0; i < x.length; i++) {
            f.g.fillOval(f.px(x[i]) - 4, f.py(y[i]) - 4, 8, 8);
        }
        f.write(file);
    }

    /** Step curves {@code ys[k]} over the index, named {@code names[k]}. */
    static void curves(Path file, String title, String xLabel, String yLabel, List<String> names, List<double[]> ys)
            throws IOException {
        int n = ys.stream().mapToInt(a -> a.length).max().orElse(1);
        double[] xs = new double[n];
        for (int i = 0; i < n; i++) {
            xs[i] = i + 1;
        }
        double[] all = ys.stream().flatMapToDouble(java.util.Arrays::stream).toArray();
        Frame f = new Frame(title, xLabel, yLabel, xs, all);
        f.g.setStroke(new BasicStroke(2f));
        for (int k = 0; k < ys.size(); k++) {
            double[] y = ys.get(k);
            f.g.setColor(COLORS[k % COLORS.length]);
            for (int i = 1; i < y.length; i++) {
                f.g.drawLine(f.px(i), f.py(y[i - 1]), f.px(i + 1), f.py(y[i]));
            }
            f.g.drawString(names.get(k), L + 10, T + 16 + 16 * k);
        }
        f.write(file);
    }

    private static final class Frame {
        final BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        final Graphics2D g = img.createGraphics();
        final double x0;
        final double x1;
        final double y0;
        final double y1;

        Frame(String title, String xLabel, String yLabel, double[] x, double[] y) {
            double[] xr = range(x);
            double[] yr = range(y);
            x0 = xr[0];
            x1 = xr[1];
            y0 = yr[0];
            y1 = yr[1];
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, W, H);
            g.setColor(Color.DARK_GRAY);
            g.drawRect(L, T, W - L - R, H - T - B);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
            g.drawString(title, L, 24);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.drawString(xLabel, L + (W - L - R) / 2 - 40, H - 15);
            g.drawString(fmt(x0), L, H - B + 16);
            g.drawString(fmt(x1), W - R - 60, H - B + 16);
            g.drawString(fmt(y0), 4, H - B);
            g.drawString(fmt(y1), 4, T + 10);
            g.rotate(-Math.PI / 2);
            g.drawString(yLabel, -(T + (H - T - B) / 2 + 40), 30);
            g.rotate(Math.PI / 2);
        }

        int px(double v) {
            return L + (int) Math.round((v - x0) / (x1 - x0) * (W - L - R));
        }

        int py(double v) {
            return H - B - (int) Math.round((v - y0) / (y1 - y0) * (H - T - B));
        }

        void write(Path file) throws IOException {
            g.dispose();
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            ImageIO.write(img, "png", tmp.toFile());
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }

        private static double[] range(double[] v) {
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            for (double d : v) {
                if (Double.isFinite(d)) {
                    lo = Math.min(lo, d);
                    hi = Math.max(hi, d);
                }
            }
            if (!(lo < hi)) {
                lo = Double.isFinite(lo) ? lo - 1 : 0;
                hi = Double.isFinite(hi) ? hi + 1 : 1;
            }
            double pad = 0.05 * (hi - lo);
            return new double[] {lo - pad, hi + pad};
        }

        private static String fmt(double v) {
            return Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-2 && v != 0) ? String.format(Locale.ROOT, "%.3g", v)
                    : String.format(Locale.ROOT, "%.3f", v);
        }
    }
}
