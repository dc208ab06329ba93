"""How long a CLI command takes to start, as a ratio to a bare interpreter started in the same run.

    .venv/bin/python -m benchmarks.startup [--runs 9] [--orders 16]

Whole processes, timed from spawn to exit (median of --runs, interleaved so a busy machine slows
each alike): the floor `python -c pass`, `tiktok-oms --help`, and `tiktok-oms orders list --json`
over a SQLite file seeded with --orders orders (schema current, so no migration runs). Then
`python -X importtime` of each command: the modules that cost most, cumulative microseconds.
Targets (issue 12): --help within 4x of the floor, a small `orders list --json` within 15x.
Numbers are reported, never asserted; results go to benchmarks/results/startup.json.
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results"
TARGETS = {"--help": 4.0, "orders list --json": 15.0}
# The console script's own code, without the entry-point wrapper's extra imports.
CLI = "import sys; from adapters.cli import main; sys.argv[0] = 'tiktok-oms'; main()"


def _run(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds: user + system) of one whole process."""
    started = time.perf_counter()
    child = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed with exit code {child.returncode}")
    return elapsed, usage.ru_utime + usage.ru_stime


def _importtime(argv: list[str], env: dict[str, str], top: int = 8) -> list[tuple[str, int]]:
    """The `top` costliest packages of one run with -X importtime: each package's cumulative µs
    where it was first imported (its own import and everything it pulled in)."""
    done = subprocess.run([argv[0], "-X", "importtime", *argv[1:]], env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    found: dict[str, int] = {}
    for line in done.stderr.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)", line)
        if match and "." not in match.group(3) and match.group(3) not in ("adapters", "application", "domain"):
            found[match.group(3)] = max(found.get(match.group(3), 0), int(match.group(1)))
    return sorted(found.items(), key=lambda item: -item[1])[:top]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--orders", type=int, default=16)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="tiktok-oms-startup-"))
    try:
        from benchmarks.web_orders import seed

        db = work / "oms.sqlite"
        seed(db, args.orders)[0].engine().dispose()
        env = {**os.environ, "TIKTOK_OMS_DATABASE_URL": f"sqlite:///{db}", "HOME": str(work)}
        env.pop("TIKTOK_OMS_DEBUG", None)
        # As installed: the warm-up run writes the project's .pyc files (pip did the libraries').
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        python = sys.executable
        cases = {
            "python -c pass": [python, "-c", "pass"],
            "--help": [python, "-c", CLI, "--help"],
            "orders list --json": [python, "-c", CLI, "orders", "list", "--json"],
        }
        wall: dict[str, list[float]] = {name: [] for name in cases}
        cpu: dict[str, list[float]] = {name: [] for name in cases}
        for name, argv in cases.items():  # warm the file cache and .pyc files
            _run(argv, env)
        for _ in range(args.runs):
            for name, argv in cases.items():
                took, used = _run(argv, env)
                wall[name].append(took)
                cpu[name].append(used)
        floor, floor_cpu = statistics.median(wall["python -c pass"]), statistics.median(cpu["python -c pass"])
        report: dict[str, object] = {"runs": args.runs, "orders": args.orders, "floor_ms": round(floor * 1000, 1),
                                     "floor_cpu_ms": round(floor_cpu * 1000, 1), "commands": {}}
        print(f"floor (python -c pass): {floor * 1000:.1f} ms wall, {floor_cpu * 1000:.1f} ms CPU (median of {args.runs})")
        for name in ("--help", "orders list --json"):
            median, median_cpu = statistics.median(wall[name]), statistics.median(cpu[name])
            ratio, ratio_cpu = median / floor, median_cpu / floor_cpu
            offenders = _importtime(cases[name], env)
            report["commands"][name] = {  # type: ignore[index]
                "median_ms": round(median * 1000, 1), "ratio": round(ratio, 2),
                "median_cpu_ms": round(median_cpu * 1000, 1), "cpu_ratio": round(ratio_cpu, 2),
                "target": TARGETS[name], "met": ratio <= TARGETS[name], "top_imports_us": dict(offenders),
            }
            print(f"tiktok-oms {name}: {median * 1000:.1f} ms = {ratio:.1f}x the floor; CPU {median_cpu * 1000:.1f} ms "
                  f"= {ratio_cpu:.1f}x (target {TARGETS[name]:g}x: {'met' if ratio <= TARGETS[name] else 'MISSED'})")
            for module, micros in offenders:
                print(f"    {micros / 1000:8.1f} ms  {module}")
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "startup.json").write_text(json.dumps(report, indent=2) + "\n")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
