"""chuyi as a separate process, the way a shell or cron runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def run_chuyi(
    env: dict[str, str], *args: str, cwd: Path | None = None, timeout: float | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "chuyi_cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )
