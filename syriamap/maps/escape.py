"""Escaping of data-derived text for the three languages a map page is written in.

Everything that comes from the data (values, column names, titles, layer names,
boundary names) reaches the page either inside the base64 payload (inert) or
through one of these helpers.  Each neutralises Jinja as well as HTML and
JavaScript, because branca renders the script of every element a second time as
a Jinja template (``Element(script_output)``): a ``{{``, ``{%`` or ``{#`` that
survived into that script would be evaluated as Python, and ``{% endraw %}``
would break the page's raw blocks.
"""
from __future__ import annotations

import html
import json
import re
from typing import Any

_JINJA_OPEN_RE = re.compile(r"\{(?=[{%#])")
_SCRIPT_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                   ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


def html_text(value: Any) -> str:
    """Text from the data made safe for the HTML that folium writes into JavaScript.

    Beyond ``html.escape``: folium puts tooltip HTML into JavaScript template
    literals, where a backtick would end the string, ``${`` would run code and a
    backslash would start an escape; and braces become character references so
    that no Jinja delimiter survives (Leaflet shows the text with ``innerHTML``,
    where ``&#123;`` is an ordinary ``{``).
    """
    text = html.escape(str(value), quote=True)
    for char, ref in (("\\", "&#92;"), ("`", "&#96;"), ("$", "&#36;"), ("{", "&#123;"), ("}", "&#125;")):
        text = text.replace(char, ref)
    return text


def script_json(value: Any) -> str:
    """JSON that is safe inside an HTML ``<script>`` element and inert for Jinja.

    ``<``, ``>`` and ``&`` are written as ``\\u`` escapes so that no data string
    can close the script (``</script>``) or open a comment; U+2028/U+2029 too,
    which older JavaScript engines reject inside string literals.  A ``{`` that
    opens a Jinja delimiter (``{{``, ``{%``, ``{#``) becomes ``\\u007b``: in JSON
    a structural ``{`` is always followed by ``"`` or ``}``, so only string
    content is touched, and JavaScript reads the same text.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for char, escape in _SCRIPT_ESCAPES:
        text = text.replace(char, escape)
    return _JINJA_OPEN_RE.sub(r"\\u007b", text)
