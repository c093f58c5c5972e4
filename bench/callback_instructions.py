"""Count the instructions the callback runs per message, full app beside the floor, with callgrind.

``bench/callback.py`` measures CPU time under gunicorn, which this 2-core shared machine makes
noisy (the same code's CPU ratio scattered 1.70-1.94 over five runs). Instruction counts do not
depend on what else runs: ``valgrind --tool=callgrind`` counts the user-space instructions of
one process, the same for the same code and inputs. So this script drives each target's WSGI
callable in-process (one thread calling it, PostgreSQL on 127.0.0.1:5432 as in
``bench/callback.py``, 60 warm-up messages, then ``--messages`` signed text messages with
instrumentation switched on only around them) and prints instructions per message and the
full/floor ratio. ``--baseline REV`` adds the full app of another git revision.

What it cannot see: the kernel's share (context switches, system calls) and gunicorn's own
per-request work, which both targets pay under ``bench/callback.py``. It is for telling whether
a change to the callback's own Python made it cheaper, not a substitute for the load run.

Run ``python bench/callback_instructions.py`` (Debian's ``valgrind``; about a minute per target).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from werkzeug.test import EnvironBuilder

ROOT = Path(__file__).resolve().parent.parent
WARMUP = 60


def _environ(query: dict[str, str], body: bytes) -> dict[str, Any]:
    environ: dict[str, Any] = EnvironBuilder(
        path="/wechat", method="POST", query_string=query, data=body, content_type="text/xml"
    ).get_environ()
    return environ


def _call(app: Any, environ: dict[str, Any]) -> None:
    statuses: list[str] = []
    answer = b"".join(app(environ, lambda status, *_: statuses.append(status)))
    if not statuses or not statuses[0].startswith("200"):
        raise SystemExit(f"the target answered {statuses} {answer[:200]!r}")


def drive(target: str, messages: int) -> None:
    """Run inside valgrind: build ``target``, warm it up, count ``messages`` deliveries."""
    from bench.callback import APPID, TOKEN, build_requests, fresh_database

    folder = tempfile.mkdtemp(prefix="huaicai-instructions-")
    with fresh_database() as url:
        closing = None
        if target == "floor":
            from bench.wechat_floor import create_app as floor_app

            app: Any = floor_app(TOKEN, url.replace("postgresql+psycopg://", "postgresql://"))
        else:
            from webhooks import create_app

            app = create_app(
                {
                    "database": {"url": url},
                    "app": {"log_level": "WARNING", "instance_dir": f"{folder}/instance"},
                    "matching": {"index_path": f"{folder}/match-index"},
                    "wechat": {"token": TOKEN, "appid": APPID, "encoding_aes_key": ""},
                }
            )
            runtime = app.extensions["huaicai"]
            runtime.warm_up()
            closing = runtime.responder.close
        # Requests are built before counting starts: only the targets' own work is counted.
        environs = [_environ(r.query, r.body) for r in build_requests(WARMUP + messages)]
        for environ in environs[:WARMUP]:
            _call(app, environ)
        control = ["callgrind_control", "--instr"]
        subprocess.run([*control, "on", str(os.getpid())], check=True, capture_output=True)
        for environ in environs[WARMUP:]:
            _call(app, environ)
        subprocess.run([*control, "off", str(os.getpid())], check=True, capture_output=True)
        if closing is not None:
            closing()
    shutil.rmtree(folder, ignore_errors=True)


def count(code_root: Path, target: str, messages: int, folder: Path) -> float:
    """Return the instructions per message of ``target`` run from ``code_root``."""
    output = folder / f"{target}-{code_root.name}.callgrind"
    command = [
        "valgrind", "--tool=callgrind", "--instr-atstart=no",
        f"--callgrind-out-file={output}",
        sys.executable, __file__, "--drive", target, "--messages", str(messages),
        "--code-root", str(code_root),
    ]  # fmt: skip
    finished = subprocess.run(command, cwd=code_root, capture_output=True, text=True)
    if finished.returncode != 0:
        raise SystemExit(f"{target} failed under valgrind:\n{finished.stderr[-2000:]}")
    total = 0
    for path in folder.glob(f"{output.name}*"):
        # Each dump has a "summary:" and a "totals:" line; with instrumentation switched on
        # late the summary may read 0, so the larger of the two is the dump's count.
        found = re.findall(r"^(?:summary|totals): (\d+)", path.read_text(), re.MULTILINE)
        total += max((int(value) for value in found), default=0)
    if not total:
        raise SystemExit(f"no instruction count in {output}")
    return total / messages


def main() -> None:
    """Count each target and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200, help="counted messages per target")
    parser.add_argument("--baseline", metavar="REV", default="", help="also this git revision")
    parser.add_argument("--drive", choices=["floor", "full"], help=argparse.SUPPRESS)
    parser.add_argument("--code-root", default=str(ROOT), help=argparse.SUPPRESS)
    options = parser.parse_args()
    # The code under test first on the path, instead of this folder: bench/matching.py would
    # shadow the matching package.
    sys.path[0] = options.code_root
    if options.drive:
        drive(options.drive, options.messages)
        return
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind)")
    from bench.callback import export_revision

    folder = Path(tempfile.mkdtemp(prefix="huaicai-instructions-"))
    runs = [("floor", ROOT, "floor"), ("full", ROOT, "full")]
    if options.baseline:
        baseline = folder / "baseline"
        export_revision(options.baseline, baseline)
        runs.append((f"full at {options.baseline[:12]}", baseline, "full"))
    counted = {label: count(root, target, options.messages, folder) for label, root, target in runs}
    shutil.rmtree(folder, ignore_errors=True)
    print(f"instructions per message ({options.messages} messages each, callgrind, user space):")
    for label, value in counted.items():
        print(f"  {label:<24} {value / 1e6:6.3f} M")
    floor = counted["floor"]
    for label, value in counted.items():
        if label != "floor":
            print(f"{label}/floor: {value / floor:.2f}")
    if options.baseline:
        print(f"full/baseline: {counted['full'] / counted[runs[2][0]]:.2f}")


if __name__ == "__main__":
    main()
