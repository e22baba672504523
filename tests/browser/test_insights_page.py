"""/insights/ in a real browser at desktop width and at 390 px: the SVG charts render from the demo network's rolled-up
demand (seed_demo), carry their accessible names, fit the column without horizontal scrolling, and the table
fallback opens. Screenshots: docs/screenshots/insights.png and insights-phone.png."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import shoot

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("mobile", [False, True], ids=["desktop", "phone"])
def test_insights_charts_render_at_both_widths(live, new_page, mobile):
    page = new_page(mobile=mobile)
    page.goto("/insights/")
    chart = page.locator('svg[aria-labelledby="scarce-chart-title scarce-chart-desc"]')
    expect(chart).to_be_visible()
    assert page.locator("#scarce-chart-title").text_content().startswith("Scarce skills")
    assert chart.locator("rect").count() >= 4
    box = chart.bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 100
    expect(page.locator('svg[aria-labelledby="rising-chart-title rising-chart-desc"]')).to_be_visible()
    # Nothing wider than the viewport (a chart that does not scale would scroll sideways at 390 px).
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    for summary in page.locator("details.chart-table summary").all():
        summary.click()
    expect(page.locator("#scarce-title ~ details table").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")  # tables scroll inside
    assert page.console_errors == []
    shoot(page, "insights-phone" if mobile else "insights")
