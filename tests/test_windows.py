"""Nothing POSIX-only: files made for Windows tools, and each platform-dependent choice run
with the platform patched to Windows."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def sheet_rows(chuyi):
    """Entries whose notes hold a line break and a comma, as a sheet's cells do."""
    note = "第一行\n第二行"
    chuyi("record", "culture-bases", "醴陵陶瓷文化馆", "--region", "醴陵", "--note", note)
    chuyi("record", "training-bases", "长沙汽车实训基地", "--region", "长沙", "--note", "甲, 乙")
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
