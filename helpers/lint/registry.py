"""Every rule dockopt runs, in one explicit list (the order findings on one line are reported in).

Adding a rule: write ``rules/<what_it_checks>.py`` and add it here; ``docs/RULES.md`` is
regenerated from this list (``python -m helpers.lint.docs``).
"""

from __future__ import annotations

from helpers.lint.rule import validate
from helpers.lint.rules import (
    apt_install_recommends,
    apt_lists_left,
    base_not_digest_pinned,
    base_tag_latest,
    build_tools_in_final_stage,
    chown_after_copy,
    consecutive_runs,
    context_unreadable,
    dockerignore_missing,
    dockerignore_weak,
    engine_rejects,
    heredoc_unsupported,
    model_files_baked_in,
    no_cache_mount,
    no_healthcheck,
    overlapping_copy,
    pip_cache_disabled,
    pip_cache_in_image,
    runs_as_root,
    single_stage_build,
    source_copied_before_install,
    syntax_directive,
    unpinned_installer_upgrade,
    unpinned_manifest,
    unpinned_pip_install,
)

RULES = [
    # syntax: what the target engine cannot build
    engine_rejects,  # DO001
    heredoc_unsupported,  # DO002
    syntax_directive,  # DO003
    context_unreadable,  # DO004
    # seed issue 1: no multi-stage build
    build_tools_in_final_stage,  # DO101
    single_stage_build,  # DO102
    # seed issue 2: poor layer caching
    source_copied_before_install,  # DO201
    overlapping_copy,  # DO202
    # seed issue 3: security
    runs_as_root,  # DO301
    base_not_digest_pinned,  # DO302
    base_tag_latest,  # DO303
    # seed issue 4: build speed
    no_cache_mount,  # DO401
    pip_cache_disabled,  # DO402
    # seed issue 5: image size
    pip_cache_in_image,  # DO501
    apt_lists_left,  # DO502
    apt_install_recommends,  # DO503
    model_files_baked_in,  # DO504
    chown_after_copy,  # DO505
    # seed "Additional Best Practices"
    dockerignore_missing,  # DO601
    dockerignore_weak,  # DO602
    consecutive_runs,  # DO603
    unpinned_pip_install,  # DO604
    unpinned_installer_upgrade,  # DO607
    unpinned_manifest,  # DO605
    no_healthcheck,  # DO606
]

for _rule in RULES:
    validate(_rule)
BY_CODE = {rule.CODE: rule for rule in RULES}
if len(BY_CODE) != len(RULES):
    raise TypeError("two rules share a CODE")
