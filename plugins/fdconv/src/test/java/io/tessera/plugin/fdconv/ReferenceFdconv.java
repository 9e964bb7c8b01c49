package io.tessera.plugin.fdconv;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An independent float64 re-implementation of the FDConv forward pass (spec §5, eval-mode batch norm, sigmoid gains,
 * FBM with one spatial group and no low-band gate), written as plain loops straight from the spec's formulas: direct
 * DFTs, the explicit C2R sum of §5.5, direct convolutions. The tests use it for float64 finite differences (spec §12
 * test 9) and as a second check of the golden outputs.
 */
final class ReferenceFdconv {
    final int b;
    final int cin;
    final int cout;
    final int h;
    final int w;
    final int k;
    final int stride;
    final int pad;
    final int kn;
    final int att;
    final int ks;
    final boolean fbm;
    final List<Integer> kList;
    final double temp;
    final double kernelTemp;
    final double attMulti;
    final FrequencyGroups groups;
    final double alpha;
    final Map<String, double[]> p = new HashMap<>();

    ReferenceFdconv(FDConv2d layer, int b, int h, int w) {
        this.b = b;
        this.cin = layer.inChannels();
        this.cout = layer.outChannels();
        this.h = h;
        this.w = w;
        this.k = layer.kernelSize();
        this.stride = layer.stride()[0];
        this.pad = layer.padding()[0];
        this.kn = layer.kernelNum();
        this.att = layer.attentionChannels();
        this.ks = KernelSpatialModulationLocal.kernelSizeFor(cin);
        this.fbm = layer.hasFbm();
        this.kList = layer.options().fbm().kList();
        this.temp = layer.options().tempFor(cout);
        this.kernelTemp = layer.options().kernelTempFor(cout);
        this.attMulti = layer.options().attMulti();
        this.groups = layer.frequencyGroups();
        this.alpha = layer.alpha();
        layer.stateDict().forEach((name, t) -> p.put(name, t.toDoubleArray()));
    }

    int outH() {
        return (h + 2 * pad - k) / stride + 1;
    }

    int outW() {
        return (w + 2 * pad - k) / stride + 1;
    }

    private static double sigmoid(double u) {
        return 1 / (1 + Math.exp(-u));
    }

    /** {@code sum(forward(x) · probe)}. */
    double loss(double[] x, double[] probe) {
        double[] y = forward(x);
        double s = 0;
        for (int i = 0; i < y.length; i++) {
            s += y[i] * probe[i];
        }
        return s;
    }

