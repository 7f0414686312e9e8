"""Lint one Dockerfile: parse, run every enabled rule, merge hadolint, apply config and pragmas.

The one entry point notebooks and the CLI call is :func:`lint_dockerfile`. A rule that raises
is a dockopt bug; it becomes a DO000 finding naming the rule rather than a traceback, so one
broken rule never hides the others' findings (and tests assert DO000 never appears).
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from helpers.builds.context import ContextError
from helpers.dockerfile.model import Dockerfile, parse_dockerfile
from helpers.lint import hadolint as hadolint_adapter
from helpers.lint.config import LintConfig, load_config
from helpers.lint.finding import Finding, at_or_above
from helpers.lint.lint_context import LintContext
from helpers.lint.pragmas import apply_pragmas
from helpers.lint.queries import line_of
from helpers.lint.registry import RULES


@dataclass
class LintResult:
    """Findings for one Dockerfile, plus what is needed to trust them (config, hadolint run, timing)."""

    dockerfile: Path
    context: Path | None
    findings: list[Finding]
    suppressed: list[Finding] = field(default_factory=list)
    config: LintConfig = field(default_factory=LintConfig)
    hadolint: hadolint_adapter.HadolintRun | None = None
    seconds: float = 0.0  # dockopt's own rules, in process (hadolint's time is in .hadolint)
    overruled: list[Finding] = field(default_factory=list)  # hadolint's, where dockopt's twin rule knows better

    def frame(self):
        """The findings as a pandas DataFrame, one row per finding (what notebooks chart)."""
        from helpers.lint.formatters.frame import to_frame

        return to_frame(self.findings)

    def at_or_above(self, threshold: str) -> list[Finding]:
        return [f for f in self.findings if at_or_above(f.severity, threshold)]

    def fails(self, threshold: str) -> bool:
        """Whether CI should fail: any finding at or above ``threshold`` ("never" never fails)."""
        return threshold != "never" and bool(self.at_or_above(threshold))

    def codes(self) -> set[str]:
        return {source for f in self.findings for source in f.sources}


def run_rules(model: Dockerfile, context: LintContext | None, rules=RULES) -> list[Finding]:
    findings: list[Finding] = []
    for rule in rules:
        if context is not None and not context.config.runs(rule.CODE):
            continue
        try:
            findings.extend(rule.check(model, context))
        except Exception as exc:  # noqa: BLE001 - a rule bug must not hide the other rules' findings
            findings.append(Finding("DO000", "error", "syntax", f"dockopt rule {rule.CODE} crashed: "
                                    f"{type(exc).__name__}: {exc}", model.display_name, None,
                                    fix="report this as a dockopt bug, with the Dockerfile"))
    return findings


def _configured(findings: list[Finding], config: LintConfig) -> list[Finding]:
    kept = []
    for finding in findings:
        if not config.runs(finding.code):  # hadolint-only findings are disabled by their DL code
            continue
        severity = config.severity.get(finding.code)
        kept.append(finding.with_(severity=severity) if severity else finding)
    return kept


@dataclass
class Prepared:
    """A Dockerfile parsed and through dockopt's rules, waiting for hadolint's findings (if any)."""

    dockerfile: Path
    model: Dockerfile
    lint_context: LintContext
    settings: LintConfig
    findings: list[Finding]
    judged: frozenset[str]  # codes of the rules that ran to completion
    seconds: float

    @property
    def wants_hadolint(self) -> bool:
        return self.settings.hadolint


def instruction_spans(model: Dockerfile) -> dict[int, int]:
    """Every line of an instruction -> its first line (where hadolint and pragmas place it)."""
    spans = model.derived.get("spans")
    if spans is None:
        spans = model.derived["spans"] = {line: i.start_line for i in model.instructions
                                          for line in range(i.start_line, i.end_line + 1)}
    return spans


def settings_for(dockerfile: Path, context_dir: Path, config: LintConfig | str | os.PathLike | None) -> LintConfig:
    return config if isinstance(config, LintConfig) else load_config(
        dockerfile, context_dir, Path(config) if config is not None else None)


def prepare(dockerfile: Path, context_dir: Path, settings: LintConfig,
            build_args: dict[str, str] | None = None, scans: dict | None = None) -> Prepared:
    """Parse and run dockopt's rules (raises DockerfileError for a file that is not a Dockerfile).
    ``scans`` lets Dockerfiles that share a context and ignore file share one walk of it."""
    model = parse_dockerfile(dockerfile, build_args)
    lint_context = LintContext(dockerfile, context_dir if context_dir.is_dir() else None, settings, shared=scans)
    start = time.perf_counter()
    findings = run_rules(model, lint_context)
    seconds = time.perf_counter() - start
    crashed = {f.message.split()[2] for f in findings if f.code == "DO000"}
    judged = frozenset(r.CODE for r in RULES if settings.runs(r.CODE) and r.CODE not in crashed)
    return Prepared(dockerfile, model, lint_context, settings, findings, judged, seconds)


PIPE = re.compile(r"(?<![|>&])\|(?![|&])")


def _relocated(model: Dockerfile, theirs: list[Finding]) -> list[Finding]:
    """hadolint's findings moved from a RUN's first line to the line of the command they are about."""
    by_start = {i.start_line: i for i in model.instructions if i.cmd == "RUN"}
    moved = []
    for finding in theirs:
        run = by_start.get(finding.line)
        wanted = hadolint_adapter.COMMAND_OF.get(finding.code)
        if run is not None and wanted is not None:
            finding = finding.with_(line=line_of(model, run, wanted))
        elif run is not None and finding.code == "DL4006":  # a pipe without pipefail: the line with the pipe
            finding = finding.with_(line=next(
                (n for n in range(run.start_line, run.end_line + 1)
                 if not model.lines[n - 1].lstrip().startswith("#") and PIPE.search(model.lines[n - 1])),
                run.start_line))
        moved.append(finding)
    return moved


def finish(prepared: Prepared, run: hadolint_adapter.HadolintRun | None) -> LintResult:
    """Merge hadolint's findings, apply the settings and pragmas: the result a user sees."""
    findings, overruled = prepared.findings, []
    if run is not None:
        findings, overruled = hadolint_adapter.reconcile(findings, _relocated(prepared.model, run.findings),
                                                         instruction_spans(prepared.model), prepared.judged)
    findings = _configured(findings, prepared.settings)
    kept, suppressed = apply_pragmas(prepared.model, findings)
    kept.sort(key=Finding.sort_key)
    return LintResult(prepared.dockerfile, prepared.lint_context.context_dir, kept, suppressed, prepared.settings,
                      run, prepared.seconds, overruled)


