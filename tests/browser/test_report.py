"""The bundled reports (results/*/report.html) in a real browser.

Headless Chromium, driven through the DevTools protocol by Playwright for
Python, pointed at the system's Chromium (nothing downloads a browser). The
tests read the page the way a person uses it and through the contract of the
report's data-* hooks and ARIA roles; the expected values come from the
folder's own files (summary.json, events.csv), never from the page.

    tests/browser/run            # or: python3 tests/browser/test_report.py

Without Chromium or Playwright the tests say so in one line and are skipped;
in CI (CI set) that is a failure instead.
"""

import csv
import json
import os
import shutil
import sys
import tempfile
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The bundled reports, or those under $REPORTS_ROOT (a folder of results folders).
REPORTS = sorted(Path(os.environ.get("REPORTS_ROOT", ROOT / "results")).glob("*/report.html"))


def chromium_path():
    for candidate in [os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"]:
        if candidate and (Path(candidate).is_file() or shutil.which(candidate)):
            return shutil.which(candidate) or candidate
    return None


def skip_all(reason):
    """One line, then a skip; in CI a missing browser is a failure."""
    if os.environ.get("CI"):
        print(f"browser tests: {reason}; CI needs them", file=sys.stderr)
        sys.exit(1)
    print(f"browser tests skipped: {reason}")
    sys.exit(0)


try:
    from playwright.sync_api import sync_playwright
except ImportError:
    sync_playwright = None


def traced_events(folder):
    """The rows of events.csv of its first (traced) replication, as the page keys them."""
    path = folder / "events.csv"
    if not path.is_file():
        return None
    with path.open(newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        return []
    first = rows[0]["replication"]
    return [(r["time_s"], r["server"], r["event"]) for r in rows if r["replication"] == first]


def summary_metrics(folder):
    path = folder / "summary.json"
    if not path.is_file():
        return None
    return list(json.loads(path.read_text())["metrics"].keys())


class Report(unittest.TestCase):
    """Each test runs on every bundled report (a subTest per folder). A page
    per report is opened once; each test starts from its opening state."""

    @classmethod
    def setUpClass(cls):
        cls.shots = Path(tempfile.mkdtemp(prefix="clustersim-report-"))
        cls.playwright = sync_playwright().start()
        cls.browser = cls.playwright.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        cls.pages = {}
        for report in REPORTS:
            page = cls.browser.new_page(viewport={"width": 1400, "height": 1000})
            errors = []
            page.on("console", lambda m, errors=errors: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
            page.on("request", lambda r, errors=errors: None if r.url.startswith("file:") else errors.append(f"fetched {r.url}"))
            page.goto(report.as_uri())
            page.wait_for_load_state("load")
            cls.pages[report] = (page, errors)

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()
        cls.playwright.stop()
        print(f"\nscreenshots in {cls.shots}")

    def reports(self, traced=False):
        self.assertTrue(REPORTS, "no results/*/report.html: run results/regenerate.sh")
        return [r for r in REPORTS if not traced or traced_events(r.parent)]

    def page(self, report):
        """The report's page in its opening state: no filter, no selection, the opening view."""
        page, _ = self.pages[report]
        if page.locator("#filter-server").count():
            page.select_option("#filter-server", "")
            page.select_option("#filter-event", "")
        if page.locator("#timeline-chart").count():
            page.click("button[data-zoom=start]")
        page.evaluate("document.querySelectorAll('.selected').forEach(e => e.classList.remove('selected'))")
        page.mouse.move(0, 0)
        return page

    def view(self, page):
        chart = page.locator("#timeline-chart")
        return float(chart.get_attribute("data-view-from-s")), float(chart.get_attribute("data-view-to-s"))

    def visible_mark(self, page, selector):
        """The first mark of `selector` that is inside the plot and on top at its middle."""
        page.locator("#timeline-chart").scroll_into_view_if_needed()
        index = page.eval_on_selector_all(
            selector,
            """marks => {
                 const plot = document.querySelector('#timeline-chart .axis-band').getBoundingClientRect();
                 return marks.findIndex(m => {
                   const b = m.getBoundingClientRect(), x = b.left + b.width / 2, y = b.top + b.height / 2;
                   return b.width > 0 && x > plot.left + 2 && x < plot.right - 2 && document.elementFromPoint(x, y) === m;
                 });
               }""",
        )
        self.assertGreaterEqual(index, 0, f"no {selector} in the opening view")
        return page.locator(selector).nth(index)

    def test_no_console_error_and_nothing_fetched_and_a_screenshot(self):
        for report in self.reports():
            with self.subTest(report=report.parent.name):
                page = self.page(report)
                page.screenshot(path=str(self.shots / f"{report.parent.name}.png"), full_page=True)
                self.assertEqual(self.pages[report][1], [])

    def test_the_metrics_table_has_every_metric_of_summary_json(self):
        for report in self.reports():
            expected = summary_metrics(report.parent)
            if expected is None:
                continue
            with self.subTest(report=report.parent.name):
                page = self.page(report)
                got = page.eval_on_selector_all("table.metrics tbody tr", "rows => rows.map(r => r.dataset.metric)")
                self.assertEqual(got, expected)
                # Every row explains itself.
                meanings = page.locator("table.metrics tbody tr td:last-child").all_inner_texts()
                self.assertTrue(all(m.strip() for m in meanings), meanings)

    def test_the_event_list_has_every_event_of_the_traced_replication(self):
        for report in self.reports(traced=True):
            with self.subTest(report=report.parent.name):
                got = self.page(report).eval_on_selector_all(
                    "#event-list tbody tr",
                    "rows => rows.map(r => [r.dataset.timeS, r.dataset.server, r.dataset.event])",
                )
                self.assertEqual([tuple(r) for r in got], traced_events(report.parent))

    def test_every_mark_carries_its_time_and_server(self):
        for report in self.reports(traced=True):
            with self.subTest(report=report.parent.name):
                page = self.page(report)
                missing = page.eval_on_selector_all(
                    "#timeline-chart .mark", "ms => ms.filter(m => !m.dataset.timeS || !m.dataset.server).length"
                )
                self.assertGreater(page.locator("#timeline-chart .mark").count(), 0)
                self.assertEqual(missing, 0)

    def test_hovering_a_mark_shows_a_tooltip_naming_its_server(self):
        for report in self.reports(traced=True):
            with self.subTest(report=report.parent.name):
                page = self.page(report)
                tooltip = page.get_by_role("tooltip")
                self.assertFalse(tooltip.is_visible())
                for kind in ["status", "ev"]:
                    mark = self.visible_mark(page, f"#timeline-chart .mark.{kind}")
                    mark.hover()
                    self.assertTrue(tooltip.is_visible())
                    text = tooltip.inner_text()
                    self.assertIn(mark.get_attribute("data-server"), text)
                    self.assertIn(mark.get_attribute("data-what"), text)
                    self.assertIn(mark.get_attribute("data-at"), text)

    def test_clicking_an_event_row_moves_the_timeline_to_it(self):
        for report in self.reports(traced=True):
            with self.subTest(report=report.parent.name):
                page = self.page(report)
                before = self.view(page)
                middle = (before[0] + before[1]) / 2
                times = [float(t) for t in page.eval_on_selector_all("#event-list tbody tr", "rs => rs.map(r => r.dataset.timeS)")]
                # The event farthest from the middle of the opening view.
                far = max(range(len(times)), key=lambda i: abs(times[i] - middle))
                row = page.locator("#event-list tbody tr").nth(far)
                row.click()
                after = self.view(page)
                self.assertNotEqual(after, before)
                self.assertLessEqual(after[0], times[far])
                self.assertGreaterEqual(after[1], times[far])
                self.assertIn("selected", row.get_attribute("class") or "")

    def test_clicking_a_mark_highlights_its_row(self):
        for report in self.reports(traced=True):
            with self.subTest(report=report.parent.name):
                page = self.page(report)
                mark = self.visible_mark(page, "#timeline-chart .mark.ev")
                mark.click()
                row = page.locator(f"#event-list tbody tr[data-index='{mark.get_attribute('data-index')}']")
                self.assertIn("selected", row.get_attribute("class") or "")
                self.assertTrue(row.is_visible())

    def test_filtering_by_server_hides_the_others(self):
        for report in self.reports(traced=True):
            with self.subTest(report=report.parent.name):
                page = self.page(report)
                events = traced_events(report.parent)
                for server in sorted({server for _, server, _ in events}):
                    page.select_option("#filter-server", server)
                    shown = page.eval_on_selector_all(
                        "#event-list tbody tr", "rows => rows.filter(r => !r.hidden).map(r => r.dataset.server)"
                    )
                    self.assertEqual(shown, [s for _, s, _ in events if s == server])
                page.select_option("#filter-server", "")
                self.assertEqual(page.locator("#event-list tbody tr:visible").count(), len(events))

    def test_filtering_by_event_keeps_only_that_event(self):
        for report in self.reports(traced=True):
            with self.subTest(report=report.parent.name):
                page = self.page(report)
                events = traced_events(report.parent)
                page.select_option("#filter-event", events[-1][2])
                shown = page.eval_on_selector_all(
                    "#event-list tbody tr", "rows => rows.filter(r => !r.hidden).map(r => r.dataset.event)"
                )
                self.assertEqual(shown, [e for _, _, e in events if e == events[-1][2]])

    def test_the_wheel_zooms_and_a_drag_pans(self):
        for report in self.reports(traced=True):
            with self.subTest(report=report.parent.name):
                page = self.page(report)
                page.locator("#timeline-chart").scroll_into_view_if_needed()
                box = page.locator("#timeline-chart").bounding_box()
                x, y = box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.5
                before = self.view(page)
                page.mouse.move(x, y)
                page.mouse.wheel(0, -300)
                page.wait_for_function(f"document.getElementById('timeline-chart').dataset.viewToS != '{before[1]}' || document.getElementById('timeline-chart').dataset.viewFromS != '{before[0]}'")
                zoomed = self.view(page)
                self.assertLess(zoomed[1] - zoomed[0], before[1] - before[0])
                page.mouse.down()
                page.mouse.move(x + 200, y, steps=5)
                page.mouse.up()
                panned = self.view(page)
                self.assertLess(panned[0], zoomed[0])
                self.assertAlmostEqual(panned[1] - panned[0], zoomed[1] - zoomed[0], delta=1e-6 * zoomed[1])


if __name__ == "__main__":
    if sync_playwright is None:
        skip_all("Playwright for Python is not installed (pip install playwright)")
    if chromium_path() is None:
        skip_all("no Chromium found (apt-get install chromium, or set CHROMIUM)")
    unittest.main(verbosity=2)
