"""gunicorn's settings for Chancery: `gunicorn -c deploy/gunicorn.conf.py tracker.wsgi`.

The worker class and count were chosen by measurement with `make load` (docs/operations.md, "Workers");
each can be changed without editing this file: GUNICORN_WORKERS, GUNICORN_WORKER_CLASS (sync or gthread)
and GUNICORN_THREADS (gthread's threads per worker). Anything given on the command line wins.
"""

import os


def _whole(name, default):
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise SystemExit(f"{name}={value!r}: expected a whole number of at least 1")
    return int(value)


# Four sync workers on two cores: a request spends about half of its CPU time waiting for PostgreSQL on the
# same machine, and two workers then leave the cores half used. Of sync (2 to 5 workers) and gthread (2x4,
# 3x4, 4x2), four sync workers had the lowest p99 in every run and as many requests per second as any
# (docs/operations.md, "Workers"); each keeps one database connection (CONN_MAX_AGE).
workers = _whole("GUNICORN_WORKERS", 4)
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "").strip() or "sync"
if worker_class not in ("sync", "gthread"):
    raise SystemExit(f"GUNICORN_WORKER_CLASS={worker_class!r}: expected sync or gthread")
threads = _whole("GUNICORN_THREADS", 1)
