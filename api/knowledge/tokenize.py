"""One tokenizer for indexing, querying and the phone's offline index, on both databases.

Chinese has no spaces, and a rep types two characters (报价, 合同) and expects hits, so every run of CJK
characters is indexed as its unigrams and its bigrams: a one-character query matches a unigram, a longer one
is the AND of its bigrams. This needs no dictionary (new product names segment as well as old ones), gives the
same tokens on SQLite and PostgreSQL, and is simple enough for the phone to repeat in JavaScript.

Latin words are NFKC-normalised, case-folded, stripped of accents and stemmed with Snowball's English stemmer;
product codes keep a joined form ("EG-100" and "EG100" both give ``eg100``). Stop words are dropped.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

import snowballstemmer

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af"
_TOKEN = re.compile(rf"(?P<cjk>[{CJK}]+)|(?P<word>[^\W_{CJK}]+(?:['.\-][^\W_{CJK}]+)*)")
_SUBWORD = re.compile(r"[^\W\d_]+|\d+")
_CJK_CHAR = re.compile(rf"[{CJK}]")
_PIECE_SEPARATORS = re.compile(r"['.\-]")
MAX_TERM = 40
# Marks a query term that matches every index term it begins (only one CJK character is asked for this way).
PREFIX = "*"

STOP_WORDS_EN = frozenset(
    """a an and are as at be by can could did do does for from had has have how i if in into is it's its me my
    no not of on or our so that the their them then there these they this to was we were what when where which
    who why will with would you your about please""".split()
)
# Function words cut a Chinese query into pieces before bigrams are formed ("怎么报价" asks about 报价).
STOP_WORDS_ZH = (
    "有没有", "怎么样", "是不是", "怎么", "怎样", "如何", "什么", "哪些", "哪个", "为什么", "可以", "能否", "请问",
    "一下", "我们", "你们", "他们", "关于", "的", "了", "吗", "呢", "吧", "啊", "和", "与", "及", "或", "是", "在",
)  # fmt: skip
_ZH_STOP = re.compile("|".join(re.escape(w) for w in sorted(STOP_WORDS_ZH, key=len, reverse=True)))

_stemmer = snowballstemmer.stemmer("english")


def normalise(text: str) -> str:
    """NFKC (full-width to half-width), case-folded, accents removed: the form every token is taken from."""
    text = unicodedata.normalize("NFKC", text).casefold()
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The Snowball (Porter 2) stem of a lower-case English word; cached, since the vocabulary repeats."""
    return _stemmer.stemWord(word)[:MAX_TERM]


def is_cjk_term(term: str) -> bool:
    return _CJK_CHAR.match(term) is not None


def _word_parts(word: str, *, keep_stop_words: bool = False) -> tuple[list[str], str | None, bool]:
    """A word's terms, its joined form when it has several pieces, and whether every piece gave a term."""
    subs = [s for piece in _PIECE_SEPARATORS.split(word) for s in _SUBWORD.findall(piece)]
    parts: list[str] = []
    complete = True
    for sub in subs:
        if sub.isdigit():
            parts.append(sub[:MAX_TERM])
        elif len(sub) > 1 and (keep_stop_words or sub not in STOP_WORDS_EN):
            parts.append(stem(sub))
        else:
            complete = False
    joined = "".join(subs)[:MAX_TERM] if len(subs) > 1 else None
    return parts, joined, complete


def _cjk_terms(run: str) -> Iterator[str]:
    """Every bigram of a CJK run, and the run's last character alone: each character then begins a term, so a
    one-character query is a prefix query ("价*" finds 价格, and 报价's 价 at a run's end). Indexing every
    unigram as well would add 75% more postings for Chinese text, and ranking reads all of them."""
    for i in range(len(run) - 1):
        yield run[i : i + 2]
    yield run[-1]


def tokens(text: str) -> list[str]:
    """The index terms of a text, in order, repeats kept (term frequency matters to ranking)."""
    out: list[str] = []
    for match in _TOKEN.finditer(normalise(text)):
        if match.group("cjk"):
            out.extend(_cjk_terms(match.group("cjk")))
        else:
            parts, joined, _ = _word_parts(match.group("word"))
            out.extend(parts)
            if joined:
                out.append(joined)
    return out


# ---------------------------------------------------------------------------------------------- queries


