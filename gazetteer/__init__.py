"""Curated gazetteer sources shipped with syriamap (see README.md in this folder)."""
