"""Renderers, pure functions of a result: the Markdown report (markdown.py, laying out the blocks words.py words),
the terminal summary and `explain` (terminal.py: rich renderables the CLI prints), the files of a run with report.json
(outputs.py), the figures (figures.py), comparisons (compare.py) and sweeps (sweep.py); the words in English and
Japanese, and the numbers' form, in words.py (each language's labels in en.py and ja.py). They import the result types and the words, nothing that trains, measures or
decides.
"""
