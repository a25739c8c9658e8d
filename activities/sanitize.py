"""Minutes are plain text or a small safe subset of HTML: paragraphs, line breaks, lists, bold.

Everything else a user pastes (scripts, event handlers, links, images, styles, SVG) is removed by
an allow-list sanitizer before the text is stored, and again when it is rendered, so a record
stored before a rule changed can never render unsafe markup.
"""
from __future__ import annotations

import html
import re

import nh3

ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "strong", "b", "em"}
# Tags whose content is dropped along with the tag (the text inside is code, not minutes).
DROPPED_WITH_CONTENT = {"script", "style", "svg", "math", "iframe", "object", "embed", "template",
                        "noscript", "textarea", "title", "xmp", "noembed", "noframes"}
_LOOKS_LIKE_HTML = re.compile(r"<\s*/?\s*[a-zA-Z!]")
_BLANK_LINES = re.compile(r"\n\s*\n")
_LAYOUT_TAGS = re.compile(r"<\s*(p|br|li)\b", re.IGNORECASE)


def clean_minutes(text: str | None) -> str:
    """Return the minutes as safe HTML made only of ALLOWED_TAGS, with no attributes.

    Plain text (no tags) becomes paragraphs: a blank line separates paragraphs, a single line
    break is kept as <br>.
    """
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not _LOOKS_LIKE_HTML.search(text):
        paragraphs = [p.strip() for p in _BLANK_LINES.split(text) if p.strip()]
        text = "".join(
            "<p>" + "<br>".join(html.escape(line.strip()) for line in p.split("\n")) + "</p>"
            for p in paragraphs
        )
    elif not _LAYOUT_TAGS.search(text):
        text = text.replace("\n", "<br>")  # pasted text with a stray tag keeps its line breaks
    return _clean(text)


def _clean(markup: str) -> str:
    return nh3.clean(
        markup,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes={"*": set()},  # no attributes at all, not even the default title/lang
        url_schemes=set(),
        strip_comments=True,
        link_rel=None,
    ).strip()


def render_minutes(stored: str | None) -> str:
    """The stored minutes cleaned once more for output (callers mark the result safe)."""
    return _clean(stored or "")


def minutes_as_text(stored: str | None) -> str:
    """Plain text of the minutes, for spreadsheets: paragraphs and list items on their own lines."""
    if not stored:
        return ""
    markup = re.sub(r"<br\s*/?>|</p>|</li>", "\n", render_minutes(stored))
    text = html.unescape(re.sub(r"<[^>]+>", "", markup))
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())
