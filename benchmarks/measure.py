"""What every measured phase reports about itself."""

import os
import resource
from pathlib import Path


def peak_rss_mb() -> float:
    """This process's peak resident set size in MB (VmHWM: ru_maxrss would carry over the parent's peak)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def server_cpu_seconds(db_url: str) -> float:
    """CPU seconds so far of the PostgreSQL server processes serving `db_url`'s database (0.0 for SQLite).

    Read from /proc, so only for a server on this machine (the benchmark's); a server elsewhere
    counts 0.0. Counts the client connections open at the time of the call, this one left out
    (not autovacuum, which works on its own schedule).
    """
    if not db_url.startswith("postgresql"):
        return 0.0
    import psycopg

    with psycopg.connect(db_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as probe:
        pids = [row[0] for row in probe.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND backend_type = 'client backend'")]
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total
