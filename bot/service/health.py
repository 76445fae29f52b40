"""Is it alive? `/healthz` and `/metrics` on an optional HTTP endpoint (BOT_HEALTH_PORT,
on 127.0.0.1 by default), for a service manager, a load balancer or Prometheus.

- `/healthz`: 200 when every configured platform is connected and the index is loaded,
  else 503; both with JSON saying which part is not (`{"platforms": {"Slack": true,
  "Discord": false}, "index": {"loaded": true, "passages": 28}}`).
- `/metrics`: Prometheus text through prometheus-client: questions by platform and
  reply kind, answer latency, feedback by vote, reloads by result, platform
  connection state, index size and age.

The server is the standard library's WSGI server in a daemon thread, so it answers
even while the event loop is busy; it reads the state, it never changes it.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import (
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    make_wsgi_app,
)

from bot.service import systemd
from bot.settings import StartupError

log = logging.getLogger(__name__)


LIVENESS_SECONDS = 30.0  # a platform whose socket said nothing for this long is not connected


class Health:
    """The bot's vital signs: what platforms are connected, how big and old the index is,
    and the Prometheus metrics, in a registry of its own. A platform with a live socket
    (Discord's gateway, Slack's Socket Mode) counts as connected only while it answered
    within `liveness_seconds` (a heartbeat ACK, a ping's pong): a connection that went
    silent is not "ok" for the minute discord.py takes to notice."""

    def __init__(self, liveness_seconds: float = LIVENESS_SECONDS) -> None:
        self.liveness_seconds = liveness_seconds
        self._heard: dict[str, float] = {}  # the platforms that report their socket's answers
        self.registry = CollectorRegistry()
        for collector in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):  # memory, CPU, fds, GC
            self.registry.register(collector)
        self.questions = Counter(
            "emad_bot_questions", "Questions answered", ["platform", "kind"], registry=self.registry
        )
        self.latency = Histogram(
            "emad_bot_answer_seconds", "Time to answer a question", ["platform"], registry=self.registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
        )  # fmt: skip
        self.feedback = Counter("emad_bot_feedback", "Feedback votes", ["vote"], registry=self.registry)
        self.reloads = Counter("emad_bot_reloads", "Corpus reloads", ["result"], registry=self.registry)
        self.connected = Gauge(
            "emad_bot_platform_connected", "1 when the platform is connected", ["platform"],
            registry=self.registry,
        )  # fmt: skip
        self.passages = Gauge("emad_bot_index_passages", "Passages in the index", registry=self.registry)
        self.unrecorded = Gauge(
            "emad_bot_questions_unrecorded", "Questions answered that the log could not note as pending",
            registry=self.registry,
        )  # fmt: skip
        self.unlogged = Gauge(
            "emad_bot_replies_unlogged", "Replies given that the log could not record", registry=self.registry
        )
        self.built_at = Gauge(
            "emad_bot_index_loaded_timestamp_seconds", "When the index now serving was loaded",
            registry=self.registry,
        )  # fmt: skip
        self._platforms: dict[str, bool] = {}
        self._lock = threading.Lock()
        self._told_ready = False
        self._expected = False  # `expect` has named the platforms: readiness can be told

    def expect(self, platforms: Iterable[str]) -> None:
        """The platforms that must be connected for the bot to be healthy."""
        with self._lock:
            self._expected = True
            for name in platforms:
                self._platforms.setdefault(name, False)
                self.connected.labels(name.casefold()).set(0)  # "slack", as every metric spells it
        self._tell_ready()

    def heard(self, platform: str) -> None:
        """The platform's socket answered (a heartbeat ACK, a pong): it is alive now."""
        with self._lock:
            self._heard[platform] = time.monotonic()
        self._tell_ready()

    def set_connected(self, platform: str, connected: bool) -> None:
        with self._lock:
            self._platforms[platform] = connected
            if connected and platform in self._heard:
                self._heard[platform] = time.monotonic()
        self.connected.labels(platform.casefold()).set(1 if connected else 0)
        self._tell_ready()

    def index_loaded(self, passages: int) -> None:
        self.passages.set(passages)
        self.built_at.set(time.time())
        self._tell_ready()

    def _tell_ready(self) -> None:
        """The service manager hears READY=1 once: the index is loaded and every expected
        platform connected (systemd's Type=notify; nothing without $NOTIFY_SOCKET)."""
        healthy, _ = self.status()
        with self._lock:
            if not healthy or self._told_ready or not self._expected:
                return
            self._told_ready = True
        systemd.notify("READY=1")

    def status(self) -> tuple[bool, dict[str, Any]]:
        now = time.monotonic()
        with self._lock:
            platforms = {
                name: connected and now - self._heard.get(name, now) <= self.liveness_seconds
                for name, connected in self._platforms.items()
            }
        passages = int(self.passages._value.get())
        report = {"platforms": platforms, "index": {"loaded": passages > 0, "passages": passages}}
        return all(platforms.values()) and passages > 0, report


class _QuietHandler(WSGIRequestHandler):
    timeout = 5  # seconds a client may take to send its request: an idle one is dropped

    def log_message(self, format: str, *args: Any) -> None:
        pass  # a health check every few seconds is no news


class _ThreadedServer(ThreadingMixIn, WSGIServer):
    """One thread per request: a slow or idle client holds its own thread only."""

    daemon_threads = True


def serve_health(health: Health, host: str, port: int) -> WSGIServer:
    """Serve `/healthz` and `/metrics` in a daemon thread; the caller shuts it down."""
    metrics = make_wsgi_app(health.registry)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/healthz":
            healthy, report = health.status()
            body = json.dumps(report | {"status": "ok" if healthy else "degraded"}).encode()
            start_response("200 OK" if healthy else "503 Service Unavailable",
                           [("Content-Type", "application/json")])  # fmt: skip
            return [body]
        if path == "/metrics":
            return metrics(environ, start_response)  # type: ignore[no-any-return]
        start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
        return [b"/healthz ou /metrics"]

    try:
        server = make_server(host, port, app, server_class=_ThreadedServer, handler_class=_QuietHandler)
    except OSError as error:
        raise StartupError(
            f"BOT_HEALTH_PORT : impossible d'écouter sur {host}:{port} ({error.strerror}) ; "
            "un autre programme l'utilise-t-il ? Choisissez un autre port."
        ) from None
    threading.Thread(target=server.serve_forever, name="health", daemon=True).start()
    log.info("Santé et métriques sur http://%s:%d (/healthz, /metrics)", host, server.server_port)
    return server
