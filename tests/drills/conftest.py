"""What the fault drills share: real Celery workers in subprocesses on a real Redis broker.

A worker is ``celery -A config worker`` started against this test's database (committed data:
the drills use ``transactional_db``) with a queue of its own (``CELERY_TASK_DEFAULT_QUEUE``), so
that drills running at once in other pytest-xdist processes never take each other's messages. The
broker is Redis database 10 of ``ENLACE_TEST_REDIS_URL`` (default redis://127.0.0.1:6379/10).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection

from tests.conftest import require_service

DRILL_REDIS_DB = 10


def redis_url() -> str:
    base = urlsplit(os.environ.get("ENLACE_TEST_REDIS_URL") or "redis://127.0.0.1:6379/15")
    return urlunsplit(base._replace(path=f"/{DRILL_REDIS_DB}"))


def database_url() -> str:
    """The URL of the test database this pytest process uses (what a worker must open)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "localhost"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}@{host}{port}/{db['NAME']}"


class Worker:
    """One ``celery worker`` process (solo pool: the task runs in the process a SIGKILL hits)."""

    def __init__(self, queue: str, log_dir: Path, name: str):
        self.queue = queue
        self.log = log_dir / f"{name}.log"
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": redis_url(),
            "CELERY_RESULT_BACKEND": "",
            "CELERY_TASK_DEFAULT_QUEUE": queue,
            "PYTHONUNBUFFERED": "1",
        }
        argv = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
            "-n",
            f"{name}-{uuid.uuid4().hex[:6]}@%h",
        ]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                argv,
                cwd=settings.BASE_DIR,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if " ready." in self.text():
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError(f"worker not ready:\n{self.text()[-4000:]}")

    def kill(self) -> None:
        """SIGKILL: no clean-up, no acknowledgement, no status written."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


class Broker:
    """Sends tasks by name to the drill's queue (a Celery app of its own: the project's app stays
    eager in this process)."""

    def __init__(self, queue: str):
        self.queue = queue
        self.app = Celery("drills", broker=redis_url(), set_as_current=False)
        self.app.conf.update(task_default_queue=queue, broker_connection_retry_on_startup=False)

    def send(self, name: str, *args, **kwargs) -> None:
        self.app.send_task(name, args=args, kwargs=kwargs, queue=self.queue)

    def close(self) -> None:
        self.app.close()


@pytest.fixture
def workers(transactional_db, tmp_path):
    """``start()`` a worker (as many as wanted) and ``broker.send(...)`` tasks to them; every
    worker is stopped at the end (before the database is flushed)."""
    import redis

    url = redis_url()
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except redis.RedisError as exc:
        require_service("Redis", f"{url}: {exc}")
    queue = f"drill-{uuid.uuid4().hex[:12]}"

    class Workers:
        broker = Broker(queue)
        started: list[Worker] = []

        def start(self, name: str = "worker") -> Worker:
            worker = Worker(queue, tmp_path, f"{name}{len(self.started) + 1}")
            self.started.append(worker)
            worker.wait_ready()
            return worker

    pool = Workers()
    yield pool
    for worker in pool.started:
        worker.stop()
    pool.broker.close()
    redis.Redis.from_url(url).delete(queue)


def wait_for(predicate, *, timeout: float = 60, interval: float = 0.05, what: str = "condition"):
    """Poll ``predicate`` until it returns a true value (which is returned)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
