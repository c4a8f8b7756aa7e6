"""Time to make and read one large document of each character class (hostile input).

Each input is ``--size`` characters (default 999,000: spaCy's own cap is 1,000,000) of one
repeated unit: runs of symbols, emoji and punctuation (which made spaCy's tokenizer quadratic
before ``exitwatch.read.sanitize``), whitespace, Zalgo text, long URLs, scripts written without
spaces (CJK, Thai), other scripts, and plain words. Printed per class: seconds to make the
Document (``ingest.make_document``: boilerplate, id, language) and to read it
(``read.read_document``, wall and CPU seconds: on a shared machine the CPU figure is the one to
compare), and whether the read stayed under ``--limit`` CPU seconds (default 2).

Usage: .venv/bin/python benchmarks/hostile_read.py [--size 999000] [--mode lexical|auto|model]
                                                     [--only pct,emoji] [--limit 2]
"""

from __future__ import annotations

import argparse
import time

#: One repeated unit per character class.
CLASSES = {
    "pct": "%",
    "qmark": "?",
    "paren": ")",
    "quote": '"',
    "emoji": "😀",
    "emoji_zwj": "👨\u200d👩\u200d👧",
    "flags": "🇮🇷",
    "symbols": "©®™§¶†‡•",
    "spaced_pct": "% ",
    "pct_lines": "%\n",
    "apostrophe_s": "'s",
    "letter_pct": "a%",
    "hyphens": "a-",
    "dots": "a.",
    "spaces": " ",
    "newlines": "\n",
    "zero_width": "\u200b",
    "zalgo": "a\u0301\u0302\u0303\u0304\u0305",
    "url": "https://example.org/a?b=c&d=",
    "cjk": "中文字，中文。",
    "thai": "สวัสดีครับ",
    "arabic": "مرحبا بالعالم ",
    "devanagari": "नमस्ते दुनिया ",
    "cyrillic": "привет мир ",
    "digits": "1234567890",
    "letters": "abcdefghij",
    "words": "word ",
    "capitals": "Word ",
}


def unit_text(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=999_000)
    parser.add_argument("--mode", default="lexical")
    parser.add_argument("--only", default="", help="comma-separated class names")
    parser.add_argument("--limit", type=float, default=2.0)
    args = parser.parse_args()

    from exitwatch.ingest import make_document
    from exitwatch.read import read_document

    read_document(make_document("Warm-up: protesters marched in Tehran."), mode=args.mode)
    names = [n for n in args.only.split(",") if n] or list(CLASSES)
    worst = 0.0
    for name in names:
        text = "Protesters marched in Tehran on Monday. " + unit_text(CLASSES[name], args.size)
        start = time.perf_counter()
        doc = make_document(text)
        made = time.perf_counter() - start
        start, cpu = time.perf_counter(), time.process_time()
        reading = read_document(doc, mode=args.mode)
        read, read_cpu = time.perf_counter() - start, time.process_time() - cpu
        worst = max(worst, read_cpu)
        verdict = "ok" if read_cpu <= args.limit else "OVER"
        print(f"{name:13s} make {made:6.2f} s  read {read:6.2f} s wall {read_cpu:6.2f} s CPU  "
              f"{len(reading.sentences):6d} sentences  {verdict}", flush=True)
    print(f"slowest read {worst:.2f} CPU s (limit {args.limit} s, mode {args.mode}, {args.size:,} characters)")


if __name__ == "__main__":
    main()
