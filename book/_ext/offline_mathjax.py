"""Serve MathJax from the built book, so every formula typesets offline.

MathJax 3 comes from PyPI: the package django-static-mathjax ships the
official distribution and depends on nothing. This extension copies the
parts a TeX-to-HTML page loads into _static/mathjax, and _config.yml points
Sphinx's mathjax_path there instead of at a CDN.
"""

import shutil
from pathlib import Path

import mathjax

SOURCE = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
# tex-chtml.js and what it loads on demand: TeX extensions, fonts, the menu
PARTS = ["tex-chtml.js", "input", "output", "ui", "a11y"]


def copy_mathjax(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / "mathjax"
    target.mkdir(parents=True, exist_ok=True)
    for part in PARTS:
        if (SOURCE / part).is_dir():
            shutil.copytree(SOURCE / part, target / part, dirs_exist_ok=True)
        else:
            shutil.copy2(SOURCE / part, target / part)


def setup(app):
    if not (SOURCE / "tex-chtml.js").is_file():
        raise RuntimeError(f"MathJax not found at {SOURCE}; "
                           "run pip install -r requirements.txt")
    app.connect("build-finished", copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
