"""Word lists as regular-expression tries, for the text readers' hot loops.

Python's ``re`` tries the branches of an alternation one after another, so a flat
``one|two|...|ninety`` costs one check per word at every position it is tried.
Factored as a trie (``t(?:wo|hree|en|...)``), the same list costs about one check
per character.  ``dates`` and ``fatalities`` build their vocabularies with it.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["trie_pattern"]


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
