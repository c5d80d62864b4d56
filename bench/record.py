"""Record a benchmark's figures as a section of docs/benchmarks.md (replacing the section of the
same title, or appending it)."""
from __future__ import annotations

from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def write_section(title: str, body: str) -> None:
    """`title` is the section's heading line ("## …"); `body` what follows it."""
    text = BENCHMARKS.read_text()
    section = f"{title}\n\n{body.strip()}\n"
    start = text.find(title)
    if start >= 0:
        end = text.find("\n## ", start + 1)
        text = text[:start] + section + (text[end:] if end >= 0 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    BENCHMARKS.write_text(text)
