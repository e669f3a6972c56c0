"""Snippets: the passage of an article that best covers the query, with the hits marked.

The index holds tokens, not prose, so snippets are cut from the article's own text here, for the few results
shown. A word is a hit when it stems to a query term (or to one of its typo and prefix expansions); a CJK
unigram or bigram is a hit when it is one. The passage is HTML-escaped and hits are wrapped in ``<mark>``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from api.knowledge.tokenize import CJK, MAX_TERM, PREFIX, is_cjk_term, is_prefix, normalise, stem

WIDTH = 120
LEAD = 24  # characters of context before the first hit
MAX_SCAN = 6000
OPEN, CLOSE = "<mark>", "</mark>"


def _pattern(terms: Iterable[str]) -> re.Pattern[str] | None:
    terms = [t[: -len(PREFIX)] if is_prefix(t) else t for t in terms]
    cjk = sorted((t for t in terms if is_cjk_term(t)), key=len, reverse=True)
    # A Latin term is a stem: find words starting like it, then check that they stem to it.
    latin = sorted({t[: max(3, len(t) - 1)] for t in terms if not is_cjk_term(t)}, key=len, reverse=True)
    parts = [re.escape(t) for t in cjk] + [rf"\b{re.escape(p)}[^\W_{CJK}]*" for p in latin]
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def _is_hit(found: str, terms: set[str]) -> bool:
    if is_cjk_term(found):
        return True
    word = normalise(found)
    return word in terms or stem(word[:MAX_TERM]) in terms


def snippet(text: str, terms: set[str], width: int = WIDTH) -> str:
    """The best passage of ``text`` for the query terms, escaped, hits in <mark>; its start when nothing hits."""
    text = " ".join(text[:MAX_SCAN].split())
    pattern = _pattern(terms)
    hits = [(m.start(), m.end(), normalise(m.group())) for m in pattern.finditer(text)] if pattern else []
    hits = [h for h in hits if _is_hit(text[h[0] : h[1]], terms)]
    if not hits:
        return html.escape(text[:width]) + ("…" if len(text) > width else "")
    start = _best_start(hits, width)
    end = min(len(text), start + width)
    out = ["…" if start > 0 else ""]
    cursor = start
    for hit_start, hit_end, _ in hits:
        if hit_start < start or hit_end > end:
            continue
        out += [html.escape(text[cursor:hit_start]), OPEN, html.escape(text[hit_start:hit_end]), CLOSE]
        cursor = hit_end
    out.append(html.escape(text[cursor:end]))
    out.append("…" if end < len(text) else "")
    return "".join(out)


def _best_start(hits: list[tuple[int, int, str]], width: int) -> int:
    """Where the window covering the most distinct hits begins (a little before its first hit)."""
    best, best_start = -1, 0
    for first, _, _ in hits:
        start = max(0, first - LEAD)
        distinct = {term for s, e, term in hits if s >= start and e <= start + width}
        if len(distinct) > best:
            best, best_start = len(distinct), start
    return best_start
