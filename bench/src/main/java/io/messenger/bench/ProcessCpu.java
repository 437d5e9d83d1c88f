package io.messenger.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * CPU time of the process listening on a local TCP port, from {@code /proc} (Linux only; every
 * figure is NaN elsewhere or when the process cannot be found): the services do not export their
 * CPU time, and the stores export none, but the machine's CPU is what a send competes for on these
 * 2-core machines. On a cluster ({@link #listeningOnAll}) the sum over the processes listening on
 * each of several addresses, e.g. the three Cassandra nodes on 127.0.0.31-33:9042.
 */
final class ProcessCpu {

  /** Clock ticks per second of {@code /proc/<pid>/stat} (USER_HZ, 100 on Linux). */
  private static final double TICKS_PER_SECOND = 100;

  private final String name;
  private final long[] pids;

  private ProcessCpu(String name, long... pids) {
    this.name = name;
    this.pids = pids;
  }

  String name() {
    return name;
  }

  /** The process listening on {@code port}, or one whose every reading is NaN. */
  static ProcessCpu listeningOn(String name, int port) {
    return new ProcessCpu(name, pidOf(() -> listeningInode(port)));
  }

  /**
   * The processes listening on each of {@code addresses} (an exact local address and port, IPv4),
   * summed; every reading is NaN unless all of them are found. Several addresses of one process
   * count it once.
   */
  static ProcessCpu listeningOnAll(String name, List<InetSocketAddress> addresses) {
    Set<Long> pids = new LinkedHashSet<>();
    for (InetSocketAddress address : addresses) {
      pids.add(pidOf(() -> listeningInode(address)));
    }
    return new ProcessCpu(name, pids.stream().mapToLong(Long::longValue).toArray());
  }

  /** Where a listening socket's inode is looked up. */
  private interface InodeLookup {
    String inode() throws IOException;
  }

  /** The process owning the socket {@code lookup} finds, or -1 (none found, or unreadable). */
  private static long pidOf(InodeLookup lookup) {
    try {
      String inode = lookup.inode();
      return inode == null ? -1 : owner("socket:[" + inode + "]");
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** User plus system CPU time used so far, milliseconds; NaN if unknown. */
  double millis() {
    double total = 0;
    for (long pid : pids) {
      total += millis(pid);
    }
    return total;
  }

  private static double millis(long pid) {
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

  /**
   * The inode of the socket listening on exactly {@code address} (IPv4, or IPv4-mapped IPv6): in
   * {@code /proc/net/tcp} an address is the hex of its four bytes in host order (little-endian:
   * 127.0.0.31 is {@code 1F00007F}), in {@code /proc/net/tcp6} the same after {@code
   * 0000000000000000FFFF0000}.
   */
  private static String listeningInode(InetSocketAddress address) throws IOException {
    byte[] b = InetAddress.getByName(address.getHostString()).getAddress();
    if (b.length != 4) {
      return null;
    }
    String v4 =
        String.format(
            Locale.ROOT, "%02X%02X%02X%02X:%04X", b[3], b[2], b[1], b[0], address.getPort());
    String v6 = "0000000000000000FFFF0000" + v4;
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path p = Path.of(table);
      if (!Files.isReadable(p)) {
        continue;
      }
      for (String line : Files.readAllLines(p)) {
        String[] f = line.trim().split("\\s+");
        if (f.length > 9
            && (f[1].equalsIgnoreCase(v4) || f[1].equalsIgnoreCase(v6))
            && f[3].equals("0A")) {
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
