"""Self-contained HTML: one page shell with inline CSS, tables from DataFrames, pictures as data URIs.

Nothing on a page refers to the network or to another file except explicit links between reports.
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import os
from collections.abc import Iterable
from pathlib import Path, PurePath
from urllib.parse import quote

import pandas as pd

import ilaeda

CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 1.5em auto; max-width: 1400px;
       padding: 0 1em; color: #1d1d1f; line-height: 1.4; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { border-bottom: 2px solid #4a6fa5; padding-bottom: 0.2em; }
h3 { margin-top: 1.6em; background: #f1f4f9; padding: 0.3em 0.5em; } h4 { margin: 0.8em 0 0.3em; }
.meta { color: #666; font-size: 0.9em; }
table { border-collapse: collapse; font-size: 0.82em; margin: 0.3em 0 0.8em; }
th, td { border: 1px solid #d0d7e2; padding: 0.2em 0.5em; text-align: right; white-space: nowrap; }
th { background: #e8eef7; } td.left, th.left { text-align: left; }
tbody tr:nth-child(even) { background: #fafbfd; }
.scroll { overflow-x: auto; max-width: 100%; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 1.2em; align-items: start; }
.pair > div { min-width: 0; }
.step { border-left: 3px solid #4a6fa5; padding-left: 0.6em; margin-bottom: 0.6em; }
.step .words { font-weight: 600; } .step .caption { color: #555; font-size: 0.85em; }
img.picture { max-width: 100%; border: 1px solid #e0e0e0; }
.note { color: #555; font-size: 0.9em; } .bad { color: #a40000; }
figure { margin: 0.5em 0 1em; } figcaption { color: #555; font-size: 0.85em; }
"""


def escape(text: object) -> str:
    """``text`` as HTML text (quotes escaped too)."""
    return html.escape(str(text), quote=True)


def file_href(target: str | os.PathLike[str], page_dir: str | os.PathLike[str]) -> str:
    """An ``href`` to the file ``target`` from a page in ``page_dir``: a relative path, each part percent-encoded.

    Never a path as given: a folder named ``javascript:alert(1)`` must stay a file name, not become a
    URL scheme (``:`` is encoded), and ``?`` or ``#`` in a name must not start a query or fragment.
    """
    rel = PurePath(os.path.relpath(Path(target).absolute(), Path(page_dir).absolute()))
    return escape("/".join(quote(part, safe="") for part in rel.parts))


def link(target: str | os.PathLike[str], page_dir: str | os.PathLike[str], text: str) -> str:
    """``<a>`` to a local file (see :func:`file_href`) with ``text`` escaped."""
    return f'<a href="{file_href(target, page_dir)}">{escape(text)}</a>'


def table_html(frame: pd.DataFrame, css_class: str = "", index: bool = False) -> str:
    """A DataFrame as an escaped HTML table in a horizontally scrolling box."""
    if frame is None or (len(frame) == 0 and len(frame.columns) == 0):
        return '<p class="note">(no table)</p>'
    body = frame.to_html(
        index=index, escape=True, classes=css_class or None, border=0, na_rep="", float_format=lambda x: f"{x:.4g}"
    )
    return f'<div class="scroll">{body}</div>'


def png_data_uri(png: bytes) -> str:
    """A PNG image as a ``data:`` URI for an ``<img src>``."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def img_html(png: bytes, alt: str, caption: str = "") -> str:
    """An inline PNG (base64 data URI), optionally in a figure with a caption."""
    tag = f'<img class="picture" alt="{escape(alt)}" src="{png_data_uri(png)}">'
    return f"<figure>{tag}<figcaption>{escape(caption)}</figcaption></figure>" if caption else tag


def page(title: str, body: Iterable[str], subtitle: str = "") -> str:
    """A complete HTML document."""
    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    meta = f"{escape(subtitle)} · " if subtitle else ""
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            f"<title>{escape(title)}</title>",
            f"<style>{CSS}</style>",
            "</head>",
            "<body>",
            f"<h1>{escape(title)}</h1>",
            f'<p class="meta">{meta}written {stamp} by ilaeda {ilaeda.__version__}</p>',
            *body,
            "</body>",
            "</html>",
            "",
        ]
    )
