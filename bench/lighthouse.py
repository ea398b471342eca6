"""Lighthouse scores for one page: npm `lighthouse` in bench/work/node_modules, driving Debian's
Chromium (CHROME_PATH=/usr/bin/chromium), mobile (Lighthouse's default) and desktop presets.

Lighthouse is installed with npm on first use (never a browser download: it uses CHROME_PATH).
When npm or Chromium is missing the scores are reported as not measured, with the reason.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from bench.builds import Progress

CHROMIUM = "/usr/bin/chromium"
CHROME_FLAGS = ("--headless --no-sandbox --disable-gpu --disable-background-networking "
                "--disable-component-update")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
PRESETS = ("mobile", "desktop")


def lighthouse_bin(work: Path, say: Progress) -> Path | None:
    """bench/work/node_modules/.bin/lighthouse, installed with npm when missing."""
    binary = work / "node_modules" / ".bin" / "lighthouse"
    if binary.exists():
        return binary
    npm = shutil.which("npm")
    if npm is None:
        return None
    say("Installing Lighthouse with npm into bench/work/node_modules...")
    subprocess.run([npm, "install", "--prefix", str(work), "--no-audit", "--no-fund",
                    "lighthouse"], capture_output=True, check=False)
    return binary if binary.exists() else None


def _audit(binary: Path, url: str, preset: str, report: Path) -> dict[str, Any]:
    """One Lighthouse run; the four category scores (0-100) or the reason it failed."""
    command = [str(binary), url, "--quiet", "--output=json", f"--output-path={report}",
               f"--chrome-flags={CHROME_FLAGS}",
               f"--only-categories={','.join(CATEGORIES)}"]
    if preset == "desktop":
        command.append("--preset=desktop")
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False,
                          env=os.environ | {"CHROME_PATH": CHROMIUM})
    if done.returncode != 0 or not report.is_file():
        return {"error": (done.stderr or done.stdout)[-600:]}
    found = json.loads(report.read_text(encoding="utf-8"))
    scores = {name: round((found["categories"][name]["score"] or 0) * 100)
              for name in CATEGORIES}
    missed = {name: [a["title"] for ref in found["categories"][name]["auditRefs"]
                     if ref["weight"] and (a := found["audits"][ref["id"]])["score"] is not None
                     and a["score"] < 1][:5] for name in CATEGORIES if scores[name] < 100}
    return {"scores": scores, "missed_audits": missed, "report": str(report)}


def run_lighthouse(url: str, work: Path, say: Progress) -> dict[str, Any]:
    """Audit `url` with each preset; lines and targets for the report."""
    binary = lighthouse_bin(work, say)
    if binary is None or not Path(CHROMIUM).exists():
        reason = "npm is missing" if binary is None else f"{CHROMIUM} is missing"
        return {"lines": [("Lighthouse", f"not measured: {reason}")], "targets": [
            {"name": "Lighthouse", "target": "100 × 4", "measured": "not run", "met": None}]}
    folder = work / "lighthouse"
    folder.mkdir(parents=True, exist_ok=True)
    runs = {preset: _audit(binary, url, preset, folder / f"{preset}.json") for preset in PRESETS}
    lines, targets = [], []
    for preset, found in runs.items():
        if "error" in found:
            lines.append((f"Lighthouse ({preset})", f"did not run: {found['error']}"))
            targets.append({"name": f"Lighthouse ({preset})", "target": "100 × 4",
                            "measured": "did not run", "met": None})
            continue
        scores = " / ".join(str(found["scores"][name]) for name in CATEGORIES)
        say(f"Lighthouse ({preset}): {scores}")
        lines.append((f"Lighthouse ({preset}): performance / accessibility / best practices / SEO",
                      scores))
        for name, audits in found["missed_audits"].items():
            lines.append((f"  Lighthouse ({preset}) {name} below 100", "; ".join(audits)))
        targets.append({"name": f"Lighthouse ({preset})", "target": "100 × 4",
                        "measured": scores, "met": all(v == 100 for v in found["scores"].values())})
    return {"runs": runs, "lines": lines, "targets": targets}
