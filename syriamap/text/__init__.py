"""From news text to place mentions and events (issue 9).

Modules, in pipeline order: :mod:`~syriamap.text.document` (input handling),
:mod:`~syriamap.text.boilerplate` (the article's spans of a web-page dump),
:mod:`~syriamap.text.sentences`, :mod:`~syriamap.text.mentions` (place names
found with one Aho-Corasick automaton over the gazetteer's folded aliases), then
clauses, classification, actors, dates, fatalities, resolution and the pipeline.
Every offset is an absolute character offset into ``Document.text``.
"""
