package io.messenger.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * CPU time of the process listening on a local TCP port, from {@code /proc} (Linux only; every
 * figure is NaN elsewhere or when the process cannot be found): the services do not export their
 * CPU time, and the stores export none, but the machine's CPU is what a send competes for on these
 * 2-core machines.
 */
final class ProcessCpu {

  /** Clock ticks per second of {@code /proc/<pid>/stat} (USER_HZ, 100 on Linux). */
  private static final double TICKS_PER_SECOND = 100;

  private final String name;
  private final long pid;

  private ProcessCpu(String name, long pid) {
    this.name = name;
    this.pid = pid;
  }

  String name() {
    return name;
  }

  /** The process listening on {@code port}, or one whose every reading is NaN. */
  static ProcessCpu listeningOn(String name, int port) {
    long pid = -1;
    try {
      String inode = listeningInode(port);
      if (inode != null) {
        pid = owner("socket:[" + inode + "]");
      }
    } catch (IOException | RuntimeException e) {
      pid = -1;
    }
    return new ProcessCpu(name, pid);
  }

  /** User plus system CPU time used so far, milliseconds; NaN if unknown. */
  double millis() {
    if (pid < 0) {
      return Double.NaN;
    }
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // Fields after the command name (which may hold spaces) in parentheses: utime is the 14th
      // field of the line, stime the 15th.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
      return ticks * 1000 / TICKS_PER_SECOND;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  private static String listeningInode(int port) throws IOException {
    String hexPort = String.format(Locale.ROOT, ":%04X", port);
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path p = Path.of(table);
      if (!Files.isReadable(p)) {
        continue;
      }
      for (String line : Files.readAllLines(p)) {
        String[] f = line.trim().split("\\s+");
        // sl local_address rem_address st ... inode (10th field); st 0A = LISTEN
        if (f.length > 9 && f[1].endsWith(hexPort) && f[3].equals("0A")) {
          return f[9];
        }
      }
    }
    return null;
  }

  private static long owner(String socket) throws IOException {
    try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path proc : procs) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
          for (Path fd : fds) {
            if (socket.equals(Files.readSymbolicLink(fd).toString())) {
              return Long.parseLong(proc.getFileName().toString());
            }
          }
        } catch (IOException | RuntimeException e) {
          // a process that ended, or one we may not look into
        }
      }
    }
    return -1;
  }
}