@dataclass
class Group:
    """One thing the query asks for; any of its alternatives satisfies it (each alternative is an AND of terms).

    A term ending in PREFIX matches the index terms it begins.
    """

    alternatives: list[tuple[str, ...]]
    # The typed word, for prefix and typo expansion (None for CJK and numbers).
    word: str | None = None
    last: bool = False
    expanded: list[str] = field(default_factory=list)

    @property
    def terms(self) -> list[str]:
        return [t for alt in self.alternatives for t in alt]


@dataclass
class Query:
    groups: list[Group]

    @property
    def terms(self) -> set[str]:
        return {t for g in self.groups for t in g.terms}

    def __bool__(self) -> bool:
        return bool(self.groups)


def _cjk_groups(run: str) -> list[Group]:
    if len(run) == 1:
        return [Group([(run + PREFIX,)])]
    return [Group([(run[i : i + 2],)]) for i in range(len(run) - 1)]


def is_prefix(term: str) -> bool:
    return term.endswith(PREFIX)


def parse_query(text: str) -> Query:
    """Groups of a query: CJK runs as bigrams (split at function words), words stemmed, stop words dropped."""
    normal = normalise(text)
    matches = list(_TOKEN.finditer(normal))
    only_stop_words = all(m.group("word") and m.group("word") in STOP_WORDS_EN for m in matches)
    typing = bool(normal) and not normal[-1].isspace()
    groups: list[Group] = []
    for position, match in enumerate(matches):
        if match.group("cjk"):
            for piece in _ZH_STOP.split(match.group("cjk")):
                groups.extend(_cjk_groups(piece) if piece else [])
            continue
        parts, joined, complete = _word_parts(match.group("word"), keep_stop_words=only_stop_words)
        if joined:
            # "EG-100": the joined form, or every piece of it (a text may have written "EG 100").
            pieces = tuple(dict.fromkeys(parts))
            groups.append(Group([(joined,), pieces] if complete and len(pieces) > 1 else [(joined,)]))
        elif parts:
            alpha = not parts[0].isdigit()
            last = typing and position == len(matches) - 1
            groups.append(Group([(parts[0],)], word=match.group("word") if alpha else None, last=last))
    if not groups and matches and all(m.group("cjk") for m in matches):
        # Nothing but function words ("怎么"): search for them as they are.
        groups = [g for m in matches for g in _cjk_groups(m.group("cjk"))]
    return Query(groups)


# ---------------------------------------------------------------------------------------------- facets


def facet_whole(value: str) -> str:
    return " ".join(normalise(value).split())


def facet_keys(value: str | None) -> set[str]:
    """The forms a facet value matches by: the whole value and each of its parts ("西门子 Siemens" → both names)."""
    if not value:
        return set()
    whole = facet_whole(value)
    parts = {p for p in re.split(r"[\s/,;|()（）、]+", whole) if len(p) >= 2}
    return {whole, *parts}


def facet_token(kind: str, key: str) -> str:
    """A facet as one index token: a letter for the facet and a short hash of the value (never a word)."""
    return "z" + kind + hashlib.blake2b(key.encode(), digest_size=6).hexdigest()


def facet_tokens(kind: str, value: str | None) -> list[str]:
    return sorted(facet_token(kind, key) for key in facet_keys(value))


# ---------------------------------------------------------------------------------------------- Markdown

_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MD_URL = re.compile(r"https?://\S+")
_MD_FENCE = re.compile(r"^\s*(```|~~~).*$", re.MULTILINE)
_MD_LINE_MARKS = re.compile(r"^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+|\d+[.)]\s+)", re.MULTILINE)
_MD_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$", re.MULTILINE)
_MD_INLINE = re.compile(r"(\*\*|__|\*|`|~~|<[^>\n]{1,80}>)")
_SPACES = re.compile(r"[ \t]+")


def markdown_text(markdown: str) -> str:
    """Readable plain text of a Markdown body, for indexing and snippets (no URLs, no markup)."""
    text = _MD_IMAGE.sub(r"\1", markdown)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_URL.sub(" ", text)
    text = _MD_FENCE.sub("", text)
    text = _MD_TABLE_RULE.sub("", text)
    text = _MD_LINE_MARKS.sub("", text)
    text = _MD_INLINE.sub("", text)
    text = text.replace("|", " ")
    return _SPACES.sub(" ", text).strip()
