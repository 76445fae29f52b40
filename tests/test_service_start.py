"""Starting like a service should: a bot with nothing to do fails where a service manager
sees it, bad settings are named at start (never shown), a busy port names its setting,
systemd hears READY=1 and STOPPING=1, an idle client does not block /healthz, and a
command whose extra is missing says which to install."""

from __future__ import annotations

import asyncio
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from bot.commands.cli import main
from bot.service.health import Health, serve_health
from bot.settings import StartupError
from tests.conftest import ROOT
from tests.fake_slack import SIGNING_SECRET, FakeSlack
from tests.test_run import CLEAN_ENV


def run_bot(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *(args or ("run",))], cwd=ROOT, env=CLEAN_ENV | env,
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_run_with_no_platform_and_nothing_to_read_fails_naming_the_settings(tmp_path: Path) -> None:
    done = run_bot({"BOT_DATABASE_PATH": str(tmp_path / "q.sqlite3")})  # stdin: /dev/null
    assert done.returncode != 0
    assert "Aucune plateforme configurée" in done.stderr
    assert "SLACK_BOT_TOKEN" in done.stderr and "DISCORD_TOKEN" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": ""}, "SLACK_SIGNING_SECRET est vide"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "xoxb-bad-42"}, "SLACK_SIGNING_SECRET"),
        ({"SLACK_BOT_TOKEN": "xoxp-user-token-42", "SLACK_APP_TOKEN": "xapp-1"}, "SLACK_BOT_TOKEN"),
        ({"DISCORD_TOKEN": "  "}, "DISCORD_TOKEN est vide"),
        ({"DISCORD_TOKEN": "not-a-bot-token-42"}, "DISCORD_TOKEN"),
    ],
)
def test_an_invalid_setting_stops_start_up_naming_it_without_showing_it(
    tmp_path: Path, env: dict[str, str], named: str
) -> None:
    done = run_bot(env | {"BOT_DATABASE_PATH": str(tmp_path / "q.sqlite3")})
    assert done.returncode != 0
    assert named in done.stderr
    assert "Traceback" not in done.stderr
    for value in env.values():
        if "-42" in value:
            assert value not in done.stderr + done.stdout


def busy_port() -> socket.socket:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    return taken


def test_a_busy_slack_port_is_named(tmp_path: Path) -> None:
    with busy_port() as taken:
        port = str(taken.getsockname()[1])
        env = {
            "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_HOST": "127.0.0.1", "SLACK_PORT": port,
            "BOT_DATABASE_PATH": str(tmp_path / "q.sqlite3"), "BOT_INDEX_DIR": str(tmp_path / "i"),
        }  # fmt: skip
        done = run_bot(env)
    assert done.returncode != 0
    assert f"SLACK_PORT : impossible d'écouter sur 127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_busy_health_port_is_named() -> None:
    with busy_port() as taken, pytest.raises(StartupError, match="BOT_HEALTH_PORT"):
        serve_health(Health(), "127.0.0.1", taken.getsockname()[1])


def test_an_idle_client_does_not_block_healthz() -> None:
    health = Health()
    health.expect([])
    health.index_loaded(28)
    server = serve_health(health, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.server_port}"
    try:
        with socket.create_connection(("127.0.0.1", server.server_port)) as idle:
            idle.sendall(b"GET /heal")  # half a request, then nothing
            for path in ("/healthz", "/metrics"):
                with urllib.request.urlopen(url + path, timeout=10) as response:
                    assert response.status == 200
                    body = response.read().decode()
            assert "process_resident_memory_bytes" in body and "python_info" in body
    finally:
        server.shutdown()


def test_systemd_hears_ready_once_connected_and_stopping_on_sigterm(tmp_path: Path) -> None:
    async def main_() -> None:
        slack = await FakeSlack().start()
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        listener.bind(str(tmp_path / "notify"))
        listener.setblocking(False)
        loop = asyncio.get_running_loop()
        env = CLEAN_ENV | {
            "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_APP_TOKEN": "xapp-test",
            "SLACK_API_URL": f"{slack.url}/api/",
            "BOT_DATABASE_PATH": str(tmp_path / "q.sqlite3"), "BOT_INDEX_DIR": str(tmp_path / "index"),
            "NOTIFY_SOCKET": str(tmp_path / "notify"),
        }  # fmt: skip
        bot = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=ROOT, env=env,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            ready = await asyncio.wait_for(loop.sock_recv(listener, 100), 60)
            assert ready == b"READY=1"
            assert slack.of("apps.connections.open"), "READY=1 before Slack was connected"
            bot.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(loop.sock_recv(listener, 100), 30) == b"STOPPING=1"
            assert await asyncio.wait_for(bot.wait(), 30) == 0
        finally:
            if bot.returncode is None:
                bot.kill()
                await bot.wait()
            listener.close()
            await slack.stop()

    asyncio.run(main_())


def test_a_command_whose_extra_is_missing_names_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if `emad-bot[picture]` was not installed
    monkeypatch.setenv("BOT_CORPUS_DIR", str(ROOT / "corpus"))
    with pytest.raises(SystemExit) as stopped:
        main(["chronologie", "--image", str(tmp_path / "saga.png")])
    assert "pip install 'emad-bot[picture]'" in str(stopped.value.code)
    assert not (tmp_path / "saga.png").exists()
