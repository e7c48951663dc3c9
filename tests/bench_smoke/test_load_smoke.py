"""A short load on the production stack (issue 19): bench/locustfile.py's real people for a
few seconds against `python -m intranet.serve` on a free port, no error, every page asked.

The full load and fault runs are `make bench` (bench/load.py, bench/faults.py). Here: nine
people (each first visits every page of theirs once, then goes on at random) for eight
seconds, on the database the suite runs on: PostgreSQL when DATABASE_URL names it (a
database of its own, dropped afterwards, two gunicorn workers), else SQLite in the test's
directory (one worker, as serve requires). Most of the time goes to serve's preparation
(migrations, static files, the demo), as in tests/serve.
"""

import os
import sys
import uuid
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent.parent / "bench"
sys.path.insert(0, str(BENCH))

import _stack  # noqa: E402

USERS = 9
SECONDS = 8
# Every page of bench/locustfile.py, by the name its statistics use.
PAGES = {
    "plain page",
    "dashboard",
    "pairing page",
    "meeting POST",
    "thread",
    "message POST",
    "training module",
    "manager space",
    "manager decision POST",
    "workbench (admin)",
    "pairings listing (admin)",
    "indicators (admin)",
    "guide page",
}


@pytest.fixture
def database_url(tmp_path):
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'smoke.sqlite3'}", 1
        return
    url = _stack.postgres_url(f"bench_smoke_{uuid.uuid4().hex[:12]}", server)
    _stack.recreate_database(url)
    try:
        yield url, 2
    finally:
        _stack.drop_database(url)


def test_a_short_load_answers_every_page_without_an_error(tmp_path, database_url):
    url, web = database_url
    with _stack.Stack(tmp_path / "stack", url, web=web, threads=2) as stack:
        locust = _stack.LocustRun(
            tmp_path / "locust", stack.base, USERS, SECONDS, think=(0.2, 0.6),
            run_id="smoke", pairings=_stack.active_pairings(url), every_page=True,
        )  # fmt: skip
        locust.run()
        pids = _stack.descendants(stack.process.pid)
        health = stack.health()
    stats = locust.stats()
    assert locust.exceptions() == []
    failures = [r for r in locust.ledger_rows() if r.get("kind") == "failure"]
    assert failures == [], failures[:5]
    assert int(stats["Aggregated"]["Failure Count"]) == 0, locust.failures()
    asked = {name for name, row in stats.items() if int(row["Request Count"]) > 0}
    assert PAGES <= asked, f"pages never asked: {sorted(PAGES - asked)}"
    assert health[0] == 200, health
    written = [r for r in locust.ledger_rows() if r.get("kind") in ("meeting", "message")]
    assert written and all(r["confirmed"] for r in written)
    # serve stopped everything it started.
    assert [pid for pid in pids if _stack.alive(pid)] == []
