"""Spreadsheet formula injection: neutralising formula-like cells in the CSV files we write.

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is taken for a formula by Excel, LibreOffice and Google Sheets
(``=HYPERLINK(...)`` in a source headline would become a live link).  The CSV
writers therefore prefix such text cells, and column names, with one ``'``
(apostrophe), which spreadsheets show as a plain-text marker.  So that the rule
can be undone exactly, text that *already* starts with apostrophes followed by
one of those characters gets one more apostrophe.

The rule, both ways:

* writing: ``'``\\ :sup:`k` + c + rest  ->  ``'``\\ :sup:`k+1` + c + rest, for k >= 0 and c in ``= + - @ \\t \\r``;
* reading (:func:`~syriamap.io.read_csv` and :func:`~syriamap.io.read_acled`):
  ``'``\\ :sup:`k` + c + rest  ->  ``'``\\ :sup:`k-1` + c + rest, for k >= 1.

Numbers are written as numbers and never escaped (``-3.5`` stays ``-3.5``).
``escape_formulas=False`` on the writers turns escaping off.
"""
from __future__ import annotations

import re

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

#: Characters that make a spreadsheet read a cell as a formula.
FORMULA_CHARS = "=+-@\t\r"
_TO_ESCAPE = r"^'*[=+\-@\t\r]"
_ESCAPED = r"^'+[=+\-@\t\r]"
_TO_ESCAPE_RE = re.compile(_TO_ESCAPE)
_ESCAPED_RE = re.compile(_ESCAPED)


def escape_name(name: str) -> str:
    """A column name escaped by the rule."""
    return "'" + name if _TO_ESCAPE_RE.match(name) else name


def unescape_name(name: str) -> str:
    """A column name with the rule undone."""
    return name[1:] if _ESCAPED_RE.match(name) else name


def _escape_text(values: pd.Series) -> pd.Series:
    text = values.astype("str")
    mask = text.str.match(_TO_ESCAPE).fillna(False).astype(bool)
    if not mask.any():
        return values
    return text.where(~mask, "'" + text)


def escape_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell and column name escaped by the rule."""
    out = {}
    for name in frame.columns:
        column = frame[name]
        if isinstance(column.dtype, pd.CategoricalDtype):
            cats = column.cat.categories
            if cats.dtype == object or pd.api.types.is_string_dtype(cats.dtype):
                escaped = [escape_name(str(c)) for c in cats]
                column = column.cat.rename_categories(escaped) if escaped != list(map(str, cats)) else column
        elif column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
            column = _escape_text(column)
        out[escape_name(str(name))] = column
    return pd.DataFrame(out, index=frame.index)


def unescape_arrow(table: pa.Table) -> pa.Table:
    """``table`` with the rule undone in its string columns (vectorised, in Arrow)."""
    columns = []
    changed = False
    for column in table.columns:
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            mask = pc.fill_null(pc.match_substring_regex(column, _ESCAPED), False)
            if pc.any(mask).as_py():
                column = pc.if_else(mask, pc.utf8_slice_codeunits(column, 1), column)
                changed = True
        columns.append(column)
    return pa.table(columns, names=table.column_names) if changed else table


__all__ = ["FORMULA_CHARS", "escape_frame", "escape_name", "unescape_name", "unescape_arrow"]
