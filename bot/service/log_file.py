"""The question log's file, checked before the bot takes it: refuse what is not ours.

- A log whose schema is newer than this code's: start-up stops, naming the file (an
  older emad-bot must not write into a newer one's log).
- A `-wal` file beside the log that is not the log's own (SQLite would replay another
  database's pages over ours, and the logged questions would vanish): it is tried on a
  copy first; if the log it gives is not an emad-bot log, or not sound, the `-wal` and
  `-shm` are moved aside (renamed with a timestamp, never deleted). A killed bot's own
  `-wal`, which holds its last questions, gives our log: it stays and is replayed.
- A log that is not a sound SQLite database: moved aside the same way, and a fresh one
  is started.

Each move is logged with where the old file went. emad-bot's logs carry an
`application_id` (`APPLICATION_ID`), so a foreign database is told from ours.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from bot.settings import StartupError

log = logging.getLogger(__name__)
APPLICATION_ID = 0x656D6164  # "emad"


def _stamp() -> str:
    return time.strftime("%Y%m%dT%H%M%S")


def move_aside(path: Path, why: str) -> Path:
    """Rename `path` beside itself with `why` and a timestamp; where it went."""
    target = path.with_name(f"{path.name}.{why}-{_stamp()}")
    path.rename(target)
    return target


def _state(path: Path, read_only: bool = True) -> tuple[bool, int, bool]:
    """(ours, user_version, sound) of the database at `path` (a copy may be opened for
    writing: SQLite replays a WAL only so). Ours: emad-bot's application_id, or none yet
    and either a schema version (a log made before the id) or no table at all."""
    target = f"file:{path}?mode=ro" if read_only else f"file:{path}"
    with sqlite3.connect(target, uri=True, timeout=5) as db:
        application = int(db.execute("PRAGMA application_id").fetchone()[0])
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
        sound = db.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        empty = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
    return application == APPLICATION_ID or (application == 0 and (version >= 1 or empty)), version, sound


def check_log_file(path: Path, schema_version: int) -> None:
    """Make `path` safe to open as the question log (see the module's docstring)."""
    wal = path.with_name(path.name + "-wal")
    if path.is_file() and wal.is_file() and wal.stat().st_size:
        _check_wal(path, wal)
    if not path.is_file() or not path.stat().st_size:
        return
    try:
        ours, version, sound = _state(path)
    except sqlite3.DatabaseError:
        ours, version, sound = False, 0, False
    if sound and ours and version > schema_version:
        raise StartupError(
            f"journal des questions {path} : schéma en version {version}, plus récent que celui "
            f"de ce programme ({schema_version}). Mettez emad-bot à jour, ou réglez BOT_DATABASE_PATH "
            "vers un autre fichier."
        )
    if not sound or not ours:
        for extra in (wal, path.with_name(path.name + "-shm")):
            if extra.exists():
                move_aside(extra, "illisible")
        moved = move_aside(path, "illisible")
        log.warning("Journal des questions illisible ou étranger : mis de côté dans %s, "
                    "un nouveau journal commence", moved)  # fmt: skip


def _check_wal(path: Path, wal: Path) -> None:
    """Replay `wal` on a copy of the log; move it aside if what it gives is not our log
    (a killed bot's own `-wal` gives ours, with what it held: it stays)."""
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / path.name
        shutil.copyfile(path, copy)
        shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
        try:
            ours, _, sound = _state(copy, read_only=False)
        except sqlite3.DatabaseError:
            ours, sound = False, False
    if ours and sound:
        return
    shm = path.with_name(path.name + "-shm")
    moved = move_aside(wal, "etranger")
    if shm.exists():
        move_aside(shm, "etranger")
    log.warning("Fichier %s étranger au journal des questions : mis de côté dans %s", wal.name, moved)
