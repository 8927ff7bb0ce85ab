"""The playbook catalog and its validating loader."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from knowledge.errors import PlaybookError
from knowledge.playbooks import BUILTIN_PLAYBOOKS_DIR, CATALOG_IDS, load_playbooks
from knowledge.playbooks.loader import load_playbook_folder

GOOD = """---
id: {id}
title: Security review
triggers:
  - security questionnaire received
cta_type: lifecycle
priority: medium
segments: [enterprise]
---

Answer security reviews before they block a deal.

## Steps

1. Send the standard security pack.
   - Timing: within 1 business day
   - Owner: CSM
   - Channel: email
2. Book a call with our security lead for open questions.
   - Timing: within 1 week
   - Owner: security lead
   - Channel: video call
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.md"
    path.write_text(text, encoding="utf-8")
    return path


def test_catalog_has_the_twelve_playbooks_with_complete_steps():
    playbooks = load_playbooks()
    assert list(playbooks) == list(CATALOG_IDS)
    for playbook in playbooks.values():
        assert playbook.triggers and playbook.segments and playbook.summary
        assert [step.number for step in playbook.steps] == list(range(1, len(playbook.steps) + 1))
        assert len(playbook.steps) >= 5
        for step in playbook.steps:
            assert step.text and step.timing and step.owner and step.channel
    assert playbooks["cancellation-save"].priority == "urgent"
    assert playbooks["renewal"].cta_type == "renewal"
    assert "payment_failed" in playbooks["payment-failure"].signals


def test_team_folder_adds_and_replaces_playbooks(tmp_path):
    team = tmp_path / "team"
    write(team, "security-review", GOOD.format(id="security-review"))
    renewal = (
        (BUILTIN_PLAYBOOKS_DIR / "renewal.md")
        .read_text()
        .replace("title: Renewal preparation", "title: Our renewal process")
    )
    write(team, "renewal", renewal)
    playbooks = load_playbooks(team)
    assert playbooks["renewal"].title == "Our renewal process"
    assert list(playbooks)[-1] == "security-review"
    assert playbooks["security-review"].steps[1].owner == "security lead"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda t: t.replace("cta_type: lifecycle\n", ""), "missing required field(s): cta_type"),
        (
            lambda t: t.replace("priority: medium", "priority: asap"),
            "priority 'asap' is not one of",
        ),
        (
            lambda t: t.replace("segments: [enterprise]", "segments: [startups]"),
            "segments ['startups']",
        ),
        (lambda t: t.replace("title:", "owner: me\ntitle:"), "unknown field(s): owner"),
        (
            lambda t: t.replace("   - Channel: video call\n", ""),
            "line 19: step 2 is missing Channel",
        ),
        (lambda t: t.replace("2. Book", "3. Book"), "step 3 out of order (expected 2)"),
        (lambda t: t.replace("## Steps", "## Plan"), "no '## Steps' section"),
        (lambda t: t.replace("   - Owner: CSM", "   - Who: CSM"), "unknown step attribute 'Who'"),
        (
            lambda t: t.replace("segments: [enterprise]", "segments: [enterprise]\nsignals: [sad]"),
            "unknown signals ['sad']",
        ),
    ],
)
def test_invalid_files_name_the_file_and_the_problem(tmp_path, change, expected):
    path = write(tmp_path / "team", "security-review", change(GOOD.format(id="security-review")))
    with pytest.raises(PlaybookError) as error:
        load_playbooks(tmp_path / "team")
    assert str(path) in str(error.value)
    assert expected in str(error.value)


def test_id_must_match_the_file_name(tmp_path):
    write(tmp_path / "team", "security", GOOD.format(id="security-review"))
    with pytest.raises(PlaybookError, match="does not match the file name"):
        load_playbooks(tmp_path / "team")


def test_unknown_id_in_the_catalog_folder_is_refused(tmp_path):
    write(tmp_path / "catalog", "security-review", GOOD.format(id="security-review"))
    with pytest.raises(PlaybookError, match="unknown playbook id 'security-review'"):
        load_playbook_folder(tmp_path / "catalog", allowed_ids=CATALOG_IDS)


def test_missing_team_folder_and_bad_yaml_are_errors(tmp_path):
    with pytest.raises(PlaybookError, match="does not exist"):
        load_playbooks(tmp_path / "nowhere")
    write(tmp_path / "team", "broken", "---\nid: [broken\n---\n## Steps\n")
    with pytest.raises(PlaybookError, match="broken.md: front matter is not valid YAML"):
        load_playbooks(tmp_path / "team")


def test_loading_playbooks_never_imports_torch_or_chromadb():
    code = (
        "import sys; from knowledge.playbooks import load_playbooks; load_playbooks(); "
        "print(any(m in sys.modules for m in ('torch', 'chromadb', 'sklearn')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
