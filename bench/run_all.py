"""`make bench`: run every benchmark under bench/ and print one JSON line per benchmark.

A benchmark is a bench/<name>.py script that prints its figures as one JSON line on stdout.
Benchmarks run what a deployment runs: DEBUG off, the real password hasher, PostgreSQL
(BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/<their own database>).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    failures = 0
    scripts = sorted(
        p
        for p in HERE.glob("*.py")
        if p.name not in {"run_all.py", "__init__.py"} and not p.name.startswith("_")
    )
    if not scripts:
        print(json.dumps({"bench": "none", "note": "no benchmark yet"}))
        return 0
    for script in scripts:
        proc = subprocess.run(
            [sys.executable, str(script)], capture_output=True, text=True, cwd=HERE.parent
        )
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
        if proc.returncode != 0 or not lines:
            failures += 1
            print(json.dumps({"bench": script.stem, "error": (proc.stderr or proc.stdout)[-2000:]}))
        else:
            print(lines[-1])
        sys.stdout.flush()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
