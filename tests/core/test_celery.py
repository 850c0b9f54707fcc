"""Celery: eager without a broker, and a real round trip through Redis when one is reachable."""

import contextlib
import importlib
import importlib.util
import os
import uuid
from urllib.parse import urlsplit, urlunsplit

import kombu.pools
import pytest
from celery.schedules import crontab
from django.apps import apps as django_apps
from django.conf import settings

from config.celery import app
from enlace.core import tasks
from tests.conftest import require_service

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
TEST_REDIS_DB = 15  # a database of its own, so that the test never touches real queues


def _test_redis_url() -> str:
    """ENLACE_TEST_REDIS_URL as given, else REDIS_URL (or the local default) switched to db 15."""
    if os.environ.get("ENLACE_TEST_REDIS_URL"):
        return os.environ["ENLACE_TEST_REDIS_URL"]
    base = urlsplit(os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL)
    return urlunsplit(base._replace(path=f"/{TEST_REDIS_DB}"))


def _reset_connections():
    """Close and forget the broker/producer pools and the result backend (rebuilt on next use)."""
    kombu.pools.reset()  # the pools live in kombu's registry, keyed by connection
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)


@contextlib.contextmanager
def _app_on_redis(url: str):
    overrides = {
        "broker_url": url,
        "result_backend": url,
        "task_always_eager": False,
        "worker_hijack_root_logger": False,
        "broker_connection_retry_on_startup": False,
        "broker_connection_max_retries": 1,
    }
    saved = {key: app.conf.get(key) for key in overrides}
    _reset_connections()
    app.conf.update(overrides)
    try:
        yield app
    finally:
        _reset_connections()
        app.conf.update(saved)


def test_without_broker_tasks_run_eagerly_in_process():
    if os.environ.get("CELERY_BROKER_URL"):
        pytest.skip("CELERY_BROKER_URL is set in this environment")
    assert settings.CELERY_BROKER_URL == ""
    assert app.conf.task_always_eager is True
    result = tasks.ping.delay("olá")
    assert result.successful()
    assert result.get() == "olá"


def test_heartbeat_records_its_time():
    tasks.heartbeat.delay()
    beat = tasks.last_heartbeat()
    assert beat is not None
    assert beat["host"]
    assert beat["time"]


def test_every_scheduled_task_is_registered():
    # Import every app's tasks module, as worker and beat do at start.
    for config in django_apps.get_app_configs():
        if importlib.util.find_spec(f"{config.name}.tasks") is not None:
            importlib.import_module(f"{config.name}.tasks")
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "enlace.core.tasks.heartbeat" in scheduled
    assert scheduled <= set(app.tasks)


def test_register_periodic_adds_to_the_beat_schedule():
    saved = dict(app.conf.beat_schedule)
    try:
        tasks.register_periodic(
            "test-nightly", "enlace.core.tasks.ping", crontab(hour=3, minute=0), args=("x",)
        )
        entry = app.conf.beat_schedule["test-nightly"]
        assert entry["task"] == "enlace.core.tasks.ping"
        assert entry["args"] == ("x",)
        assert "core-heartbeat" in app.conf.beat_schedule
    finally:
        app.conf.beat_schedule = saved


@pytest.mark.services
def test_task_runs_through_a_real_redis_broker():
    import celery.contrib.testing.tasks  # noqa: F401  (registers celery.ping for the ping check)
    import redis
    from celery.contrib.testing.worker import start_worker

    url = _test_redis_url()
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except redis.RedisError as exc:
        require_service("Redis", f"{url}: {exc}")

    marker = f"via-redis-{uuid.uuid4().hex[:8]}"
    with _app_on_redis(url), start_worker(app, perform_ping_check=True, shutdown_timeout=20):
        result = tasks.ping.delay(marker)
        assert result.get(timeout=10) == marker
        assert result.backend.__class__.__name__ == "RedisBackend"
        assert result.status == "SUCCESS"
    # Back to eager once the real broker is gone.
    assert app.conf.task_always_eager == (not settings.CELERY_BROKER_URL)
    assert tasks.ping.delay("again").get() == "again"
