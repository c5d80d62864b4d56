"""gunicorn settings for Cabildo's app servers: `gunicorn -c config/gunicorn.py config.wsgi`.
Every value can be changed from the environment (docs/deployment.md)."""
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Nothing slow runs in a request (counts, exports and report builds go to the Celery workers).
# A few processes per core, each with threads (gunicorn's gthread worker), so that a short
# request such as /healthz is not queued behind a longer page on the same process.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycling workers (GUNICORN_MAX_REQUESTS) is off by default: a recycled worker drops the
# keep-alive connections it holds, which a client sees as an error under load.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 10
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None  # empty: no access log
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
