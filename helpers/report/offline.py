"""Make executed notebooks render offline: drop every external ``<script src=...>`` from outputs.

plotly's notebook renderer embeds plotly.js itself but also adds a MathJax tag pointing at a
CDN to each figure; our figures contain no LaTeX, so the tag only costs an offline page a
network timeout. Inline scripts (plotly.js and each figure's ``newPlot`` call) are kept.
"""

from __future__ import annotations

import re

from nbconvert.preprocessors import Preprocessor

EXTERNAL_SCRIPT = re.compile(r"<script\b[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//[^>]*>\s*</script>", re.I)


def strip_external_scripts(html: str) -> str:
    return EXTERNAL_SCRIPT.sub("", html)


class OfflineOutputs(Preprocessor):
    """nbconvert preprocessor applying ``strip_external_scripts`` to every text/html output."""

    def preprocess_cell(self, cell, resources, index):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "text/html" in data:
                html = data["text/html"]
                html = "".join(html) if isinstance(html, list) else html
                data["text/html"] = strip_external_scripts(html)
        return cell, resources
