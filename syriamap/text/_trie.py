"""Word lists for the text readers' hot loops: regular-expression tries and word chains.

Python's ``re`` tries the branches of an alternation one after another, so a flat
``one|two|...|ninety`` costs one check per word at every position it is tried.
Factored as a trie (``t(?:wo|hree|en|...)``), the same list costs about one check
per character.  ``dates`` and ``fatalities`` build their vocabularies with it.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["trie_pattern", "chain_before"]

_WORD = re.compile(r"\w+")


def trie_pattern(words: Iterable[str]) -> str:
    """A non-capturing regex group matching exactly ``words``, factored as a trie.

    Optional tails are greedy, so where one word is a prefix of another
    ('martyr', 'martyrs') the longer one is tried first.  A space inside a word
    matches any run of whitespace."""
    root: dict = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict) -> str:
        branches = [(r"\s+" if c == " " else re.escape(c)) + build(child)
                    for c, child in sorted(node.items()) if c]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return "(?:" + build(root) + ")"


def chain_before(text: str, lo: int, p: int, vocabulary: frozenset[str] | set[str], gap: re.Pattern[str]) -> list[int]:
    """Starts of the run of ``vocabulary`` words that ends right before ``p`` (searched from ``lo``).

    Words of the run are separated by text that ``gap`` matches whole (and so is
    the last word from ``p``); a word outside the vocabulary breaks the run.
    Returns ``[]`` when no such run ends at ``p``: 'on the' before '12th',
    'at least' before 'six'.
    """
    chain: list[int] = []
    last_end = None
    for word in _WORD.finditer(text, lo, p):
        if word.group().lower() not in vocabulary:
            chain, last_end = [], None
            continue
        if last_end is not None and not gap.fullmatch(text, last_end, word.start()):
            chain = []
        chain.append(word.start())
        last_end = word.end()
    if last_end is None or not gap.fullmatch(text, last_end, p):
        return []
    return chain