def lint_dockerfile(path: str | os.PathLike, context: str | os.PathLike | None = None, hadolint: bool = True,
                    config: LintConfig | str | os.PathLike | None = None,
                    build_args: dict[str, str] | None = None) -> LintResult:
    """Lint a Dockerfile against its build context.

    Args:
        path: the Dockerfile, or a directory holding one named ``Dockerfile``.
        context: the build context directory; defaults to the Dockerfile's directory.
        hadolint: also run hadolint (when installed) and merge its findings.
        config: settings, or a TOML file holding them; by default looked up beside the
            Dockerfile and in the context (see ``helpers.lint.config``).
        build_args: ``--build-arg`` values, used to resolve ARGs in FROM.

    Raises:
        DockerfileError: the file cannot be read or parsed as a Dockerfile.
        ContextError: an explicitly given context is not a directory.
        ConfigError: a config file is invalid.
    """
    dockerfile = Path(path)
    if dockerfile.is_dir():
        dockerfile = dockerfile / "Dockerfile"
    context_dir = Path(context) if context is not None else dockerfile.parent
    if context is not None and not context_dir.is_dir():
        raise ContextError(f"build context {context_dir} is not a directory",
                           hint="pass --context with the directory `docker build` would get")
    settings = settings_for(dockerfile, context_dir, config)
    binary = hadolint_adapter.find_binary() if hadolint and settings.hadolint else None
    batch = None
    if binary and dockerfile.is_file():  # hadolint runs while dockopt's rules do
        batch = hadolint_adapter.start_batch(binary, 0, [dockerfile.resolve()],
                                             hadolint_adapter.config_dir(dockerfile) or dockerfile.resolve().parent)
    try:
        prepared = prepare(dockerfile, context_dir, settings, build_args)
    except BaseException:
        if batch is not None:
            hadolint_adapter.stop_batch(batch)
        raise
    run = None
    if batch is not None:
        hadolint_adapter.finish_batch(binary, batch)
        run = hadolint_adapter.batch_run(binary, batch, dockerfile, prepared.model.display_name)
        run.batch = None  # one file, one process: not part of a many-file lint
    elif hadolint and settings.hadolint:
        run = hadolint_adapter.run_hadolint(dockerfile, prepared.model.display_name)  # reports why it cannot run
    return finish(prepared, run)
