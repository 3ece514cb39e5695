"""Build src/spamward/demo/traffic.jsonl from the YouTube Spam Collection (CC BY 4.0).

Run once by a developer; the output ships in the package so `make run` never reads
../shared/. Authors are replaced by pseudonymous ids; the U+FEFF crawl artefact and HTML
escapes are removed.
"""

from __future__ import annotations

import csv
import html
import json
import random
import re
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2] / "shared/corpora/youtube_spam_collection"
TARGET = Path(__file__).resolve().parents[1] / "src/spamward/demo/traffic.jsonl"
SIZE = 160


def main() -> None:
    rows = []
    for path in sorted(SOURCE.glob("Youtube0*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            rows += list(csv.DictReader(handle))
    rng = random.Random(2026)
    linked = [row for row in rows if re.search(r"https?://|www\.", row["CONTENT"])]
    sample = rng.sample(linked, 60) + rng.sample(rows, SIZE - 60)
    rng.shuffle(sample)
    authors: dict[str, str] = {}
    with TARGET.open("w", encoding="utf-8") as out:
        for row in sample:
            user = authors.setdefault(row["AUTHOR"], f"user-{len(authors) + 1:04d}")
            text = html.unescape(re.sub(r"<br\s*/?>", "\n", row["CONTENT"])).replace("\ufeff", "")
            event = {"type": "comment", "actor": {"id": user}, "content": {"text": text.strip()}}
            out.write(json.dumps(event, ensure_ascii=False) + "\n")
    print(f"wrote {SIZE} events to {TARGET}")


if __name__ == "__main__":
    main()
