"""The report as one self-contained HTML file to mail, project or print to PDF from a browser: the Markdown report
rendered with markdown-it-py (which rich already brings), every figure embedded as a data URI, and a style sheet
that prints cleanly (A4, figures and table rows never split across pages). Nothing in it is fetched from
anywhere: no script, no font, no link to a file beside it.
"""

from __future__ import annotations

import base64
import html
import re

STYLE = """
body { font-family: "Helvetica Neue", Arial, "Hiragino Sans", "Noto Sans CJK JP", sans-serif; max-width: 60em;
       margin: 2em auto; padding: 0 1em; line-height: 1.45; color: #1a1a1a; }
h1 { font-size: 1.6em; border-bottom: 2px solid #333; padding-bottom: .2em; }
h2 { font-size: 1.25em; margin-top: 1.6em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: .8em 0; font-size: .9em; }
th, td { border: 1px solid #bbb; padding: .25em .5em; vertical-align: top; }
th { background: #f0f0f0; }
img { max-width: 100%; height: auto; display: block; margin: .6em 0; }
code { font-family: "SFMono-Regular", Consolas, monospace; font-size: .92em; background: #f5f5f5; padding: 0 .2em; }
@page { size: A4; margin: 15mm; }
@media print { body { margin: 0; max-width: none; } img, tr { break-inside: avoid; } h2 { break-after: avoid; } }
"""


def render_html(markdown: str, figures: dict[str, bytes], lang: str, title: str) -> str:
    """`markdown` (the Markdown report) as one HTML page, each image it names replaced by the PNG bytes in `figures`
    (by file name) as a data URI; an image it names that is not in `figures` raises KeyError."""
    from markdown_it import MarkdownIt

    body = MarkdownIt("commonmark", {"html": False}).enable("table").render(markdown)

    def embedded(match: re.Match) -> str:
        name = html.unescape(match.group(1))
        return f'<img src="data:image/png;base64,{base64.b64encode(figures[name]).decode("ascii")}"'

    body = re.sub(r'<img src="([^"]+)"', embedded, body)
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{html.escape(title)}</title>\n'
        f"<style>{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n"
    )


def html_name(lang: str) -> str:
    return "report.html" if lang == "en" else f"report.{lang}.html"
