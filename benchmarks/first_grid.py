"""Click-to-first-sample-grid time in the app on CPU with digits (goal: <= 3 s), and cold start.

Launches ``python app.py`` (as a user does), then presses Train with the
default settings (digits) through gradio_client, as a browser's click does:

* served page     : seconds from ``python app.py`` to the page answering (goal <= 10 s)
* first grid      : Train pressed -> the reply carrying the first sample grid (step 0, G's
                    output on the fixed noise before any update)
* first trained   : Train pressed -> a grid after at least one training step
Clicks are repeated (each in a fresh browser session) and the median is printed; the first
click after start-up is printed on its own (the app warms digits up in the background).

    python benchmarks/first_grid.py [--clicks 5] [--device cpu] [--browser]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from app_server import serve_app  # noqa: E402


def click_via_client(url: str, device: str) -> tuple[float, float]:
    from gradio_client import Client

    client = Client(url, verbose=False)
    try:
        start = time.perf_counter()
        out = client.predict(device=device, api_name="/train")
        first = time.perf_counter() - start
        assert out[0], "the Train reply carried no sample grid"  # (gr.State outputs are not returned)
        while client.predict(api_name="/status")["step"] < 1:
            time.sleep(0.02)
        trained = time.perf_counter() - start
        client.predict(api_name="/stop")
        return first, trained
    finally:
        client.close()


def click_via_browser(url: str) -> float:
    """Seconds from a real click on Train to the grid's <img> appearing (Playwright + chromium)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--headless", "--disable-gpu"]
        )
        page = browser.new_page()
        page.goto(url)
        page.wait_for_selector("text=Load lesson", timeout=60_000)
        start = time.perf_counter()
        page.get_by_role("button", name="▶ Train").click()
        page.wait_for_selector("#ganlab-main-view img", timeout=60_000)
        took = time.perf_counter() - start
        page.get_by_role("button", name="■ Stop").click()
        browser.close()
        return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, default=5)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--browser", action="store_true", help="also time a real click in chromium")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, serve_app(Path(tmp)) as url:
        print(f"served page after        {serve_app.last_start_s:6.2f} s   (goal <= 10 s)")
        cold = click_via_client(url, args.device)
        print(f"first click after start  {cold[0]:6.2f} s to first grid, {cold[1]:6.2f} s to first trained grid")
        runs = [click_via_client(url, args.device) for _ in range(args.clicks)]
        first = statistics.median(r[0] for r in runs)
        trained = statistics.median(r[1] for r in runs)
        print(
            f"median of {args.clicks} clicks       {first:6.2f} s to first grid, {trained:6.2f} s "
            f"to first trained grid   (goal <= 3 s)"
        )
        if args.browser:
            print(f"chromium click -> <img>  {click_via_browser(url):6.2f} s")
    import os
    import platform

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, load average "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}; device {args.device}"
    )


if __name__ == "__main__":
    main()
