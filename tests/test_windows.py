"""Nothing POSIX-only: files made for Windows tools, and each platform-dependent choice run
with the platform patched to Windows."""

from __future__ import annotations

import io
import json
import os
import signal
import sqlite3
import sys
from pathlib import Path, PureWindowsPath

import pytest

from chuyi_cli import cache
from chuyi_cli.errors import ChuyiError
from chuyi_cli.exchange import import_file
from chuyi_cli.platform import read_only_filesystem, sqlite_read_only_uri, termination_signals
from chuyi_cli.rules import evidence_of
from chuyi_cli.store import Store, default_db_path


@pytest.fixture
def sheet_rows(chuyi):
    """Entries whose notes hold a line break and a comma, as a sheet's cells do."""
    note = "第一行\n第二行"
    chuyi(
        "record",
        "--stage",
        "accepted",
        "culture-bases",
        "醴陵陶瓷文化馆",
        "--region",
        "醴陵",
        "--note",
        note,
    )
    chuyi(
        "record",
        "--stage",
        "accepted",
        "training-bases",
        "长沙汽车实训基地",
        "--region",
        "长沙",
        "--note",
        "甲, 乙",
    )
    return chuyi.json("log")


def test_csv_export_ends_lines_with_crlf_as_excel_does(chuyi, sheet_rows, tmp_path):
    out = tmp_path / "a.csv"
    chuyi("export", "-o", str(out))
    raw = out.read_bytes()
    records = raw.split(b"\r\n")
    assert records[-1] == b"" and len(records) == 1 + len(sheet_rows) + 1  # header, rows
    # The only bare LF is the one inside the quoted note: it is the note's, kept as it is.
    assert raw.replace(b"\r\n", b"").count(b"\n") == 1 and "第一行\n第二行".encode() in raw


@pytest.mark.parametrize("ending", [b"\r\n", b"\n"])
@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_import_reads_crlf_and_lf_alike(chuyi, sheet_rows, tmp_path, monkeypatch, ending, fmt):
    exported = tmp_path / f"a.{fmt}"
    chuyi("export", "--format", fmt, "-o", str(exported))
    raw = exported.read_bytes().replace(b"\r\n", b"\n")
    if fmt == "csv":  # a record's ending, not the note's line break inside its quotes
        raw = raw.replace(b"\xe8\xa1\x8c\n\xe7\xac\xac", b"\x00")
    raw = raw.replace(b"\n", ending).replace(b"\x00", b"\xe8\xa1\x8c\n\xe7\xac\xac")
    retyped = tmp_path / f"b.{fmt}"
    retyped.write_bytes(raw)
    assert (ending in raw) and (ending == b"\n" or b"\r\n" in raw)
    monkeypatch.setenv("CHUYI_DB", str(tmp_path / "other.db"))
    result = chuyi("--lang", "en", "import", str(retyped), "--json")
    assert json.loads(result.stdout)["added"] == len(sheet_rows)
    assert chuyi.json("log") == sheet_rows  # the note's line break and comma exactly


# --------------------------------------------------------------------------- as Windows


@pytest.fixture
def as_windows(monkeypatch):
    """The platform-dependent choices made as on a Windows laptop."""
    monkeypatch.setattr(sys, "platform", "win32")


@pytest.mark.parametrize(
    ("path", "uri"),
    [
        (r"C:\楚怡\chuyi.db", "file:///C:/%E6%A5%9A%E6%80%A1/chuyi.db?mode=ro"),
        (r"d:\数据 #1\a?.db", "file:///d:/%E6%95%B0%E6%8D%AE%20%231/a%3F.db?mode=ro"),
        (r"楚怡\chuyi.db", "file:%E6%A5%9A%E6%80%A1/chuyi.db?mode=ro"),
        (r"\\server\share\chuyi.db", "file:////server/share/chuyi.db?mode=ro"),
    ],
)
def test_a_read_only_database_uri_for_windows_paths(as_windows, path, uri):
    assert sqlite_read_only_uri(PureWindowsPath(path)) == uri


def test_a_read_only_database_uri_elsewhere_opens_the_file(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "platform", "linux")
    path = tmp_path / "数据 #1?.db"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.commit()
    uri = sqlite_read_only_uri(path, immutable=True)
    assert uri.endswith("?mode=ro&immutable=1") and "#" not in uri
    db = sqlite3.connect(uri, uri=True)
    assert db.execute("SELECT count(*) FROM t").fetchone() == (0,)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        db.execute("INSERT INTO t VALUES (1)")


def test_no_statvfs_on_windows_is_no_read_only_mount(as_windows, monkeypatch, tmp_path):
    monkeypatch.delattr(os, "statvfs", raising=False)
    assert read_only_filesystem(tmp_path) is False


