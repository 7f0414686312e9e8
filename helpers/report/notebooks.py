"""The phase notebooks a report is made of, in order, with the question each answers."""

from __future__ import annotations

from dataclasses import dataclass

from helpers.paths import NOTEBOOKS


@dataclass(frozen=True)
class PhaseNotebook:
    key: str
    stem: str
    title: str
    question: str

    @property
    def path(self):
        return NOTEBOOKS / f"{self.stem}.ipynb"


PHASES = (
    PhaseNotebook("baseline", "00-baseline", "Baseline",
                  "What is wrong with the Dockerfile today, and what does it cost?"),
    PhaseNotebook("phase1", "01-phase1-critical", "Phase 1: critical",
                  "What do .dockerignore, multi-stage, cache order and dropping build tools buy?"),
    PhaseNotebook("phase2", "02-phase2-important", "Phase 2: important",
                  "What do cache mounts, a non-root user, pinned dependencies and a health check buy?"),
    PhaseNotebook("phase3", "03-phase3-hardening", "Phase 3: hardening",
                  "What do digest pins, scanning, multi-platform and a minimal base buy?"),
    PhaseNotebook("summary", "04-summary", "Summary",
                  "Did the optimization deliver what the analysis promised?"),
)


def select(keys: list[str] | None) -> list[PhaseNotebook]:
    if not keys:
        return list(PHASES)
    known = {p.key: p for p in PHASES} | {p.stem: p for p in PHASES}
    unknown = [k for k in keys if k not in known]
    if unknown:
        from helpers.errors import DockoptError

        raise DockoptError(f"Unknown phase(s): {', '.join(unknown)}.",
                           hint=f"choose from: {', '.join(p.key for p in PHASES)}.")
    return [known[k] for k in keys]
