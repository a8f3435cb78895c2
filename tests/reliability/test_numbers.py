"""Numbers no one means: a 5,000-digit number as any numeric option, --since 99999d,
--stale 10**12. A clear error or a sensible answer, never `internal error`."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.processes import run_chuyi

HUGE = "9" * 5000


def env_for(db: Path) -> dict[str, str]:
    env = {**os.environ, "CHUYI_DB": str(db), "NO_COLOR": "1", "CHUYI_LANG": "en"}
    env.pop("LC_ALL", None)
    return env


@pytest.mark.parametrize(
    "args",
    [
        ("record", "think-tank-lectures", "--quantity", HUGE),
        ("record", "think-tank-lectures", f"--quantity={HUGE}"),
        ("summary", "--year", HUGE),
        ("summary", "--stale", HUGE),
        ("summary", "--since", f"{HUGE}d"),
        ("regions-status", "--stale", HUGE),
        ("log", "--width", HUGE),
        ("status", "--width", HUGE),
        ("record", "think-tank-lectures", "--quantity", "9" * 4000),
        ("summary", "--year", "9" * 4000),
        ("regions-status", "--stale", "9" * 4000),
    ],
    ids=lambda a: " ".join(x[:12] for x in a),
)
def test_a_number_too_long_is_a_clear_error(tmp_path, args):
    db = tmp_path / "c.db"
    result = run_chuyi(env_for(db), *args, timeout=60)
    assert result.returncode in (1, 2), (result.returncode, result.stderr[:300])
    said = result.stdout + result.stderr
    assert "internal error" not in said and "Traceback" not in said
    assert said.startswith("chuyi: error:")
    assert max(len(line) for line in said.splitlines()) < 100  # a mail's line, not 5,000
    zh = run_chuyi({**env_for(db), "CHUYI_LANG": "zh"}, *args, timeout=60)
    assert zh.stderr.startswith("chuyi：错误：") and "internal error" not in zh.stderr


def test_far_windows_are_answered(tmp_path):
    db = tmp_path / "c.db"
    env = env_for(db)
    done = run_chuyi(
        env,
        "record",
        "rebuilt-school-per-city",
        "岳阳县职业中专",
        "--region",
        "岳阳县",
        "--stage",
        "accepted",
    )
    assert done.returncode == 0, done.stderr
    since = run_chuyi(env, "summary", "--since", "99999d")
    assert since.returncode == 0, since.stderr
    assert "internal error" not in since.stderr
    rows = json.loads(run_chuyi(env, "regions-status", "--stale", str(10**12), "--json").stdout)
    stale = {r["name"]: r["stale"] for r in rows}
    assert stale["岳阳市"] is False  # visited: not stale however long the window
    assert stale["长沙市"] is True  # never visited
    summary = json.loads(
        run_chuyi(env, "summary", "--stale", str(10**12), "--format", "json").stdout
    )
    assert "岳阳市" not in {s["region"] for s in summary["stale"]}
    bad = run_chuyi(env, "summary", "--since", "100001d")
    assert bad.returncode == 1 and "too many days" in bad.stderr
