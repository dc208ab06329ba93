"""What every measured phase reports about itself."""

import resource
from pathlib import Path


def peak_rss_mb() -> float:
    """This process's peak resident set size in MB (VmHWM: ru_maxrss would carry over the parent's peak)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
