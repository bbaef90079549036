"""A screenshot of the rendered report in headless Chromium: the page as a reader
sees it (fonts, tables, figures), to look at rather than trust the HTML."""

from pathlib import Path

from harness import proc, tools

WINDOW = (1400, 6000)  # tall enough for the whole report


def screenshot_argv(page: Path, out: Path, window: tuple[int, int] = WINDOW) -> list[str]:
    return [
        "chromium",
        "--headless",
        "--no-sandbox",  # root on a build machine; the page is our own local file
        "--disable-gpu",
        "--hide-scrollbars",
        f"--window-size={window[0]},{window[1]}",
        f"--screenshot={out}",
        page.resolve().as_uri(),
    ]


def take_screenshot(page: Path) -> Path:
    tools.require("chromium")
    out = page.with_name("screenshot.png")
    proc.run_logged(
        screenshot_argv(page, out), page.with_name("screenshot.log"), what="chromium", timeout=120
    )
    return out
