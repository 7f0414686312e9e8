"""A Dockerfile diff as a reviewer reads it: numbered lines, marked changes, hunks labelled by finding."""

from helpers.report.diff_view import diff_html, is_unified_diff

DIFF = """--- original: Dockerfile
+++ phase1: Dockerfile.phase1
@@ -1,3 +1,4 @@
+# cache_mounts [DO401, DO402]: <script>x</script>
 FROM x
-RUN a
+RUN b
"""


def test_recognises_only_unified_diffs():
    assert is_unified_diff(DIFF) and not is_unified_diff("(identical)") and not is_unified_diff("--- a heading")


def test_lines_numbered_on_both_sides_marked_and_escaped():
    html = diff_html(DIFF)
    assert "fixes DO401, DO402" in html
    assert '<tr class="del"><td class="ln">2</td><td class="ln"></td><td><span class="mark">-</span>RUN a</td>' in html
    assert '<tr class="add"><td class="ln"></td><td class="ln">3</td><td><span class="mark">+</span>RUN b</td>' in html
    assert "<script>" not in html and "&lt;script&gt;" in html