    double[] forward(double[] x) {
        int hw = h * w;
        // §5.1
        double[][] g = new double[b][cin];
        for (int n = 0; n < b; n++) {
            for (int c = 0; c < cin; c++) {
                double s = 0;
                for (int i = 0; i < hw; i++) {
                    s += x[(n * cin + c) * hw + i];
                }
                g[n][c] = s / hw;
            }
        }
        // §5.2
        double[] fc = p.get("KSM_Global.fc.weight");
        double[] rm = p.get("KSM_Global.bn.running_mean");
        double[] rv = p.get("KSM_Global.bn.running_var");
        double[] bw = p.get("KSM_Global.bn.weight");
        double[] bb = p.get("KSM_Global.bn.bias");
        double sc = p.get("KSM_Global.relu.scale")[0];
        double sb = p.get("KSM_Global.relu.bias")[0];
        double[][] z = new double[b][att];
        for (int n = 0; n < b; n++) {
            for (int a = 0; a < att; a++) {
                double s = 0;
                for (int c = 0; c < cin; c++) {
                    s += fc[a * cin + c] * g[n][c];
                }
                s = (s - rm[a]) / Math.sqrt(rv[a] + 1e-5) * bw[a] + bb[a];
                double r = Math.max(s, 0);
                z[n][a] = sc * r * r + sb;
            }
        }
        double[][] ac = head(z, "channel_fc", cin, temp, attMulti);
        double[][] af = head(z, "filter_fc", cout, temp, attMulti);
        double[][] as = k == 1 ? ones(b, 1) : head(z, "spatial_fc", k * k, temp, attMulti);
        double[][] ag = kn == 1 ? ones(b, 1) : head(z, "kernel_fc", kn, kernelTemp, 2.0 / kn);
        // §5.3
        double[] lw = p.get("KSM_Local.norm.weight");
        double[] lb = p.get("KSM_Local.norm.bias");
        double[] w1 = p.get("KSM_Local.conv.weight");
        int outN = cout * k * k;
        double[][][] al = new double[b][outN][cin];
        for (int n = 0; n < b; n++) {
            double mu = 0;
            for (int c = 0; c < cin; c++) {
                mu += g[n][c];
            }
            mu /= cin;
            double var = 0;
            for (int c = 0; c < cin; c++) {
                var += (g[n][c] - mu) * (g[n][c] - mu);
            }
            var /= cin;
            double[] gn = new double[cin];
            for (int c = 0; c < cin; c++) {
                gn[c] = (g[n][c] - mu) / Math.sqrt(var + 1e-5) * lw[c] + lb[c];
            }
            for (int o = 0; o < outN; o++) {
                for (int c = 0; c < cin; c++) {
                    double s = 0;
                    for (int t = 0; t < ks; t++) {
                        int src = c + t - (ks - 1) / 2;
                        if (src >= 0 && src < cin) {
                            s += w1[o * ks + t] * gn[src];
                        }
                    }
                    al[n][o][c] = 2 * sigmoid(s);
                }
            }
        }
        // §5.4-§5.6
        int hs = cout * k;
        int ws = cin * k;
        int wr = ws / 2 + 1;
        double[] dft = p.get("dft_weight");
        double[][][] kern = new double[b][][];
        for (int n = 0; n < b; n++) {
            double[][] sre = new double[hs][wr];
            double[][] sim = new double[hs][wr];
            for (int r = 0; r < hs; r++) {
                for (int c = 0; c < wr; c++) {
                    double s = alpha * ag[n][kn == 1 ? 0 : groups.groupOf(r, c)];
                    sre[r][c] = s * dft[(r * wr + c) * 2];
                    sim[r][c] = s * dft[(r * wr + c) * 2 + 1];
                }
            }
            double[][] m = c2r(sre, sim, hs, ws, 1.0 / ((double) hs * ws));
            double[][] kk = new double[cout * cin][k * k];
            for (int co = 0; co < cout; co++) {
                for (int ci = 0; ci < cin; ci++) {
                    for (int ki = 0; ki < k; ki++) {
                        for (int kj = 0; kj < k; kj++) {
                            kk[co * cin + ci][ki * k + kj] = m[co * k + ki][ci * k + kj]
                                    * al[n][co * k * k + ki * k + kj][ci] * as[n][k == 1 ? 0 : ki * k + kj]
                                    * ac[n][ci] * af[n][co];
                        }
                    }
                }
            }
            kern[n] = kk;
        }
        // §5.7
        double[] xin = fbm ? fbm(x) : x;
        // §5.8
        int oh = outH();
        int ow = outW();
        double[] bias = p.get("bias");
        double[] y = new double[b * cout * oh * ow];
        for (int n = 0; n < b; n++) {
            for (int co = 0; co < cout; co++) {
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        double s = bias == null ? 0 : bias[co];
                        for (int ci = 0; ci < cin; ci++) {
                            for (int ki = 0; ki < k; ki++) {
                                int yi = i * stride + ki - pad;
                                if (yi < 0 || yi >= h) {
                                    continue;
                                }
                                for (int kj = 0; kj < k; kj++) {
                                    int xj = j * stride + kj - pad;
                                    if (xj >= 0 && xj < w) {
                                        s += kern[n][co * cin + ci][ki * k + kj]
                                                * xin[((n * cin + ci) * h + yi) * w + xj];
                                    }
                                }
                            }
                        }
                        y[((n * cout + co) * oh + i) * ow + j] = s;
                    }
                }
            }
        }
        return y;
    }

    private double[][] head(double[][] z, String name, int out, double t, double multi) {
        double[] hw = p.get("KSM_Global." + name + ".weight");
        double[] hb = p.get("KSM_Global." + name + ".bias");
        double[][] r = new double[b][out];
        for (int n = 0; n < b; n++) {
            for (int o = 0; o < out; o++) {
                double s = hb[o];
                for (int a = 0; a < att; a++) {
                    s += hw[o * att + a] * z[n][a];
                }
                r[n][o] = multi * sigmoid(s / t);
            }
        }
        return r;
    }

    private static double[][] ones(int rows, int cols) {
        double[][] r = new double[rows][cols];
        for (double[] row : r) {
            java.util.Arrays.fill(row, 1);
        }
        return r;
    }

    /**
     * Spec §5.5, literally: {@code Z = Σ_r S[r, c] e^{+2πi r n1/rows}}, then the real output keeps {@code Re Z} of
     * column 0 and (even width) column {@code width/2}, and twice {@code Re(Z e^{+2πi c n2/width})} of the others.
     */
    static double[][] c2r(double[][] sre, double[][] sim, int rows, int width, double scale) {
        int half = width / 2 + 1;
        double[][] zr = new double[rows][half];
        double[][] zi = new double[rows][half];
        for (int n1 = 0; n1 < rows; n1++) {
            for (int c = 0; c < half; c++) {
                double re = 0;
                double im = 0;
                for (int r = 0; r < rows; r++) {
                    double a = 2 * Math.PI * ((long) r * n1 % rows) / rows;
                    re += sre[r][c] * Math.cos(a) - sim[r][c] * Math.sin(a);
                    im += sre[r][c] * Math.sin(a) + sim[r][c] * Math.cos(a);
                }
                zr[n1][c] = re;
                zi[n1][c] = im;
            }
        }
        double[][] out = new double[rows][width];
        for (int n1 = 0; n1 < rows; n1++) {
            for (int n2 = 0; n2 < width; n2++) {
                double s = zr[n1][0];
                for (int c = 1; c < half; c++) {
                    if (width % 2 == 0 && c == width / 2) {
                        s += (n2 % 2 == 0 ? 1 : -1) * zr[n1][c];
                    } else {
                        double a = 2 * Math.PI * ((long) c * n2 % width) / width;
                        s += 2 * (zr[n1][c] * Math.cos(a) - zi[n1][c] * Math.sin(a));
                    }
                }
                out[n1][n2] = s * scale;
            }
        }
        return out;
    }

    private double[] fbm(double[] x) {
        int wr = w / 2 + 1;
        int nb = kList.size();
        float[] masks = FbmMasks.resized(kList, 64, 64, h, w);
        double ortho = 1 / Math.sqrt((double) h * w);
        double[] out = new double[x.length];
        for (int n = 0; n < b; n++) {
            double[][][] gates = new double[nb][h][w];
            for (int j = 0; j < nb; j++) {
                double[] gw = p.get("FBM.freq_weight_conv_list." + j + ".weight");
                double gb = p.get("FBM.freq_weight_conv_list." + j + ".bias")[0];
                int s = (int) Math.round(Math.sqrt(gw.length / (double) cin));
                for (int i = 0; i < h; i++) {
                    for (int jj = 0; jj < w; jj++) {
                        double acc = gb;
                        for (int c = 0; c < cin; c++) {
                            for (int di = 0; di < s; di++) {
                                int yi = i + di - s / 2;
                                if (yi < 0 || yi >= h) {
                                    continue;
                                }
                                for (int dj = 0; dj < s; dj++) {
                                    int xj = jj + dj - s / 2;
                                    if (xj >= 0 && xj < w) {
                                        acc += gw[(c * s + di) * s + dj] * x[((n * cin + c) * h + yi) * w + xj];
                                    }
                                }
                            }
                        }
                        gates[j][i][jj] = 2 * sigmoid(acc);
                    }
                }
            }
            for (int c = 0; c < cin; c++) {
                int base = (n * cin + c) * h * w;
                // forward rfft2, ortho
                double[][] xr = new double[h][wr];
                double[][] xi = new double[h][wr];
                for (int u = 0; u < h; u++) {
                    for (int v = 0; v < wr; v++) {
                        double re = 0;
                        double im = 0;
                        for (int i = 0; i < h; i++) {
                            for (int jj = 0; jj < w; jj++) {
                                double a = 2 * Math.PI * (((long) u * i % h) / (double) h + ((long) v * jj % w)
                                        / (double) w);
                                double val = x[base + i * w + jj];
                                re += val * Math.cos(a);
                                im -= val * Math.sin(a);
                            }
                        }
                        xr[u][v] = re * ortho;
                        xi[u][v] = im * ortho;
                    }
                }
                double[] prev = new double[h * w];
                System.arraycopy(x, base, prev, 0, h * w);
                double[] acc = new double[h * w];
                for (int j = 0; j < nb; j++) {
                    double[][] mr = new double[h][wr];
                    double[][] mi = new double[h][wr];
                    for (int u = 0; u < h; u++) {
                        for (int v = 0; v < wr; v++) {
                            float mk = masks[(j * h + u) * wr + v];
                            mr[u][v] = xr[u][v] * mk;
                            mi[u][v] = xi[u][v] * mk;
                        }
                    }
                    double[][] low = c2r(mr, mi, h, w, ortho);
                    for (int i = 0; i < h; i++) {
                        for (int jj = 0; jj < w; jj++) {
                            acc[i * w + jj] += gates[j][i][jj] * (prev[i * w + jj] - low[i][jj]);
                            prev[i * w + jj] = low[i][jj];
                        }
                    }
                }
                for (int i = 0; i < h * w; i++) {
                    out[base + i] = acc[i] + prev[i];
                }
            }
        }
        return out;
    }
}
