package dev.sluice.bench;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs this benchmark's main class in a fresh JVM on the same class path: the children of {@code --fork} (one
 * variant's rounds) and of the heap probes.
 */
final class Forks {

    private Forks() {
    }

    /**
     * Runs one variant's rounds in a fresh JVM (the child side of {@code --fork}, {@code --only name}): echoes its
     * measured lines, those starting with {@code echo} and not {@code echo + "warmup"}, and returns the fields of its
     * {@code SAMPLE} line after that word.
     *
     * @throws IllegalStateException with the child's output, if it failed or printed no sample
     */
    static String[] sample(String name, List<String> args, String echo) throws Exception {
        Process p = start(List.of(), args);
        String[] sample = null;
        StringBuilder output = new StringBuilder();
        try (BufferedReader in = p.inputReader()) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                output.append(line).append('\n');
                if (line.startsWith("SAMPLE\t")) {
                    sample = line.substring("SAMPLE\t".length()).split("\t");
                } else if (line.startsWith(echo) && !line.startsWith(echo + "warmup")) {
                    System.out.println(line);
                }
            }
        }
        if (p.waitFor() != 0 || sample == null) {
            throw new IllegalStateException("the JVM of " + name + " ended with " + p.exitValue()
                    + " and no sample:\n" + output);
        }
        return sample;
    }

    /** The system property that sets Netty's leak detection level, which every r2dbc variant pays for. */
    static final String LEAK_DETECTION = "io.netty.leakDetection.level";

    /** Runs this benchmark's main class in a new JVM with {@code jvmOptions} and {@code args}; returns its output. */
    static Process start(List<String> jvmOptions, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        String leaks = System.getProperty(LEAK_DETECTION);
        if (leaks != null) { // a child measures with the level its parent was given
            cmd.add("-D" + LEAK_DETECTION + "=" + leaks);
        }
        cmd.addAll(List.of("-cp", classpath(), Bench.class.getName()));
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    private static String classpath() {
        List<String> entries = new ArrayList<>();
        ClassLoader cl = Forks.class.getClassLoader();
        if (cl instanceof URLClassLoader ucl) {
            for (URL url : ucl.getURLs()) {
                try {
                    entries.add(new File(url.toURI()).getPath());
                } catch (Exception e) {
                    entries.add(url.getPath());
                }
            }
        }
        entries.add(System.getProperty("java.class.path"));
        return String.join(File.pathSeparator, entries);
    }
}
