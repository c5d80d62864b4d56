"""Start Cabildo's production stack on loopback: gunicorn app servers and, optionally, a Celery
worker, with production settings, sharing one PostgreSQL database and Redis. Used by
`bench/load.py` and by the smoke test in `tests/stack/`."""
from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


def redis_available() -> bool:
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=1):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stack_env(*, database_url: str, cache_db: int, broker_db: int, workers: int) -> dict:
    """The environment every process of the stack shares."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",  # loopback has no TLS proxy in front
        "DATABASE_URL": database_url,
        "REDIS_URL": f"redis://{REDIS_HOST}:{REDIS_PORT}/{cache_db}",
        "CACHE_KEY_PREFIX": f"stack-{os.getpid()}",
        "CELERY_BROKER_URL": f"redis://{REDIS_HOST}:{REDIS_PORT}/{broker_db}",
        "WEB_CONCURRENCY": str(workers),
        "GUNICORN_ACCESS_LOG": "",
    }


@dataclass
class Stack:
    servers: list[str]
    env: dict
    logs: Path

    def log_tails(self) -> str:
        return "".join(f"\n--- {log.name}\n{log.read_text()[-2000:]}"
                       for log in sorted(self.logs.glob("*.log")))


def wait_until(check, *, seconds: float, what: str, stack: Stack | None = None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}{stack.log_tails() if stack else ''}")


def healthy(server: str) -> bool:
    import requests

    try:
        return requests.get(f"{server}/healthz", timeout=5).status_code == 200
    except requests.RequestException:  # not listening yet, or still loading the app
        return False


@contextmanager
def running_stack(*, database_url: str, logs: Path, servers: int = 2, workers: int = 2,
                  celery_worker: bool = True, cache_db: int = 13, broker_db: int = 14):
    """Flush the stack's Redis databases, collect static files, start the processes, wait until
    they answer; stop them on exit."""
    import redis

    for db in (cache_db, broker_db):
        redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=db).flushdb()
    env = stack_env(database_url=database_url, cache_db=cache_db, broker_db=broker_db,
                    workers=workers)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                   cwd=ROOT, env=env, check=True, timeout=120)
    logs.mkdir(parents=True, exist_ok=True)
    ports = [free_port() for _ in range(servers)]
    processes, files = [], []
    stack = Stack(servers=[f"http://127.0.0.1:{port}" for port in ports], env=env, logs=logs)
    try:
        for port in ports:
            files.append(open(logs / f"gunicorn-{port}.log", "w"))  # noqa: SIM115
            processes.append(subprocess.Popen(
                [str(BIN / "gunicorn"), "-c", "config/gunicorn.py", "config.wsgi"],
                cwd=ROOT, env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
                stdout=files[-1], stderr=subprocess.STDOUT))
        if celery_worker:
            files.append(open(logs / "worker.log", "w"))  # noqa: SIM115
            processes.append(subprocess.Popen(
                [str(BIN / "celery"), "-A", "config", "worker", "--concurrency", "1",
                 "--without-gossip", "--without-mingle", "-l", "info"],
                cwd=ROOT, env=env, stdout=files[-1], stderr=subprocess.STDOUT))
        for server in stack.servers:
            wait_until(lambda server=server: healthy(server), seconds=60,
                       what=f"{server}/healthz", stack=stack)
        if celery_worker:
            wait_until(lambda: "ready" in (logs / "worker.log").read_text(), seconds=60,
                       what="the Celery worker", stack=stack)
        yield stack
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        for file in files:
            file.close()
