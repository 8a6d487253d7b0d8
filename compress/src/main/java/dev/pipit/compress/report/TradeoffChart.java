package dev.pipit.compress.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * A PNG scatter of accuracy against weight bytes in RAM: every variant a labelled point, and the Pareto
 * front (the variants no other beats on both accuracy and size) joined by a line. Rendered headless.
 */
final class TradeoffChart {

    private static final int WIDTH = 900;
    private static final int HEIGHT = 560;

    private TradeoffChart() {
    }

    static void write(String title, List<Map<String, Object>> rows, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYSeries variants = new XYSeries("variants", false, true);
        List<String> labels = new ArrayList<>();
        java.util.Map<String, Integer> pointIndex = new java.util.HashMap<>(); // variants on the same point share one label
        for (Map<String, Object> r : rows) {
            String point = kib(r) + "/" + percent(r);
            Integer existing = pointIndex.get(point);
            if (existing != null) {
                labels.set(existing, labels.get(existing) + ", " + r.get("id"));
                continue;
            }
            pointIndex.put(point, labels.size());
            variants.add(kib(r), percent(r));
            labels.add((String) r.get("id"));
        }
        XYSeries front = new XYSeries("Pareto front", true, true);
        for (Map<String, Object> r : pareto(rows)) {
            front.add(kib(r), percent(r));
        }
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(variants);
        data.addSeries(front);
        NumberAxis x = new NumberAxis("weight bytes in RAM (KiB)");
        NumberAxis y = new NumberAxis("test accuracy (%)");
        y.setAutoRangeIncludesZero(false);
        x.setAutoRangeIncludesZero(true);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer();
        renderer.setSeriesLinesVisible(0, false);
        renderer.setSeriesShapesVisible(0, true);
        renderer.setSeriesPaint(0, new Color(0x1f77b4));
        renderer.setSeriesLinesVisible(1, true);
        renderer.setSeriesShapesVisible(1, false);
        renderer.setSeriesPaint(1, new Color(0xd62728));
        renderer.setSeriesStroke(1, new BasicStroke(1.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 1f, new float[] {6f, 4f}, 0f));
        renderer.setDefaultItemLabelGenerator((dataset, series, item) -> series == 0 ? labels.get(item) : null);
        renderer.setSeriesItemLabelsVisible(0, true);
        renderer.setDefaultItemLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        XYPlot plot = new XYPlot(data, x, y, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 15), plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, WIDTH, HEIGHT);
    }

    /** The rows no other row beats on both size (smaller) and accuracy (higher), by size. */
    static List<Map<String, Object>> pareto(List<Map<String, Object>> rows) {
        List<Map<String, Object>> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.<Map<String, Object>>comparingDouble(TradeoffChart::kib)
                .thenComparing(Comparator.<Map<String, Object>>comparingDouble(TradeoffChart::percent).reversed()));
        List<Map<String, Object>> front = new ArrayList<>();
        double best = Double.NEGATIVE_INFINITY;
        for (Map<String, Object> r : sorted) {
            if (percent(r) > best) {
                front.add(r);
                best = percent(r);
            }
        }
        return front;
    }

    private static double kib(Map<String, Object> r) {
        return ((Number) r.get("weightBytesRam")).doubleValue() / 1024.0;
    }

    private static double percent(Map<String, Object> r) {
        return 100 * ((Number) r.get("accuracy")).doubleValue();
    }
}
