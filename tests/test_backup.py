"""SQLite backups: online copy with a manifest, daily with retention, a restore that checks everything
on a copy before it swaps, and never while a counter has the database open; the CLI around them."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from gasdesk import db, dblock
from gasdesk.cli import main
from gasdesk.models import Customer
from gasdesk.services import anchors, backup
from gasdesk.services.attachments import AttachmentService
from gasdesk.services.context import App
from gasdesk.services.errors import Refused
from gasdesk.services.file_guard import REPLACED
from gasdesk.services.inspection import InspectionService
from gasdesk.services.payments import PaymentService
from tests.helpers import active_resident, make_team, resident


@pytest.fixture
def sqlite_app(tmp_path, clock):
    app = App(f"sqlite:///{tmp_path / 'live.sqlite'}", clock)
    yield app
    app.dispose()


def customers(app):
    with app.reading() as s:
        return s.scalar(select(func.count()).select_from(Customer))


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_backup_and_restore_round_trip(sqlite_app, tmp_path, capsys):
    team = make_team(sqlite_app)
    resident(sqlite_app, team.clerk, "张三")
    info = backup.take_backup(sqlite_app, tmp_path / "bk")
    assert backup.check_integrity(info.path) == "ok"
    manifest = json.loads(info.manifest.read_text(encoding="utf-8"))
    assert manifest["sha256"] == sha(info.path) and manifest["size"] == info.size
    assert manifest["rows"]["customer"] == 1 and manifest["schema"] == db.HEAD
    assert manifest["audit"]["entry_id"] > 0 and len(manifest["audit"]["head"]) == 64
    resident(sqlite_app, team.clerk, "李四")  # written after the backup
    assert customers(sqlite_app) == 2
    url = sqlite_app.url
    sqlite_app.dispose()
    assert main(["--db", url, "restore", str(info.path)]) == 0
    assert "均已核对" in capsys.readouterr().out
    again = App(url)
    assert customers(again) == 1
    again.dispose()
    assert list(tmp_path.glob("live.sqlite.before-restore-*")), "the replaced database is kept"
    assert not list(tmp_path.glob("*.restoring*"))
    # the restore is recorded: verify with the folder's anchors is clean, though a later head is lost
    assert main(["--db", url, "audit", "verify", "--backups", str(tmp_path / "bk")]) == 0


def test_files_are_owner_only(sqlite_app, tmp_path):
    folder = tmp_path / "bk"
    make_team(sqlite_app)
    info = backup.take_backup(sqlite_app, folder)
    assert mode(folder) == 0o700
    for path in (tmp_path / "live.sqlite", info.path, info.manifest, folder / anchors.ANCHOR_FILE,
                 dblock.lock_path(tmp_path / "live.sqlite")):
        assert mode(path) == 0o600, path
    assert mode(Path(f"{tmp_path / 'live.sqlite'}-wal")) == 0o600
    import logging

    from gasdesk.ui.logs import setup_logging

    log = setup_logging(tmp_path / "gasdesk.log")
    root = logging.getLogger()
    handler = root.handlers[-1]
    root.removeHandler(handler)
    handler.close()
    assert mode(log) == 0o600


def test_daily_backup_once_a_day_and_pruned(sqlite_app, tmp_path, clock):
    folder = tmp_path / "bk"
    make_team(sqlite_app)
    for _day in range(40):
        backup.daily_backup(sqlite_app, folder)
        backup.daily_backup(sqlite_app, folder)  # twice the same day: one file
        clock.advance(days=1)
    kept = backup.list_backups(folder)
    assert len(kept) == 31  # keep_days default 30, plus today
    assert kept[-1].taken_at.date() == (clock.now() - timedelta(days=1)).date()
    assert len(list(folder.glob("*.manifest.json"))) == 31
    assert len((folder / anchors.ANCHOR_FILE).read_text().splitlines()) == 40, "pruned heads stay anchored"


def test_stale_partial_files_are_cleaned(sqlite_app, tmp_path):
    folder = tmp_path / "bk"
    folder.mkdir()
    stale = folder / "gasdesk-20261126-100000.sqlite.4242.partial"
    stale.write_bytes(b"half a backup")
    old = time.time() - 2 * backup.STALE_PARTIAL_SECONDS
    os.utime(stale, (old, old))
    fresh = folder / "gasdesk-20261127-095959.sqlite.4343.partial"  # another counter's, being written
    fresh.write_bytes(b"x")
    backup.take_backup(sqlite_app, folder)
    assert not stale.exists() and fresh.exists()
    assert not list(folder.glob(f"*.{os.getpid()}.partial"))


# --- refused restores leave the live database as it was ---------------------------------------------

@pytest.fixture
def live(tmp_path, clock):
    """A live database with work in it and a good backup; the app is closed as before a restore."""
    app = App(f"sqlite:///{tmp_path / 'live.sqlite'}", clock)
    team = make_team(app)
    _c, o = active_resident(app, team)
    PaymentService(app, team.clerk).prepay(o.account_id, Decimal("80.00"), "cash")
    info = backup.take_backup(app, tmp_path / "bk")
    resident(app, team.clerk, "后来的客户")
    url = app.url
    app.dispose()
    return url, tmp_path / "live.sqlite", info


def refused(url: str, path: Path, backup_file: Path, match: str, capsys) -> None:
    before = sha(path)
    assert main(["--db", url, "restore", str(backup_file)]) == 1
    assert match in capsys.readouterr().err
    assert sha(path) == before, "the live database is untouched"
    assert not list(path.parent.glob("*.restoring*")) and not list(path.parent.glob("*.before-restore-*"))


def test_an_empty_file_is_refused(live, tmp_path, capsys):
    url, path, _info = live
    empty = tmp_path / "bk" / "gasdesk-20261127-110000.sqlite"
    empty.write_bytes(b"")
    refused(url, path, empty, "0 字节", capsys)


def test_a_file_without_manifest_or_unrelated_is_refused(live, tmp_path, capsys):
    url, path, _info = live
    other = tmp_path / "other.sqlite"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    con.execute("INSERT INTO notes (text) VALUES ('hello')")
    con.commit()
    con.close()
    refused(url, path, other, "没有清单", capsys)
    # even with a manifest that matches it, an unrelated database is not ours
    (tmp_path / "other.sqlite.manifest.json").write_text(json.dumps({
        "sha256": sha(other), "size": other.stat().st_size, "schema": db.HEAD, "rows": {},
        "audit": {"entry_id": None, "head": "0" * 64}}))
    refused(url, path, other, "不是本系统的数据库", capsys)


def test_a_damaged_backup_is_refused(live, tmp_path, capsys):
    url, path, _info = live
    bad = tmp_path / "gasdesk-20261127-100000.sqlite"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    (tmp_path / (bad.name + ".manifest.json")).write_text(json.dumps({
        "sha256": sha(bad), "size": bad.stat().st_size, "schema": db.HEAD, "rows": {},
        "audit": {"entry_id": None, "head": "0" * 64}}))
    refused(url, path, bad, "已损坏", capsys)


def test_any_flipped_bit_is_refused(live, tmp_path, capsys):
    url, path, info = live
    data = info.path.read_bytes()
    for offset in (100, len(data) // 3, len(data) // 2, len(data) - 7):
        flipped = bytearray(data)
        flipped[offset] ^= 1 << (offset % 8)
        info.path.write_bytes(bytes(flipped))
        refused(url, path, info.path, "与其清单不符", capsys)
    info.path.write_bytes(data)
    assert main(["--db", url, "restore", str(info.path)]) == 0


def test_an_edited_backup_with_a_recomputed_manifest_is_refused(live, tmp_path, capsys):
    """The manifest only says the file is unchanged since it was written; the copy is checked too."""
    url, path, info = live
    con = sqlite3.connect(info.path)
    con.execute("UPDATE payment SET amount = amount * 100")
    con.commit()
    con.close()
    manifest = json.loads(info.manifest.read_text())
    manifest.update(sha256=sha(info.path), size=info.path.stat().st_size)
    info.manifest.write_text(json.dumps(manifest))
    refused(url, path, info.path, "未通过审计核对", capsys)


def test_restore_is_refused_while_a_counter_has_the_database_open(live, capsys):
    url, path, info = live
    script = "import sys; from gasdesk.services.context import App; app = App(sys.argv[1]); print('ready', flush=True); " \
             "sys.stdin.read()"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    counter = subprocess.Popen([sys.executable, "-c", script, url], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               env=env)
    try:
        assert counter.stdout is not None and counter.stdout.readline().strip() == b"ready"
        refused(url, path, info.path, "正在使用该数据库", capsys)
    finally:
        counter.kill()
        counter.wait()
    assert main(["--db", url, "restore", str(info.path)]) == 0, "once the counter is gone it goes"


def test_a_counter_cannot_start_during_a_restore(live):
    url, path, _info = live
    lock = dblock.DatabaseLock(path, exclusive=True)
    try:
        with pytest.raises(Refused, match="正在从备份恢复"):
            App(url)
    finally:
        lock.release()
    App(url).dispose()


def test_a_counter_whose_file_was_replaced_stops_writing(tmp_path, clock):
    app = App(f"sqlite:///{tmp_path / 'live.sqlite'}", clock)
    team = make_team(app)
    copy = tmp_path / "copy.sqlite"
    shutil.copy(tmp_path / "live.sqlite", copy)
    os.replace(copy, tmp_path / "live.sqlite")  # replaced behind the running counter's back
    with pytest.raises(Refused) as caught:
        resident(app, team.clerk, "不该写入")
    assert caught.value.message == REPLACED
    with pytest.raises(Refused, match="已停止写入"):
        resident(app, team.clerk, "还是不该写入")
    app.dispose()


def test_backup_refuses_postgresql():
    with pytest.raises(backup.Refused, match="pg_dump"):
        backup.sqlite_path("postgresql+psycopg://u@h/db")


def test_cli_backup(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'x.sqlite'}"
    assert main(["--db", url, "backup", "--to", str(tmp_path / "out")]) == 0
    assert "完整性校验通过" in capsys.readouterr().out
    assert len(list((tmp_path / "out").glob("gasdesk-*.sqlite"))) == 1
    assert len(list((tmp_path / "out").glob("gasdesk-*.sqlite.manifest.json"))) == 1


def test_deleting_the_tail_after_a_backup_is_caught_against_its_manifest(live, capsys):
    url, path, info = live
    con = sqlite3.connect(path)
    last = con.execute("SELECT max(id) FROM audit_log").fetchone()[0]
    con.execute("DELETE FROM audit_log WHERE id > ?", (last - 3,))
    con.commit()
    con.close()
    assert main(["--db", url, "audit", "verify", "--backups", str(info.path.parent)]) == 1
    assert f"备份清单 {info.manifest.name}" in capsys.readouterr().out


def test_commands_wait_for_a_restore_in_chinese(live, capsys):
    url, path, _info = live
    lock = dblock.DatabaseLock(path, exclusive=True)
    try:
        assert main(["--db", url, "audit", "verify"]) == 1
        assert "正在从备份恢复" in capsys.readouterr().err
    finally:
        lock.release()


# --- attachments travel with the backup -------------------------------------------------------------

SCAN = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def with_photos(app, tmp_path, clock, files_folder: Path | None = None):  # type: ignore[no-untyped-def]
    """An inspection order with an inspector's photo and a scanned document attached (kept in
    `files_folder` when given, as PostgreSQL halls set it)."""
    from gasdesk.services.settings import SettingsService
    from tests.test_inspection import PNG, one_order

    team = make_team(app)
    if files_folder is not None:
        SettingsService(app, team.admin).update({"files.folder": str(files_folder)})
    _c, _act, order_id = one_order(app, team, clock)
    svc = InspectionService(app, team.dispatcher)
    for name, data in (("灶台漏气.png", PNG), ("整改通知回执.pdf", SCAN)):
        (tmp_path / name).write_bytes(data)
        svc.attach_photo(order_id, tmp_path / name)
    views = svc.attachments(order_id)
    return team, {v.id: (PNG if v.file_name.endswith(".png") else SCAN) for v in views}


def opens(url: str, team, attachments, clock=None) -> None:  # type: ignore[no-untyped-def]
    """Each attachment opens at the counter with the bytes it was attached with."""
    app = App(url, clock, migrate=False)
    try:
        for attachment_id, data in attachments.items():
            assert AttachmentService(app, team.clerk).read(attachment_id)[1] == data
    finally:
        app.dispose()


def test_a_restore_brings_the_attachments_back_byte_for_byte(sqlite_app, tmp_path, clock, capsys):
    team, attachments = with_photos(sqlite_app, tmp_path, clock)
    files = tmp_path / "live-files"  # beside the database, as the counters keep them
    assert len(list(files.rglob("*.*"))) == 2
    assert main(["--db", sqlite_app.url, "backup", "--to", str(tmp_path / "bk")]) == 0
    assert "附件 2 个（均已核对校验值）" in capsys.readouterr().out
    [info] = backup.list_backups(tmp_path / "bk")
    manifest = json.loads(info.manifest.read_text(encoding="utf-8"))
    listed = manifest["attachments"]["files"]
    assert manifest["attachments"]["missing"] == [] and len(listed) == 2
    kept = backup.files_path(info.path)
    assert mode(kept) == 0o700
    for entry in listed:
        assert sha(kept / entry["path"]) == entry["sha256"] and (kept / entry["path"]).stat().st_size == entry["size"]
        assert mode(kept / entry["path"]) == 0o600
    url = sqlite_app.url
    sqlite_app.dispose()
    shutil.rmtree(files)
    for path in tmp_path.glob("live.sqlite*"):
        path.unlink()
    assert main(["--db", url, "restore", str(info.path)]) == 0
    assert "附件 2 个（从备份复制 2 个，附件文件夹中原已有 0 个）均已核对" in capsys.readouterr().out
    opens(url, team, attachments)


def test_a_backup_without_a_referred_attachment_is_not_restored_as_if_whole(live_photos, capsys):
    url, path, info, team, attachments, files = live_photos
    kept = backup.files_path(info.path)
    gone = next(kept.rglob("*.png"))
    gone.unlink()
    shutil.rmtree(files)  # and the counters' copy is lost too
    refused(url, path, info.path, "备份中缺少 1 个附件", capsys)
    assert not files.exists()
    # told to go on without it: restored, the loss listed, and an exit code that is not success
    assert main(["--db", url, "restore", str(info.path), "--accept-missing-files"]) == 3
    out, err = capsys.readouterr()
    assert "从备份复制 1 个" in out and "恢复后仍缺少 1 个附件" in err and "灶台漏气.png" in err
    photo = next(i for i, data in attachments.items() if data.startswith(b"\x89PNG"))
    app = App(url)
    try:
        with pytest.raises(Refused, match="不在附件文件夹中"):
            AttachmentService(app, team.clerk).read(photo)
    finally:
        app.dispose()
    opens(url, team, {i: d for i, d in attachments.items() if i != photo})


def test_an_altered_attachment_in_the_backup_counts_as_missing(live_photos, capsys):
    url, path, info, team, attachments, files = live_photos
    scan = next(backup.files_path(info.path).rglob("*.pdf"))
    scan.write_bytes(SCAN + b"% edited\n")
    counters = next(files.rglob("*.pdf"))
    counters.rename(counters.with_name("elsewhere"))
    refused(url, path, info.path, "备份中缺少 1 个附件（或已被改动）", capsys)
    # the counters' own copy is back, unaltered: nothing is lost, the restore goes and keeps it
    counters.with_name("elsewhere").rename(counters)
    assert main(["--db", url, "restore", str(info.path)]) == 0
    assert "从备份复制 1 个，附件文件夹中原已有 1 个" in capsys.readouterr().out
    opens(url, team, attachments)


def test_a_backup_lists_the_attachments_it_could_not_take(live_photos, tmp_path, clock, capsys):
    url, _path, _info, _team, _attachments, files = live_photos
    next(files.rglob("*.png")).unlink()
    clock.advance(hours=1)
    assert main(["--db", url, "backup", "--to", str(tmp_path / "bk")]) == 3
    out, err = capsys.readouterr()
    assert "附件 1 个" in out and "1 个附件在附件文件夹中找不到或已被改动，未能备份" in err and "灶台漏气.png" in err
    newest = backup.list_backups(tmp_path / "bk")[-1]
    missing = json.loads(newest.manifest.read_text(encoding="utf-8"))["attachments"]["missing"]
    assert [m["path"].endswith(".png") for m in missing] == [True]


def test_unchanged_attachments_are_linked_not_copied_and_survive_pruning(live_photos, tmp_path, clock):
    url, _path, first, _team, _attachments, _files = live_photos
    app = App(url, clock)
    try:
        clock.advance(days=1)
        second = backup.take_backup(app, tmp_path / "bk")
    finally:
        app.dispose()
    old, new = backup.files_path(first.path), backup.files_path(second.path)
    for path in old.rglob("*.*"):
        assert path.stat().st_ino == (new / path.relative_to(old)).stat().st_ino
    backup.prune(tmp_path / "bk", 0, clock.now().date())
    assert not old.exists() and not first.path.exists()
    assert main(["--db", url, "restore", str(second.path)]) == 0


@pytest.fixture
def live_photos(tmp_path, clock):
    """A closed live database whose order has two attachments, and a good backup of both."""
    app = App(f"sqlite:///{tmp_path / 'live.sqlite'}", clock)
    team, attachments = with_photos(app, tmp_path, clock)
    info = backup.take_backup(app, tmp_path / "bk")
    url = app.url
    app.dispose()
    return url, tmp_path / "live.sqlite", info, team, attachments, tmp_path / "live-files"


@pytest.mark.pg
def test_postgresql_attachments_travel_beside_pg_dump(db_url, tmp_path, clock, capsys):
    """The server's dump holds the database; `gasdesk backup` beside it takes the attachments, and after
    pg_restore on a new server `gasdesk restore FOLDER` brings them back, each checked."""
    if not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: SQLite's backups are the tests above")
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    files = tmp_path / "files"
    app = App(db_url, clock, migrate=False)
    try:
        team, attachments = with_photos(app, tmp_path, clock, files)
    finally:
        app.dispose()
    dump = tmp_path / "gasdesk.dump"
    libpq = make_url(db_url).set(drivername="postgresql")
    subprocess.run(["pg_dump", "-Fc", "-f", str(dump), libpq.render_as_string(hide_password=False)], check=True)
    assert main(["--db", db_url, "backup", "--to", str(tmp_path / "bk")]) == 0
    assert "已备份附件 2 个" in capsys.readouterr().out
    [kept] = (tmp_path / "bk").glob("gasdesk-*.files")
    manifest = json.loads(backup.manifest_path(kept).read_text(encoding="utf-8"))
    assert len(manifest["attachments"]["files"]) == 2 and len(manifest["audit"]["head"]) == 64
    assert all(sha(kept / f["path"]) == f["sha256"] for f in manifest["attachments"]["files"])

    # The server and the counters' files folder are lost: a new database from the dump.
    shutil.rmtree(files)
    name = f"{libpq.database}_restored"
    admin = create_engine(libpq.set(drivername="postgresql+psycopg", database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    restored = libpq.set(database=name)
    try:
        subprocess.run(["pg_restore", "-d", restored.render_as_string(hide_password=False), str(dump)], check=True)
        url = restored.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
        gone = next(kept.rglob("*.png"))
        gone.rename(tmp_path / "aside.png")
        assert main(["--db", url, "restore", str(kept)]) == 1
        assert "备份中缺少 1 个附件" in capsys.readouterr().err
        assert not files.exists(), "a refused restore writes nothing"
        (tmp_path / "aside.png").rename(gone)
        assert main(["--db", url, "restore", str(backup.manifest_path(kept))]) == 0
        assert "附件 2 个（从备份复制 2 个" in capsys.readouterr().out
        opens(url, team, attachments, clock)
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
