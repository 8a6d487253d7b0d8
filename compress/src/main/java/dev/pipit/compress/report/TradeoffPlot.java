package dev.pipit.compress.report;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** An SVG scatter of accuracy against weight memory, one labelled point per variant. */
final class TradeoffPlot {

    private static final int WIDTH = 560;
    private static final int HEIGHT = 360;
    private static final int MARGIN = 60;

    private TradeoffPlot() {
    }

    static String svg(String title, List<Map<String, Object>> rows) {
        double maxKib = rows.stream().mapToDouble(r -> (long) r.get("weightBytes") / 1024.0).max().orElse(1) * 1.15;
        double minAcc = rows.stream().mapToDouble(r -> 100 * (double) r.get("accuracy")).min().orElse(0);
        double maxAcc = rows.stream().mapToDouble(r -> 100 * (double) r.get("accuracy")).max().orElse(100);
        double low = Math.floor(minAcc - 1);
        double high = Math.ceil(maxAcc + 1);
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT));
        s.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"24\" font-size=\"14\">%s</text>%n", MARGIN, escape(title)));
        int x0 = MARGIN;
        int y0 = HEIGHT - MARGIN;
        int x1 = WIDTH - 20;
        int y1 = 40;
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n", x0, y0, x1, y0));
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n", x0, y0, x0, y1));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">weight memory (KiB)</text>%n",
                (x0 + x1) / 2, HEIGHT - 20));
        s.append(String.format(Locale.ROOT, "<text x=\"16\" y=\"%d\" transform=\"rotate(-90 16 %d)\" text-anchor=\"middle\">"
                + "test accuracy (%%)</text>%n", (y0 + y1) / 2, (y0 + y1) / 2));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.0f</text>%n", x0 - 4, y0, low));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.0f</text>%n", x0 - 4, y1 + 4, high));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.0f</text>%n", x1, y0 + 16, maxKib));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">0</text>%n", x0, y0 + 16));
        for (Map<String, Object> r : rows) {
            double kib = (long) r.get("weightBytes") / 1024.0;
            double acc = 100 * (double) r.get("accuracy");
            double x = x0 + (x1 - x0) * kib / maxKib;
            double y = y0 - (y0 - y1) * (acc - low) / (high - low);
            s.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"#1f77b4\"/>%n", x, y));
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\">%s: %.2f%%, %.0f KiB</text>%n", x + 8, y - 8,
                    escape(String.valueOf(r.get("id"))), acc, kib));
        }
        return s.append("</svg>\n").toString();
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
