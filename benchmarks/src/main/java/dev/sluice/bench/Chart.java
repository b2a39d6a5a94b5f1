package dev.sluice.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import javax.imageio.ImageIO;

/** Draws scenario 1's throughput as horizontal bars (median, min-max whisker, ratio to the baseline), headless. */
final class Chart {

    private Chart() {
    }

    static void scanThroughput(Results results, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<Results.Row> rows = results.rows().stream()
                .filter(r -> r.scenario().equals("1") && r.metric().equals("throughput")).toList();
        int left = 300;
        int right = 230;
        int barArea = 520;
        int rowHeight = 30;
        int top = 56;
        int width = left + barArea + right;
        int height = top + rows.size() * rowHeight + 40;
        double max = rows.stream().mapToDouble(Results.Row::max).max().orElse(1);
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString("Full scan into records, rows/s (median of rounds, whisker min-max; ratio to "
                + Scans.BASELINE + ")", 12, 24);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawString(results.environment().getOrDefault("data", "") + "; " + results.environment()
                .getOrDefault("cpus (nproc)", "?") + " cpus; " + results.environment().getOrDefault("date", ""),
                12, 42);
        for (int i = 0; i < rows.size(); i++) {
            Results.Row r = rows.get(i);
            int y = top + i * rowHeight;
            int w = (int) Math.round(r.median() / max * barArea);
            Color color = r.variant().startsWith("sluice") ? new Color(0x2E6FBA)
                    : r.variant().equals(Scans.BASELINE) ? new Color(0xE08A1E) : new Color(0x9A9A9A);
            g.setColor(color);
            g.fillRect(left, y + 5, Math.max(w, 1), rowHeight - 10);
            g.setColor(Color.BLACK);
            g.setStroke(new BasicStroke(1.5f));
            int x0 = left + (int) Math.round(r.min() / max * barArea);
            int x1 = left + (int) Math.round(r.max() / max * barArea);
            int cy = y + rowHeight / 2;
            g.drawLine(x0, cy, x1, cy);
            g.drawLine(x0, cy - 5, x0, cy + 5);
            g.drawLine(x1, cy - 5, x1, cy + 5);
            g.drawString(r.variant(), 12, cy + 5);
            Double ratio = results.ratio(r);
            g.drawString(String.format(Locale.ROOT, "%,.0f rows/s  %s", r.median(),
                    ratio == null ? "" : String.format(Locale.ROOT, "%.2fx", ratio)), Math.max(x1, left + w) + 8,
                    cy + 5);
        }
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }
}
