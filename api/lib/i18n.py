"""Two languages for every text a person reads: zh-CN and en."""

from __future__ import annotations

from typing import TypedDict

LOCALES = ("zh-CN", "en")
DEFAULT_LOCALE = "en"


class Text(TypedDict):
    """One message in both languages; ``{name}`` placeholders are filled from params."""

    en: str
    zh: str


def t(en: str, zh: str) -> Text:
    return {"en": en, "zh": zh}


def normalise_locale(value: str | None) -> str | None:
    """Map a language tag to one we speak (zh, zh-Hans, zh-CN → zh-CN; en-GB → en), or None."""
    if not value:
        return None
    tag = value.strip().lower()
    if tag.startswith("zh"):
        return "zh-CN"
    if tag.startswith("en"):
        return "en"
    return None


def negotiate(accept_language: str | None, fallback: str | None = None) -> str:
    """The best of our locales for an Accept-Language header, else the fallback (the user's locale)."""
    if accept_language:
        ranked: list[tuple[float, int, str]] = []
        for position, part in enumerate(accept_language.split(",")):
            tag, _, rest = part.strip().partition(";")
            quality = 1.0
            if rest.strip().startswith("q="):
                try:
                    quality = float(rest.strip()[2:])
                except ValueError:
                    quality = 0.0
            locale = normalise_locale(tag)
            if locale and quality > 0:
                ranked.append((-quality, position, locale))
        if ranked:
            return min(ranked)[2]
    return normalise_locale(fallback) or DEFAULT_LOCALE


def render(text: Text, locale: str, **params: object) -> str:
    template = text["zh"] if locale == "zh-CN" else text["en"]
    return template.format(**params) if params else template
