package dev.sluice.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/** Every figure of one run: samples per scenario, variant and metric, and how to print them. */
final class Results {

    /** One metric of one variant: its samples (one per round) and the variant it is compared with. */
    record Row(String scenario, String variant, String metric, String unit, List<Double> samples,
               @Nullable String baseline, String note) {

        double median() {
            double[] s = samples.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            if (s.length == 0) {
                return Double.NaN;
            }
            return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
        }

        double min() {
            return samples.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        }

        double max() {
            return samples.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        }
    }

    private final Map<String, String> environment = new LinkedHashMap<>();
    private final List<Row> rows = new ArrayList<>();
    private final Map<String, String> scenarioTitles = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();

    void environment(String key, String value) {
        environment.put(key, value);
    }

    Map<String, String> environment() {
        return environment;
    }

    void scenario(String id, String title) {
        scenarioTitles.put(id, title);
    }

    void note(String text) {
        notes.add(text);
    }

    void add(String scenario, String variant, String metric, String unit, List<Double> samples,
             @Nullable String baseline, String note) {
        rows.add(new Row(scenario, variant, metric, unit, List.copyOf(samples), baseline, note));
    }

    List<Row> rows() {
        return rows;
    }

    /** The row of {@code row}'s baseline: same scenario and metric, measured in the same run; null when none. */
    private @Nullable Row baselineOf(Row row) {
        if (row.baseline() == null) {
            return null;
        }
        for (Row other : rows) {
            if (other.scenario().equals(row.scenario()) && other.metric().equals(row.metric())
                    && other.variant().equals(row.baseline())) {
                return other;
            }
        }
        return null;
    }

    /** The median of {@code metric} for the baseline of {@code row}, measured in the same run. */
    @Nullable Double ratio(Row row) {
        Row base = baselineOf(row);
        if (base == null) {
            return null;
        }
        double median = base.median();
        return median == 0 || Double.isNaN(median) ? null : row.median() / median;
    }

    /**
     * The median of the per-round ratios to the baseline: sample i of both was measured in round i, minutes apart at
     * most, so a machine that got busier or quieter during the run moves both. Null when the rounds do not pair up.
     */
    @Nullable Double pairedRatio(Row row) {
        Row base = baselineOf(row);
        if (base == null || base.samples().size() != row.samples().size() || row.samples().isEmpty()) {
            return null;
        }
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < row.samples().size(); i++) {
            ratios.add(row.samples().get(i) / base.samples().get(i));
        }
        double median = new Row("", "", "", "", ratios, null, "").median();
        return Double.isNaN(median) || Double.isInfinite(median) ? null : median;
    }

    String toJson() {
        StringBuilder b = new StringBuilder("{\n  \"environment\": {");
        String sep = "\n";
        for (Map.Entry<String, String> e : environment.entrySet()) {
            b.append(sep).append("    ").append(q(e.getKey())).append(": ").append(q(e.getValue()));
            sep = ",\n";
        }
        b.append("\n  },\n  \"results\": [");
        sep = "\n";
        for (Row r : rows) {
            Double ratio = ratio(r);
            Double paired = pairedRatio(r);
            b.append(sep).append("    {\"scenario\": ").append(q(r.scenario()))
                    .append(", \"variant\": ").append(q(r.variant()))
                    .append(", \"metric\": ").append(q(r.metric()))
                    .append(", \"unit\": ").append(q(r.unit()))
                    .append(", \"median\": ").append(num(r.median()))
                    .append(", \"min\": ").append(num(r.min()))
                    .append(", \"max\": ").append(num(r.max()))
                    .append(", \"samples\": ").append(r.samples().stream().map(Results::num).toList())
                    .append(", \"baseline\": ").append(r.baseline() == null ? "null" : q(r.baseline()))
                    .append(", \"ratio\": ").append(ratio == null ? "null" : num(ratio))
                    .append(", \"paired_ratio\": ").append(paired == null ? "null" : num(paired))
                    .append(", \"note\": ").append(q(r.note())).append('}');
            sep = ",\n";
        }
        b.append("\n  ],\n  \"notes\": [");
        sep = "\n";
        for (String n : notes) {
            b.append(sep).append("    ").append(q(n));
            sep = ",\n";
        }
        return b.append("\n  ]\n}\n").toString();
    }

    String toMarkdown() {
        StringBuilder b = new StringBuilder("# Sluice benchmark results\n\n");
        b.append("Generated by `dev.sluice.bench.Bench`; see docs/benchmarks.md for what each scenario measures. "
                + "Median of the rounds, min-max in brackets, ratio = median / median of the named baseline "
                + "from the same run; paired = the median of the per-round ratios (each round runs every variant "
                + "once), less moved by a machine whose load changed during the run.\n\n");
        b.append("| environment | |\n|---|---|\n");
        environment.forEach((k, v) -> b.append("| ").append(k).append(" | ").append(v.replace("|", "/"))
                .append(" |\n"));
        for (Map.Entry<String, String> s : scenarioTitles.entrySet()) {
            List<Row> mine = rows.stream().filter(r -> r.scenario().equals(s.getKey())).toList();
            if (mine.isEmpty()) {
                continue;
            }
            b.append("\n## ").append(s.getKey()).append(". ").append(s.getValue()).append("\n\n");
            b.append("| variant | metric | median | min-max | n | ratio | paired | note |\n"
                    + "|---|---|---:|---:|---:|---:|---:|---|\n");
            for (Row r : mine) {
                Double ratio = ratio(r);
                Double paired = pairedRatio(r);
                b.append("| ").append(r.variant()).append(" | ").append(r.metric()).append(" (").append(r.unit())
                        .append(") | ").append(human(r.median())).append(" | ")
                        .append(r.samples().size() > 1 ? human(r.min()) + " - " + human(r.max()) : "")
                        .append(" | ").append(r.samples().size()).append(" | ")
                        .append(ratio == null ? "" : String.format(Locale.ROOT, "%.2fx %s", ratio, r.baseline()))
                        .append(" | ").append(paired == null ? "" : String.format(Locale.ROOT, "%.2fx", paired))
                        .append(" | ").append(r.note().replace("|", "/")).append(" |\n");
            }
        }
        if (!notes.isEmpty()) {
            b.append("\n## Notes\n\n");
            notes.forEach(n -> b.append("- ").append(n).append('\n'));
        }
        return b.toString();
    }

    /** 1234567 as 1,234,567; 12.345 as 12.3; 0.01234 as 0.0123. */
    static String human(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        double a = Math.abs(v);
        if (a >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        if (a >= 0.1) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        return String.format(Locale.ROOT, "%.4f", v);
    }

    private static String num(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "null" : String.format(Locale.ROOT, "%.6g", v);
    }

    private static String q(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    static List<Double> list(double... values) {
        return Arrays.stream(values).boxed().toList();
    }
}
