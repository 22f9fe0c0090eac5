"""Offline handouts of the lectures: HTML pages, reveal.js slides and PDFs (``python -m handouts``).

``build``
    Exports the stored, executed lectures with nbconvert, using templates that load nothing from
    a network, and prints PDFs with Chromium.
``assets``
    Finds MathJax (PyPI ``jupyter-server-mathjax``), reveal.js and require.js (npm, the course's
    ``package.json``) and copies them into the output's ``assets/`` folder, which the pages use.
"""
