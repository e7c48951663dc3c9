"""gunicorn settings of the intranet: `make serve` and the systemd unit both load this file.

    gunicorn -c deploy/gunicorn.conf.py intranet.wsgi:application

Environment (all optional):
- WEB_CONCURRENCY: worker processes; default cores + 1 (every core busy, plus one for a
  worker blocked on the database or being recycled). Each worker holds one copy of the
  application in memory (about 150 MB for Wagtail) and one database connection per thread.
- GUNICORN_THREADS: threads per worker; default 2, so a second request overlaps the
  first one's waits on PostgreSQL or Redis. Workers x threads is about gunicorn's
  "2 x cores + 1" request slots at half the memory. Python runs one thread at a time per
  process: more threads do not add CPU.
- BIND (e.g. 127.0.0.1:8000 or unix:/run/intranet/gunicorn.sock), else 127.0.0.1:PORT
  (PORT defaults to 8000). Behind nginx on the same machine, keep loopback or a socket.
- GUNICORN_TIMEOUT: seconds before a silent worker is killed and replaced (default 60:
  the admin's CSV exports are the slowest pages).
- GUNICORN_GRACEFUL_TIMEOUT: seconds a worker gets to finish its requests on a stop or
  reload (default 20).
- GUNICORN_MAX_REQUESTS: requests before a worker is replaced (default 1000, with up to
  10 % jitter so the workers do not restart together), bounding slow memory growth.
"""

import os


def _cores():
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may use (containers)
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _positive_int(name, default):
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise SystemExit(f"{name} must be a whole number of at least 1, not {raw!r}.")
    return int(raw)


cores = _cores()
workers = _positive_int("WEB_CONCURRENCY", cores + 1)
threads = _positive_int("GUNICORN_THREADS", 2)
worker_class = "gthread"

bind = [os.environ.get("BIND") or f"127.0.0.1:{_positive_int('PORT', 8000)}"]

timeout = _positive_int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _positive_int("GUNICORN_GRACEFUL_TIMEOUT", 20)
# Behind nginx: keep-alive connections from the proxy are reused.
keepalive = 5
max_requests = _positive_int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = max(1, max_requests // 10)

# One line per request on standard output (journald or the terminal); errors on stderr.
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
proc_name = "mentorat-web"

# Recent gunicorn releases open a control socket in ~/.gunicorn/ by default: one path per
# user, so a second instance (a test, a second site) would fight over it. Nothing uses it.
control_socket_disable = True

# X-Forwarded-For/Proto are trusted from the local proxy only (gunicorn's default).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
