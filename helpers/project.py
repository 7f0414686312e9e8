"""The project a report is about: its context, Dockerfile, phase variants and how to test it.

Notebooks build one from their parameters (``Project.from_parameters``); empty parameters
mean the bundled sample. Everything else in a report takes a Project, so a user's project
and the sample go through the same code.

A Project carries the run id of the render it belongs to (``run_id``): every page of one
render measures and reads under that id, so renders sharing a history file never read each
other's rows. It writes nothing outside the report's folder and the history file: derived
Dockerfiles go under ``<report_dir>/derived`` (a dockopt-owned temporary folder when there is
no report folder), and the context copy they are built from into a temporary folder.
"""

from __future__ import annotations

import re
import shlex
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from helpers.builds import image_names
from helpers import sample
from helpers.history import store
from helpers.engine import labels
from helpers.errors import DockoptError
from helpers.paths import DEFAULT_HISTORY, SAMPLE_CONTEXT, SAMPLE_DOCKERFILE

PHASES = ("phase1", "phase2", "phase3")
DERIVE = "to be derived by dockopt"
VARIANTS = ("original",) + PHASES
MANIFESTS = ("requirements.txt", "pyproject.toml", "setup.py", "Pipfile", "poetry.lock", "uv.lock",
             "setup.cfg", "requirements.in")


