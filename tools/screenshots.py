"""Screenshot every page of the built book, as a reader at a laptop sees it.

Usage: .venv/bin/python tools/screenshots.py [_build/html] [out-folder]

Serves the build on localhost, opens each page in Debian's Chromium (via
Playwright) at 1366 px wide, waits for MathJax, and saves the whole page as
PNG pieces of at most 2000 px height (easier to look at), one folder per
page. Look at every piece before a release: math typeset, figures legible,
no error boxes, no code running off the edge.
"""

import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from test_browser import Visit, pages, serve  # noqa: E402  (one way to open a page)

PIECE = 2000


def main(html: Path, out: Path) -> None:
    from PIL import Image
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    with serve(html) as site, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium"),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        for path in pages(html):
            visit = Visit(browser, site, path)
            whole = out / (path.replace("/", "_").removesuffix(".html") + ".png")
            visit.page.screenshot(path=str(whole), full_page=True)
            visit.close()
            image = Image.open(whole)
            for i, top in enumerate(range(0, image.height, PIECE)):
                image.crop((0, top, image.width, min(top + PIECE, image.height))).save(
                    whole.with_name(f"{whole.stem}-{i:02d}.png"))
            whole.unlink()
            print(f"{path}: {image.height} px, {i + 1} pieces")
        browser.close()


if __name__ == "__main__":
    args = sys.argv[1:]
    main(Path(args[0] if args else "_build/html"), Path(args[1] if len(args) > 1 else "/tmp/shots"))
