package dev.pipit.compress.report;

import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.CombinedDomainCategoryPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * A PNG of each variant's security figures: grouped bars of clean accuracy against accuracy under FGSM
 * and PGD (ε 0.1, transferred from the fp32 parent and white-box on the variant's own weights), and
 * below them the membership-inference AUC when measured. Figures a variant lacks are left out.
 */
final class SecurityChart {

    /** report.json's security keys on the accuracy panel, with their legends. */
    private static final List<Map.Entry<String, String>> ACCURACY = List.of(Map.entry("cleanAccuracy", "clean"),
            Map.entry("fgsmAccuracy", "FGSM ε 0.1 (transferred)"), Map.entry("pgdAccuracy", "PGD ε 0.1 (transferred)"),
            Map.entry("pgdWhiteBoxAccuracy", "PGD ε 0.1 (white-box)"));
    private static final String AUC = "membershipAuc";
    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0xd62728), new Color(0x7f1f1f)};

    private SecurityChart() {
    }

    static void write(String title, List<Map<String, Object>> rows, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        DefaultCategoryDataset accuracy = new DefaultCategoryDataset();
        DefaultCategoryDataset auc = new DefaultCategoryDataset();
        for (Map<String, Object> r : rows) {
            Map<String, Double> s = CompressionReport.security(r);
            String id = (String) r.get("id");
            for (Map.Entry<String, String> e : ACCURACY) {
                if (s.containsKey(e.getKey())) {
                    accuracy.addValue(100 * s.get(e.getKey()), e.getValue(), id);
                }
            }
            if (s.containsKey(AUC)) {
                auc.addValue(s.get(AUC), "membership AUC", id);
            }
        }
        CombinedDomainCategoryPlot plot = new CombinedDomainCategoryPlot(new CategoryAxis("variant"));
        plot.add(panel(accuracy, new NumberAxis("accuracy (%)"), 0, 100), 3);
        if (auc.getRowCount() > 0) {
            plot.add(panel(auc, new NumberAxis("membership AUC"), 0.4, 1), 1);
        }
        JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 15), plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 900, auc.getRowCount() > 0 ? 720 : 560);
    }

    private static CategoryPlot panel(DefaultCategoryDataset data, NumberAxis axis, double low, double high) {
        axis.setRange(low, high);
        BarRenderer renderer = new BarRenderer();
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        for (int s = 0; s < COLORS.length; s++) {
            renderer.setSeriesPaint(s, COLORS[s]);
        }
        CategoryPlot plot = new CategoryPlot(data, null, axis, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        return plot;
    }
}
