"""Run every benchmark in turn (``make bench``); each prints its figures and rewrites its
own section of RESULTS.md. ``python bench/run.py matching indicators`` runs some only.

The indicators bench needs PostgreSQL (``BENCH_DATABASE_URL``, by default a local
``bench_indicators`` database to create first: see its docstring); the others default to a
scratch SQLite file. ``load`` and ``faults`` start the production stack (`python -m
intranet.serve`) on PostgreSQL with locust: about 10 and 5 minutes; ``faults`` creates and
restarts a PostgreSQL cluster of its own, so it needs root.
"""

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = ["space_dashboard", "matching", "notifications_sweep", "indicators", "load", "faults"]


def main(names):
    failed = []
    for name in names or SCRIPTS:
        if name not in SCRIPTS:
            print(f"unknown bench {name!r}; choose among {', '.join(SCRIPTS)}")
            return 2
        print(f"== {name} ==", flush=True)
        started = time.monotonic()
        code = subprocess.call([sys.executable, str(HERE / f"{name}.py")])  # noqa: S603
        print(f"== {name}: exit {code} in {time.monotonic() - started:.0f} s ==", flush=True)
        if code:
            failed.append(name)
    if failed:
        print("failed:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
