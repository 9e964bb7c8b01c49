package io.tessera.executor.spark;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A Spark standalone master and workers on localhost, started from the jars of this test's class path (no Spark
 * installation): a {@code SPARK_HOME} whose {@code jars/} links those jars, as the workers launch executors from it.
 */
final class LocalCluster implements AutoCloseable {
    final String masterUrl;
    private final Process master;
    final List<Process> workers = new ArrayList<>();
    private final Path dir;
    private final Path sparkHome;

    private LocalCluster(Path dir, Path sparkHome, Process master, String masterUrl) {
        this.dir = dir;
        this.sparkHome = sparkHome;
        this.master = master;
        this.masterUrl = masterUrl;
    }

    static LocalCluster start(Path dir, int workers, int coresEach) throws Exception {
        Path home = dir.resolve("spark-home");
        Files.createDirectories(home.resolve("jars"));
        // what Spark's launcher looks for to take jars/ as a release's (else it looks for a source build)
        Files.writeString(home.resolve("RELEASE"), "Spark jars linked from the Maven test class path\n");
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(e);
            if (e.endsWith(".jar") && Files.isRegularFile(p)) {
                Path link = home.resolve("jars").resolve(p.getFileName());
                if (!Files.exists(link)) {
                    Files.createSymbolicLink(link, p);
                }
            }
        }
        int port = freePort();
        Process master = java(dir, home, "master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
                "--port", Integer.toString(port), "--webui-port", Integer.toString(freePort()));
        LocalCluster c = new LocalCluster(dir, home, master, "spark://127.0.0.1:" + port);
        waitFor(dir.resolve("master.log"), "I have been elected leader", master);
        for (int i = 0; i < workers; i++) {
            c.addWorker(coresEach);
        }
        return c;
    }

    void addWorker(int cores) throws Exception {
        int n = workers.size();
        Path work = dir.resolve("worker-" + n);
        Files.createDirectories(work);
        Process w = java(dir, sparkHome, "worker-" + n, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
                "--cores", Integer.toString(cores), "--memory", "3g", "--webui-port", Integer.toString(freePort()),
                "--work-dir", work.toString(), masterUrl);
        workers.add(w);
        waitFor(dir.resolve("worker-" + n + ".log"), "Successfully registered with master", w);
    }

    /** Kills worker {@code n} and the executors it started (SIGKILL: nothing is cleaned up). */
    void killWorker(int n) {
        Process w = workers.get(n);
        w.descendants().forEach(ProcessHandle::destroyForcibly);
        w.destroyForcibly();
    }

    /** The error lines of the executors' stderr files (executors that failed to start say why there). */
    String diagnostics() {
        StringBuilder b = new StringBuilder();
        try (java.util.stream.Stream<Path> s = Files.walk(dir)) {
            for (Path f : s.filter(p -> p.getFileName().toString().equals("stderr")
                    || p.getFileName().toString().startsWith("worker-") && p.toString().endsWith(".log")).toList()) {
                List<String> lines = Files.readAllLines(f);
                b.append("\n--- ").append(f).append('\n');
                lines.stream().filter(l -> l.contains("Error") || l.contains("Exception") || l.contains("Caused")
                        || l.contains("Launch command") || l.contains("exited with"))
                        .limit(15).forEach(l -> b.append(l.length() > 1500 ? l.substring(0, 1500) : l).append('\n'));
            }
        } catch (IOException e) {
            b.append("(cannot read the executors' logs: ").append(e).append(')');
        }
        return b.toString();
    }

    private static Process java(Path dir, Path home, String name, String main, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx512m");
        cmd.addAll(List.of(System.getProperty("tessera.spark.opens", "").trim().split("\\s+")));
        cmd.add("-cp");
        cmd.add(home.resolve("jars") + File.separator + "*");
        cmd.add(main);
        cmd.addAll(List.of(args));
        cmd.removeIf(String::isEmpty);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile());
        pb.environment().put("SPARK_HOME", home.toString());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        pb.environment().put("OMP_NUM_THREADS", "1");
        return pb.start();
    }

    private static void waitFor(Path log, String line, Process p) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log).contains(line)) {
                return;
            }
            if (!p.isAlive()) {
                throw new IllegalStateException("the Spark process ended: " + Files.readString(log));
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("no '" + line + "' in " + log + " after 90 s");
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        for (Process w : workers) {
            w.descendants().forEach(ProcessHandle::destroyForcibly);
            w.destroyForcibly();
        }
        master.destroyForcibly();
    }
}
