"""The article inside a web-page dump: which lines are the story, which are the page.

A page saved as text carries navigation ("Skip to main content"), subscription
prompts ("Subscribe to continue reading"), and teaser lists ("More from this
author", "Similar stories", "Related") whose titles, dates and places belong to
other stories.  :func:`main_spans` keeps the article and drops the rest with
generic rules about lines, not rules about one site:

* a *paragraph* is a line of running prose: at least 12 words, or at least 8
  ending like a sentence, with lowercase words among them;
* the article runs from its headline (the line right before the first
  paragraph) to its last paragraph; what comes before and after is the page;
* prompt lines (subscribe, sign in, cookies, copyright, advertisement, share),
  date-only lines and "Section / date" lines are dropped wherever they are;
* a bare list heading (More from..., Related, Similar stories, Read more, Most
  read, Trending, Recommended, You may also like...) opens a teaser list: every
  line after it is dropped until a real paragraph resumes, that is a paragraph
  ending like a sentence that does not follow a date line.

Text with no paragraph at all (a headline, one sentence, a list of short
dispatches) is kept whole, less prompt, date and teaser lines.
"""
from __future__ import annotations

import re

__all__ = ["main_spans", "MAX_LINE_SCAN"]

#: Lines longer than this are prose for certain; their words are not counted.
MAX_LINE_SCAN = 2_000

_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_WEEKDAY = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+)?"
_TIME = r"(?:\s*(?:[-,|•·@]|at)?\s*\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s*[A-Z]{2,4})?)?"
_DATE = (
    rf"{_WEEKDAY}(?:\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS},?\s+\d{{4}}|{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}[/.]\d{{1,2}}[/.]\d{{2,4}}){_TIME}"
)
_DATE_LINE_RE = re.compile(rf"(?:(?:published|updated|posted|last updated)\s*:?\s*)?{_DATE}", re.IGNORECASE)
_SECTION_DATE_RE = re.compile(rf"[^\W\d][\w &'’.,-]{{0,40}}?\s*[/|•·–—-]\s*{_DATE}", re.IGNORECASE)
_HEADING_RE = re.compile(
    r"(?:more (?:from|stories|on|in|news|articles|like this)|related(?: (?:stories|articles|news|content|posts|coverage|topics))?"
    r"|similar (?:stories|articles|posts)|read (?:more|next|also)|also read|see also|most (?:read|popular|viewed|shared|commented)"
    r"|trending(?: now| stories)?|recommended(?: for you| stories| reading)?|you (?:may|might) (?:also )?(?:like|be interested in)"
    r"|popular(?: now| stories)?|top stories|latest(?: news| stories)?|editor'?s? picks?|further reading|in other news"
    r"|around the web|sponsored(?: content| stories)?|from (?:around )?the web|more headlines|comments?|\d+ comments?)"
    r"\b[\w\s'’:&-]{0,40}$",
    re.IGNORECASE,
)
_PROMPT_RE = re.compile(
    r"\b(?:subscribe|subscription|sign (?:in|up)|log ?in|log out|register (?:now|for)|newsletter|you have reached"
    r"|free (?:limit|articles?)|continue reading|support (?:the|our|us)|donate|advertisement|advertising|cookies?"
    r"|all rights reserved|copyright|privacy policy|terms (?:of|and) (?:use|service|conditions)|skip to"
    r"|share (?:this|on)|follow us|click here|download (?:the|our) app|enable javascript|accept all)\b|©",
    re.IGNORECASE,
)
_SENTENCE_END_RE = re.compile(r"[.!?…؟][\"'”’)\]]*$")
_WORD_RE = re.compile(r"[^\W\d_][\w'’-]*")

# Line classes.
_BLANK, _PARAGRAPH, _HEADING, _PROMPT, _DATE_LINE, _OTHER = range(6)


def _classify(line: str) -> int:
    if not line:
        return _BLANK
    if len(line) <= 80:
        if _DATE_LINE_RE.fullmatch(line) or _SECTION_DATE_RE.fullmatch(line):
            return _DATE_LINE
        if _HEADING_RE.fullmatch(line):
            return _HEADING
    if len(line) <= 160 and _PROMPT_RE.search(line):
        return _PROMPT
    if len(line) > MAX_LINE_SCAN:
        return _PARAGRAPH
    words = _WORD_RE.findall(line)
    if len(words) < 8:
        return _OTHER
    lowercase = sum(1 for w in words if w[0].islower())
    ends_sentence = bool(_SENTENCE_END_RE.search(line))
    arabic = "\u0600" <= words[0][0] <= "\u06ff"
    if (lowercase >= len(words) // 4 or arabic) and (len(words) >= 12 or ends_sentence):
        return _PARAGRAPH
    return _OTHER


def main_spans(text: str) -> list[tuple[int, int]]:
    """The ``(start, end)`` offsets of the article's text in ``text``, in order.

    Each span is a run of kept, adjacent lines (a blank or dropped line ends a
    span), trimmed of surrounding whitespace; ``text[start:end]`` is never empty.
    """
    if not isinstance(text, str) or not text.strip():
        return []
    lines: list[tuple[int, int, int]] = []  # (start, end, class), trimmed
    position = 0
    for raw in text.splitlines(keepends=True):
        stripped = raw.strip()
        if stripped:
            start = position + (len(raw) - len(raw.lstrip()))
            lines.append((start, start + len(stripped), _classify(stripped)))
        else:
            lines.append((position, position, _BLANK))
        position += len(raw)

    keep = [False] * len(lines)
    in_list = False
    previous = _BLANK  # class of the previous non-blank line
    for number, (_start, _end, kind) in enumerate(lines):
        if kind == _BLANK:
            continue
        if kind == _HEADING:
            in_list = True
        elif in_list:
            if kind == _PARAGRAPH and previous != _DATE_LINE and _SENTENCE_END_RE.search(text[_start:_end]):
                in_list = False
                keep[number] = True
        elif kind in (_PARAGRAPH, _OTHER):
            keep[number] = True
        previous = kind

    paragraphs = [n for n, line in enumerate(lines) if keep[n] and line[2] == _PARAGRAPH]
    if paragraphs:
        first, last = paragraphs[0], paragraphs[-1]
        # The headline: the kept line right before the first paragraph.
        for number in range(first - 1, max(-1, first - 4), -1):
            if lines[number][2] == _BLANK:
                continue
            if keep[number] and len(_WORD_RE.findall(text[lines[number][0]:lines[number][1]])) >= 3:
                first = number
            break
        keep = [k and first <= n <= last for n, k in enumerate(keep)]

    spans: list[tuple[int, int]] = []
    open_span: list[int] | None = None
    for number, (start, end, _kind) in enumerate(lines):
        if keep[number]:
            if open_span is None:
                open_span = [start, end]
            else:
                open_span[1] = end
        elif open_span is not None:
            spans.append((open_span[0], open_span[1]))
            open_span = None
    if open_span is not None:
        spans.append((open_span[0], open_span[1]))
    return spans
