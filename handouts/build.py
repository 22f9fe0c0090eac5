"""Turn the stored, executed lectures into HTML pages, reveal.js decks and PDFs that work offline.

The notebooks are not run again: they are stored executed, so their figures are already in them
and go into each page as embedded PNGs. Math is typeset in the reader's browser by the local
MathJax in ``assets/``; the decks load reveal.js from there too.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from handouts import assets

TEMPLATES = Path(__file__).resolve().parent / "templates"
FORMATS = ("html", "slides", "pdf")
SUFFIXES = {"html": ".html", "slides": ".slides.html", "pdf": ".pdf"}
CHROMIUM = "/usr/bin/chromium"  # Debian's package, as in the browser tests
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
]
MATH_TYPESET = "() => new Promise(done => window.MathJax ? MathJax.Hub.Queue(done) : done())"


def exporter(kind: str):
    """An nbconvert exporter for ``kind`` ("html" or "slides") that loads nothing from a network."""
    from nbconvert import HTMLExporter, SlidesExporter

    common = dict(extra_template_basedirs=[str(TEMPLATES)], mathjax_url=assets.MATHJAX_URL, embed_images=True)
    if kind == "html":
        return HTMLExporter(template_name="offline_html", **common)
    return SlidesExporter(
        template_name="offline_slides",
        reveal_url_prefix=assets.REVEAL_URL_PREFIX,
        reveal_theme="white",  # its fonts ship with reveal.js; nbconvert's default theme loads web fonts
        require_js_url=assets.REQUIRE_JS_URL,
        **common,
    )


def export(notebook: Path, output: Path, kind: str) -> Path:
    """Write ``output/<notebook name><suffix>`` for ``kind`` ("html" or "slides"); return its path."""
    body, _ = exporter(kind).from_filename(str(notebook))
    target = output / (notebook.stem + SUFFIXES[kind])
    target.write_text(body, encoding="utf-8")
    return target


def print_pdfs(pages: list[Path]) -> list[Path]:
    """Print each HTML page to a PDF beside it with Chromium, once its math is typeset.

    The browser may open only ``file:`` addresses: a request to anywhere else is refused, so a PDF
    that comes out is proof the page needs no network.
    """
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise assets.MissingAsset(
            "PDFs are printed by Chromium through playwright, which is not installed: "
            "python -m pip install -r requirements-instructor.txt, "
            "or build without PDFs (--formats html,slides)"
        ) from None
    chromium = shutil.which("chromium") or CHROMIUM
    if not Path(chromium).is_file():
        raise assets.MissingAsset(
            "PDFs are printed by Chromium, which is missing (Debian: apt-get install -y chromium); "
            "or build without PDFs (--formats html,slides)"
        )
    printed = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page()
            page.route(
                "**/*",
                lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort(),
            )
            for html in pages:
                page.goto(html.resolve().as_uri(), wait_until="load")
                page.evaluate(MATH_TYPESET)
                target = html.with_suffix(SUFFIXES["pdf"])
                page.pdf(
                    path=str(target),
                    format="A4",
                    print_background=True,
                    margin={"top": "1.5cm", "bottom": "1.5cm"},
                )
                printed.append(target)
        finally:
            browser.close()
    return printed


def build(notebooks: list[Path], output: Path, course_root: Path, formats=FORMATS) -> list[Path]:
    """Build every format in ``formats`` for each notebook into ``output``; return the files written.

    Raises
    ------
    ValueError
        If a notebook is missing or a format unknown.
    handouts.assets.MissingAsset
        If a library a format needs is not installed (the message says how to install it).
    """
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        raise ValueError(f"unknown format(s) {', '.join(unknown)}: expected some of {', '.join(FORMATS)}")
    missing = [str(path) for path in notebooks if not path.is_file() or path.suffix != ".ipynb"]
    if missing:
        raise ValueError(f"not notebooks (.ipynb files that exist): {', '.join(missing)}")
    output.mkdir(parents=True, exist_ok=True)
    assets.copy_assets(course_root, output, slides="slides" in formats)
    written, pages = [], []
    for notebook in notebooks:
        if "html" in formats or "pdf" in formats:
            pages.append(export(notebook, output, "html"))
        if "slides" in formats:
            written.append(export(notebook, output, "slides"))
    if "html" in formats:
        written += pages
    if "pdf" in formats:
        written += print_pdfs(pages)
        if "html" not in formats:
            for page in pages:
                page.unlink()
    return sorted(written)
