"""News text to events, one module a step, in pipeline order.

``document`` (plain text, HTML or a web-page dump; boilerplate dropped, offsets
kept) -> ``sentences`` -> ``mentions`` (place names by multi-pattern matching
over the gazetteer's folded aliases) -> ``resolve`` (places in the document's
context) -> ``clauses`` -> ``classify`` (ACLED event type) -> ``locate`` (where
it happened), ``dates``, ``fatalities``, ``actors`` -> ``pipeline``
(:func:`~syriamap.text.pipeline.extract_events` and
:func:`~syriamap.text.pipeline.extract_events_many`).
"""