def test_termination_signals_are_those_the_system_has(monkeypatch):
    monkeypatch.setattr(sys, "platform", "linux")
    assert termination_signals() == ("SIGINT", "SIGTERM", "SIGHUP")
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.delattr(signal, "SIGHUP", raising=False)
    monkeypatch.delattr(signal, "SIGBREAK", raising=False)
    assert termination_signals() == ("SIGINT", "SIGTERM")
    monkeypatch.setattr(signal, "SIGBREAK", 21, raising=False)
    assert termination_signals() == ("SIGINT", "SIGTERM", "SIGBREAK")


def test_default_folders_on_windows_are_platformdirs(as_windows, monkeypatch):
    import platformdirs

    local = r"C:\Users\张三\AppData\Local"
    monkeypatch.setattr(platformdirs, "user_data_dir", lambda app, appauthor: rf"{local}\{app}")
    monkeypatch.setattr(
        platformdirs, "user_cache_dir", lambda app, appauthor: rf"{local}\{app}\Cache"
    )
    monkeypatch.delenv("CHUYI_CACHE_DIR")
    assert str(default_db_path()) == str(Path(rf"{local}\chuyi") / "chuyi.db")
    assert str(cache.folder()) == rf"{local}\chuyi\Cache"


def test_a_windows_path_as_evidence_is_a_path_not_a_url():
    for text in (r"C:\楚怡\验收\批复.pdf", "D:/楚怡/照片.jpg"):
        # A path: refused as a file that is not there (not as a URL of scheme "c:") ...
        with pytest.raises(ChuyiError) as refused:
            evidence_of(text)
        assert refused.value.message.key == "evidence_missing"
        # ... and kept as typed when it comes with its hash (an export from that laptop).
        assert evidence_of(text, "a" * 64) == (text, "a" * 64)
    assert evidence_of("https://jyt.hunan.gov.cn/a.pdf") == ("https://jyt.hunan.gov.cn/a.pdf", None)


def test_dev_stdin_typed_on_windows_reads_standard_input(as_windows, isolated, plan, places, today):
    sheet = (
        "目标,单位名称,地区,阶段,日期,记录人\n"
        "training-bases,长沙汽车实训基地,长沙,验收通过,2024/3/5,张三\n"
    )
    with Store.open(isolated) as store:
        result = import_file(
            store,
            PureWindowsPath("/dev/stdin"),
            plan,
            places,
            today,
            stdin=io.BytesIO(sheet.encode()),
        )
    assert result.added == 1


def test_the_recorder_is_the_windows_login_without_a_password_database(chuyi, monkeypatch):
    """getpass reads USERNAME, the variable Windows sets, before any POSIX user database."""
    for name in ("CHUYI_USER", "LOGNAME", "USER", "LNAME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("USERNAME", "张三")
    chuyi("record", "--stage", "accepted", "training-bases", "长沙汽车实训基地", "--region", "长沙")
    assert [e["recorder"] for e in chuyi.json("log")] == ["张三"]


@pytest.mark.parametrize(
    ("lang", "words"), [("zh", "Excel 或 WPS 中打开"), ("en", "open in Excel")]
)
def test_an_export_over_a_file_open_in_excel_says_so(
    as_windows, chuyi, sheet_rows, tmp_path, monkeypatch, lang, words
):
    """Windows refuses to replace a file another program holds open."""
    out = tmp_path / "导出.csv"
    out.write_bytes(b"held by Excel")

    def held_open(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", held_open)
    said = chuyi("--lang", lang, "export", "-o", str(out), code=1).stderr
    assert words in said and str(out) in said
    assert out.read_bytes() == b"held by Excel" and os.listdir(tmp_path).count("导出.csv") == 1
    assert [p for p in os.listdir(tmp_path) if "chuyi-tmp" in p] == []


def test_elsewhere_a_refused_write_names_only_the_reason(chuyi, sheet_rows, tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "platform", "linux")

    def refused(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refused)
    said = chuyi("--lang", "en", "export", "-o", str(tmp_path / "a.csv"), code=1).stderr
    assert "Permission denied" in said and "Excel" not in said


def test_a_template_on_a_disk_without_hard_links_keeps_the_umask(chuyi, tmp_path, monkeypatch):
    """A USB stick in exFAT has no hard links: the template is renamed in instead."""

    def no_links(src, dst):
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    old = os.umask(0o027)
    try:
        path = tmp_path / "模板.xlsx"
        chuyi("--lang", "zh", "template", "-o", str(path))
    finally:
        os.umask(old)
    assert path.stat().st_size > 0 and path.stat().st_mode & 0o777 == 0o640
    assert [p for p in os.listdir(tmp_path) if "chuyi-tmp" in p or "partial" in p] == []
