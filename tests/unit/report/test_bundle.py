"""The single-file report: pages become sections whose ids and links cannot collide."""

from helpers.report.bundle import link_sections, section


def test_page_links_become_section_links():
    html = '<a href="04-summary.html#expected-results">1 s</a> <a href="01-phase1-critical.html">p1</a>'
    assert link_sections(html) == '<a href="#04-summary--expected-results">1 s</a> <a href="#01-phase1-critical">p1</a>'


def test_section_prefixes_ids_but_not_plotly_divs():
    body = ('<h2 id="Budget">Budget<a class="anchor-link" href="#Budget">¶</a></h2><table id="budget"></table>'
            '<div id="e3d48df6-98e4-4e70-9e62-5261e642be06" class="plotly-graph-div"></div>')
    html = section("00-baseline", "Baseline", body)
    assert 'id="00-baseline--Budget"' in html and 'href="#00-baseline--Budget"' in html
    assert 'id="00-baseline--budget"' in html
    assert 'id="e3d48df6-98e4-4e70-9e62-5261e642be06"' in html
    assert html.startswith('<section class="phase" id="00-baseline"')