@dataclass
class Project:
    name: str
    context: Path
    dockerfile: Path
    history: Path
    is_sample: bool
    base_image: str = ""
    smoke: list[str] | None = None
    smoke_expect: str | None = None
    code_file: str | None = None
    dependency_file: str | None = None
    report_dir: Path | None = None
    variant_files: dict[str, Path | None] = field(default_factory=dict)
    variant_source: dict[str, str] = field(default_factory=dict)  # "yours" | "reference" | "derived" | why not
    variant_context: dict[str, Path] = field(default_factory=dict)  # a variant built from another context
    variant_extras: dict[str, set[str]] = field(default_factory=dict)  # files dockopt added to that context for it
    derived: list = field(default_factory=list)  # helpers.variants results, once derived
    unusable_files: dict[str, Path] = field(default_factory=dict)  # derived but failed (built, started): kept for lint
    run_env: dict[str, str] = field(default_factory=dict)  # `docker run -e` for every container of the app
    run_args: list[str] = field(default_factory=list)  # arguments given to the ENTRYPOINT instead of CMD
    user_build_args: dict[str, str] = field(default_factory=dict)  # --build-arg for every variant's build
    run_id: str = ""  # the render this page belongs to: what it measures is stored, and read, under it
    _scratch: list = field(default_factory=list, repr=False)  # temporary folders, removed with the Project

    @classmethod
    def from_parameters(cls, context: str = "", dockerfile: str = "", name: str = "", base_image: str = "",
                        history: str = "", smoke_command: str = "", report_dir: str = "",
                        phase1_dockerfile: str = "", phase2_dockerfile: str = "", phase3_dockerfile: str = "",
                        code_file: str = "", dependency_file: str = "", run_env: str = "",
                        run_args: str = "", build_args: str = "", run_id: str = "") -> "Project":
        """A Project from notebook parameters (strings, as papermill passes them).

        ``run_env`` and ``build_args`` are ``KEY=VALUE`` lines, ``run_args`` shell words;
        ``run_id`` empty starts a new run id (a notebook opened in JupyterLab), which also
        labels the containers this process starts, so an interrupted render's are found."""
        ctx = Path(context).expanduser().resolve() if context else SAMPLE_CONTEXT
        if not ctx.is_dir():
            raise DockoptError(f"Build context {ctx} is not a directory.", hint="set `context` to your project's folder.")
        df = Path(dockerfile).expanduser().resolve() if dockerfile else (
            SAMPLE_DOCKERFILE if ctx == SAMPLE_CONTEXT else ctx / "Dockerfile")
        is_sample = ctx == SAMPLE_CONTEXT and df == SAMPLE_DOCKERFILE
        if not df.is_file():
            raise DockoptError(f"Dockerfile {df} does not exist.", hint="set `dockerfile` to your Dockerfile.")
        project = cls(
            name=name or ("snsw (sample)" if is_sample else ctx.name), context=ctx, dockerfile=df,
            history=Path(history).expanduser().resolve() if history else DEFAULT_HISTORY,
            is_sample=is_sample, base_image=base_image,
            report_dir=Path(report_dir).resolve() if report_dir else None)
        if is_sample:
            sample.ensure_weights()
            project.smoke, project.smoke_expect = list(sample.SMOKE_COMMAND), sample.SMOKE_EXPECT
        if smoke_command:
            project.smoke, project.smoke_expect = shlex.split(smoke_command), None
        project.run_env = parse_pairs(run_env, "run_env")
        project.run_args = shlex.split(run_args) if run_args else []
        project.user_build_args = parse_pairs(build_args, "build_args")
        project.run_id = run_id or store.new_run_id()
        labels.use_render(project.run_id)
        project.code_file = code_file or (sample.CODE_FILE if is_sample else guess_code_file(ctx))
        project.dependency_file = dependency_file or (sample.DEPENDENCY_FILE if is_sample else guess_manifest(ctx))
        given = {"phase1": phase1_dockerfile, "phase2": phase2_dockerfile, "phase3": phase3_dockerfile}
        for phase in PHASES:
            if given[phase]:
                path = Path(given[phase]).expanduser().resolve()
                if not path.is_file():
                    raise DockoptError(f"{phase}_dockerfile {path} does not exist.")
                project.variant_files[phase], project.variant_source[phase] = path, "yours"
            elif is_sample:
                project.variant_files[phase], project.variant_source[phase] = sample.variant(phase).dockerfile, "reference"
            else:
                project.variant_files[phase], project.variant_source[phase] = None, DERIVE
        project.variant_files["original"], project.variant_source["original"] = df, "yours"
        return project

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-") or "project"

    @property
    def repo(self) -> str:
        """The image repository of this project's variants: its name plus a hash of the context's path."""
        return f"dockopt-report/{image_names.context_slug(self.context, self.slug)}"

    def tag(self, variant: str) -> str:
        return f"{self.repo}:{variant}"

    def dockerfile_for(self, variant: str) -> Path | None:
        if self.variant_source.get(variant) == DERIVE:
            self.derive()
        return self.variant_files.get(variant)

    def context_for(self, variant: str) -> Path:
        return self.variant_context.get(variant, self.context)

    def not_sent(self, variant: str) -> set[str]:
        """dockopt's own files in ``variant``'s context that this variant does not bring with it.

        Derived phases share one context copy holding every phase's extra files (a later phase's
        constraints file, say); the user's context for this variant would not have them.
        """
        if variant not in self.variant_context:
            return set()
        added = set().union(*self.variant_extras.values()) if self.variant_extras else set()
        return added - self.variant_extras.get(variant, set())

    def available(self, variants=VARIANTS) -> list[str]:
        return [v for v in variants if self.dockerfile_for(v) is not None]

    def derive(self) -> None:
        """Derive the phase variants dockopt writes (helpers.variants), once, on first use.

        The generated Dockerfiles go under the report's folder (``<report_dir>/derived``, or a
        dockopt-owned temporary folder without one); the context copy they are built from,
        with the files they COPY that the project lacks (a constraints file), goes into a
        temporary folder, so the shared report holds no copy of the project's source and the
        user's tree is never written to. Each phase is built and smoke-tested as it is derived.

        Every notebook of a render builds its own Project, so the derivation is kept in the
        history file (``helpers.history.analysis_cache``) keyed by the context's and Dockerfile's
        contents, how the app is checked and the deriving code: the first notebook derives, the
        others reuse its Dockerfiles (checked on disk) instead of building and starting every
        phase again. A derivation with a failed phase is not kept, so it is tried again.
        """
        from helpers.report import render_split

        with render_split.spent(render_split.ANALYSIS, "derive"):  # its builds and runs count as such
            self._derive()

    def release_scratch(self) -> None:
        """Free this process's hold on the derivation's temporary folders (`dockopt clean` may then
        remove them; a later notebook derives again if it finds them gone)."""
        for fh in getattr(self, "_scratch_holds", []):
            fh.close()
        self._scratch_holds = []

    def derivation_key(self) -> str:
        import hashlib

        from helpers.history.code_version import package_digest
        from helpers.builds.context_digest import context_digest, file_digest

        parts = [context_digest(self.context), file_digest(self.dockerfile), package_digest(),
                 shlex.join(self.smoke or []), self.smoke_expect or "", self.code_file or "",
                 repr(sorted(self.run_env.items())), shlex.join(self.run_args),
                 repr(sorted(self.user_build_args.items())), str(self.report_dir or "")]
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:24]

    def _derive(self) -> None:
        import shutil

        from helpers.builds import scratch as scratch_folders
        from helpers.history import analysis_cache
        from helpers.report import render_split
        from helpers.variants import derive_variants

        key = self.derivation_key()
        # Stable across the notebooks of a render (each is its own kernel): the Dockerfiles under the
        # report's folder, the context copy they build from in a temporary folder named by the key.
        scratch = Path(tempfile.gettempdir())
        out = self.report_dir / "derived" if self.report_dir else scratch / f"dockopt-derived-{key}"
        copy = scratch / f"dockopt-derived-context-{key}" / "context"
        marker = out / "derivation-key"
        # held while this process (a notebook's kernel) uses them: `dockopt clean` leaves them alone
        self._scratch_holds = [scratch_folders.hold(folder) for folder in (out, copy.parent)
                               if folder.parent == scratch]
        render = (render_split.active() or ("",))[0]

        def on_disk(results) -> bool:
            # a derivation where a phase failed may have met a passing fault (a mirror down): it is
            # reused within the render that made it, and tried again by the next one
            failed = any(r.error for r in results)
            files = [p for r in results[1:] for p in [r.dockerfile, *r.files] if p]
            return (marker.is_file() and marker.read_text() == key + "\n" + (render if failed else "")
                    and (not failed or bool(render)) and all(Path(p).is_file() for p in files) and copy.is_dir())

        def compute():
            for folder in (out, copy):
                if folder.exists():
                    shutil.rmtree(folder)
            shutil.copytree(self.context, copy, symlinks=True)
            try:
                results = derive_variants(self.context, self.dockerfile, out,
                                          smoke=shlex.join(self.smoke) if self.smoke else None,
                                          expect=self.smoke_expect, code_file=self.code_file,
                                          build_args=self.user_build_args or None, rebuild=False,
                                          run_env=self.run_env, run_args=self.run_args)
            except DockoptError as exc:
                return exc
            marker.write_text(key + "\n" + (render if any(r.error for r in results) else ""))
            return results

        found = analysis_cache.lookup(self.history, "derive", key)
        if isinstance(found, list) and on_disk(found):
            results = found
        else:
            results = analysis_cache.cached(self.history, "derive", key, compute, fresh=True,
                                            keep=lambda r: isinstance(r, list))
        if isinstance(results, DockoptError):
            exc = results
            for phase in PHASES:
                if self.variant_source.get(phase) == DERIVE:
                    self.variant_files[phase], self.variant_source[phase] = None, f"not derived: {exc.message}"
            return
        self.derived = results
        for result in results[1:]:
            if self.variant_source.get(result.name) != DERIVE:
                continue
            extras = [extra for extra in result.files if not extra.name.endswith(".dockerignore")]
            for extra in extras:
                shutil.copy(extra, copy / extra.name)
            self.variant_extras[result.name] = {extra.name for extra in extras}
            usable = not result.error
            if not usable:  # kept so its findings can still be shown next to why it is not used
                self.unusable_files[result.name] = result.dockerfile
            self.variant_files[result.name] = result.dockerfile if usable else None
            self.variant_source[result.name] = "derived" if usable else f"derived, but failed: {result.error[:200]}"
            self.variant_context[result.name] = copy

    def run_options(self):
        """How every container of the app is started: the user's ``--run-env`` and ``--run-arg``."""
        from helpers.engine.containers import RunOptions

        return RunOptions(dict(self.run_env), list(self.run_args))

    def scratch(self, prefix: str) -> str:
        """A temporary folder owned by this Project, removed when it is (or when Python exits)."""
        folder = tempfile.TemporaryDirectory(prefix=prefix)
        self._scratch.append(folder)
        return folder.name

    def build_args(self, variant: str) -> dict[str, str]:
        args: dict[str, str] = {}
        if self.is_sample and self.variant_source.get(variant) == "reference":
            args.update(sample.build_args(sample.variant(variant)))
        path = self.dockerfile_for(variant)
        if self.base_image and path and re.search(r"^\s*ARG\s+BASE_IMAGE\b", path.read_text(), re.M | re.I):
            args["BASE_IMAGE"] = self.base_image
        args.update(self.user_build_args)
        return args


def parse_pairs(text: str, what: str) -> dict[str, str]:
    """``KEY=VALUE`` entries, one per line (the form notebook parameters and papermill carry)."""
    pairs = {}
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        key, eq, value = line.partition("=")
        if not eq or not key:
            raise DockoptError(f"{what}: {line!r} is not KEY=VALUE.", hint="one KEY=VALUE per line")
        pairs[key] = value
    return pairs


def guess_manifest(context: Path) -> str | None:
    for name in MANIFESTS:
        if (context / name).is_file():
            return name
    return None


def guess_code_file(context: Path) -> str | None:
    """A source file whose change a developer makes daily: the first .py outside tests and docs."""
    skip = {"tests", "test", "docs", ".git", ".venv", "venv", "node_modules", "__pycache__"}
    for path in sorted(context.rglob("*.py")):
        rel = path.relative_to(context)
        if not skip.intersection(rel.parts) and rel.name not in ("setup.py", "conftest.py"):
            return rel.as_posix()
    return None
