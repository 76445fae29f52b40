"""A corpus reload keeps nothing of the index it replaces: 20 SIGHUPs to a real serving
process, and its resident memory after the 20th is within 30 MB of after the 2nd."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

from tests.conftest import ROOT
from tests.fake_slack import FakeSlack
from tests.test_run import CLEAN_ENV

RELOADS = 20
ALLOWED_GROWTH_MB = 30


def resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_twenty_reloads_keep_no_memory(tmp_path: Path) -> None:
    async def main() -> None:
        slack = await FakeSlack().start()
        env = CLEAN_ENV | {
            "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_APP_TOKEN": "xapp-test",
            "SLACK_API_URL": f"{slack.url}/api/", "BOT_WATCH_CORPUS": "false",
            "BOT_DATABASE_PATH": str(tmp_path / "q.sqlite3"), "BOT_INDEX_DIR": str(tmp_path / "index"),
        }  # fmt: skip
        bot = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=ROOT, env=env,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        assert bot.stderr is not None

        async def until(text: str) -> None:
            assert bot.stderr is not None
            while True:
                line = await asyncio.wait_for(bot.stderr.readline(), 60)
                assert line, f"stopped before « {text} »"
                if text in line.decode():
                    return

        try:
            await until("Slack connecté")
            sizes = []
            for _ in range(RELOADS):
                bot.send_signal(signal.SIGHUP)
                await until("Index rechargé")
                sizes.append(resident_mb(bot.pid))
            print(f"RSS after reloads 2 and {RELOADS}: {sizes[1]:.0f} and {sizes[-1]:.0f} MB")
            assert sizes[-1] - sizes[1] < ALLOWED_GROWTH_MB, sizes
            bot.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(bot.wait(), 30) == 0
        finally:
            if bot.returncode is None:
                bot.kill()
                await bot.wait()
            await slack.stop()

    asyncio.run(main())
