"""Read and validate playbook files (YAML front matter + a numbered "## Steps" list).

A playbook is read by people (CSMs edit them) and by machines (CTAs, alerts and
retrieval refer to its id and steps), so the loader is strict: every problem is
reported with the file and, for steps, the line, instead of shipping a playbook
whose steps silently lost their owner or timing.

Step format (Markdown that still reads well on GitHub)::

    ## Steps

    1. What to do, in one or more lines.
       - Timing: within 2 business days
       - Owner: CSM
       - Channel: email
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import frontmatter
import yaml

from knowledge.errors import PlaybookError
from knowledge.models import Playbook, PlaybookStep
from knowledge.signals import ACCOUNT_SIGNALS

BUILTIN_PLAYBOOKS_DIR = Path(__file__).resolve().parent

# The catalog of ../shared/PLAYBOOKS.md, in its order. Ids are stable: CTAs, alerts,
# retrieval results and evaluations refer to them.
CATALOG_IDS: tuple[str, ...] = (
    "onboarding",
    "adoption-reactivation",
    "at-risk-intervention",
    "renewal",
    "expansion",
    "nps-detractor",
    "support-escalation",
    "payment-failure",
    "champion-change",
    "cancellation-save",
    "roi-review",
    "advocacy",
)

REQUIRED_FIELDS: tuple[str, ...] = ("id", "title", "triggers", "cta_type", "priority", "segments")
OPTIONAL_FIELDS: tuple[str, ...] = ("signals",)
CTA_TYPES = frozenset({"onboarding", "risk", "renewal", "expansion", "lifecycle", "advocacy"})
PRIORITIES = frozenset({"low", "medium", "high", "urgent"})
SEGMENTS = frozenset({"enterprise", "mid-market", "smb"})
STEP_ATTRIBUTES: tuple[str, ...] = ("timing", "owner", "channel")

_ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_STEP_START = re.compile(r"^(\d+)\.\s+(.*\S)\s*$")
_STEP_ATTRIBUTE = re.compile(r"^\s*[-*]\s+([A-Za-z ]+):\s*(.*?)\s*$")
_STEPS_HEADING = re.compile(r"^##\s+steps\s*$", re.IGNORECASE)


def load_playbooks(extra_dir: Path | None = None) -> dict[str, Playbook]:
    """Load the built-in catalog, then a team's own folder on top of it.

    A team file with a catalog id replaces the built-in playbook (a team's own
    renewal process); any other id adds a playbook. Loading never imports torch.

    Args:
        extra_dir: a folder of ``<id>.md`` files (``CSBOT_PLAYBOOKS_DIR``), or None.

    Returns:
        Playbooks by id: catalog order first, then the team's additions by id.

    Raises:
        PlaybookError: naming the file and what is wrong with it.
    """
    playbooks = load_playbook_folder(BUILTIN_PLAYBOOKS_DIR, allowed_ids=CATALOG_IDS)
    missing = [playbook_id for playbook_id in CATALOG_IDS if playbook_id not in playbooks]
    if missing:
        raise PlaybookError(BUILTIN_PLAYBOOKS_DIR, f"missing catalog playbooks: {missing}")
    if extra_dir is not None:
        extra_dir = Path(extra_dir)
        if not extra_dir.is_dir():
            raise PlaybookError(extra_dir, "playbook folder does not exist")
        team = load_playbook_folder(extra_dir)
        playbooks.update({pid: team[pid] for pid in team if pid in playbooks})
        playbooks.update({pid: team[pid] for pid in sorted(team) if pid not in playbooks})
    return playbooks


def load_playbook_folder(
    folder: Path, *, allowed_ids: Iterable[str] | None = None
) -> dict[str, Playbook]:
    """Parse every ``*.md`` file of a folder (README.md is documentation, not a playbook)."""
    allowed = set(allowed_ids) if allowed_ids is not None else None
    loaded: dict[str, Playbook] = {}
    for path in sorted(Path(folder).glob("*.md")):
        if path.name.lower() == "readme.md":
            continue
        playbook = parse_playbook_file(path)
        if allowed is not None and playbook.id not in allowed:
            raise PlaybookError(
                path, f"unknown playbook id {playbook.id!r}; the catalog ids are {sorted(allowed)}"
            )
        loaded[playbook.id] = playbook
    if allowed is not None:
        return {pid: loaded[pid] for pid in allowed_ids or () if pid in loaded}
    return loaded


def parse_playbook_file(path: Path) -> Playbook:
    """Parse and validate one playbook file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PlaybookError(path, f"cannot read file: {exc}") from None
    return parse_playbook_text(text, source=path)


def parse_playbook_text(text: str, *, source: Path) -> Playbook:
    try:
        post = frontmatter.loads(text)
    except yaml.YAMLError as exc:
        raise PlaybookError(source, f"front matter is not valid YAML: {exc}") from None
    meta: dict[str, Any] = dict(post.metadata)
    if not meta:
        raise PlaybookError(source, "no front matter (a '---' block with id, title, ...)")
    _check_fields(meta, source)

    playbook_id = _required_text(meta, "id", source)
    if not _ID_PATTERN.match(playbook_id):
        raise PlaybookError(source, f"id {playbook_id!r} must be lowercase words joined by '-'")
    if playbook_id != source.stem:
        raise PlaybookError(
            source, f"id {playbook_id!r} does not match the file name (expected {source.stem!r})"
        )
    cta_type = _required_text(meta, "cta_type", source)
    if cta_type not in CTA_TYPES:
        raise PlaybookError(source, f"cta_type {cta_type!r} is not one of {sorted(CTA_TYPES)}")
    priority = _required_text(meta, "priority", source)
    if priority not in PRIORITIES:
        raise PlaybookError(source, f"priority {priority!r} is not one of {sorted(PRIORITIES)}")
    segments = _text_list(meta, "segments", source)
    bad_segments = [segment for segment in segments if segment not in SEGMENTS]
    if bad_segments:
        raise PlaybookError(source, f"segments {bad_segments} not in {sorted(SEGMENTS)}")
    signals = _text_list(meta, "signals", source, required=False)
    bad_signals = [signal for signal in signals if signal not in ACCOUNT_SIGNALS]
    if bad_signals:
        raise PlaybookError(
            source, f"unknown signals {bad_signals}; known: {sorted(ACCOUNT_SIGNALS)}"
        )
    body_offset = _body_line_offset(text)
    summary, steps = _parse_body(post.content, source, body_offset)
    return Playbook(
        id=playbook_id,
        title=_required_text(meta, "title", source),
        triggers=tuple(_text_list(meta, "triggers", source)),
        cta_type=cta_type,
        priority=priority,
        segments=tuple(segments),
        steps=tuple(steps),
        summary=summary,
        signals=tuple(signals),
        source=source,
    )


def _check_fields(meta: dict[str, Any], source: Path) -> None:
    missing = [name for name in REQUIRED_FIELDS if meta.get(name) in (None, "", [])]
    if missing:
        raise PlaybookError(source, f"missing required field(s): {', '.join(missing)}")
    unknown = sorted(set(meta) - set(REQUIRED_FIELDS) - set(OPTIONAL_FIELDS))
    if unknown:
        allowed = ", ".join(REQUIRED_FIELDS + OPTIONAL_FIELDS)
        raise PlaybookError(source, f"unknown field(s): {', '.join(unknown)} (allowed: {allowed})")


def _required_text(meta: dict[str, Any], name: str, source: Path) -> str:
    value = meta.get(name)
    if not isinstance(value, str) or not value.strip():
        raise PlaybookError(source, f"field {name!r} must be a non-empty text")
    return value.strip()


def _text_list(
    meta: dict[str, Any], name: str, source: Path, *, required: bool = True
) -> list[str]:
    value = meta.get(name)
    if value is None and not required:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise PlaybookError(source, f"field {name!r} must be a non-empty list")
    items: list[str] = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise PlaybookError(source, f"field {name!r} has an empty or non-text item: {item!r}")
        items.append(item.strip())
    return items


def _body_line_offset(text: str) -> int:
    """Line number (1-based) of the body's first non-blank line, so step errors point
    into the file (python-frontmatter drops the front matter and leading blank lines)."""
    lines = text.splitlines()
    start = 0
    if lines and lines[0].strip() == "---":
        start = next(
            (index + 1 for index in range(1, len(lines)) if lines[index].strip() == "---"), 0
        )
    while start < len(lines) and not lines[start].strip():
        start += 1
    return start + 1


def _parse_body(body: str, source: Path, offset: int) -> tuple[str, list[PlaybookStep]]:
    lines = body.splitlines()
    heading_index = next(
        (index for index, line in enumerate(lines) if _STEPS_HEADING.match(line.strip())), None
    )
    if heading_index is None:
        raise PlaybookError(source, "no '## Steps' section")
    summary = " ".join(line.strip() for line in lines[:heading_index] if line.strip())
    steps: list[PlaybookStep] = []
    current: dict[str, Any] | None = None

    def finish(step: dict[str, Any] | None) -> None:
        if step is None:
            return
        absent = [name for name in STEP_ATTRIBUTES if not step.get(name)]
        if absent:
            raise PlaybookError(
                source,
                f"line {step['line']}: step {step['number']} is missing "
                + ", ".join(name.capitalize() for name in absent),
            )
        steps.append(
            PlaybookStep(
                number=step["number"],
                text=" ".join(step["text"]),
                timing=step["timing"],
                owner=step["owner"],
                channel=step["channel"],
            )
        )

    for index, raw in enumerate(lines[heading_index + 1 :], start=heading_index + 1):
        line_number = offset + index
        stripped = raw.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            break  # a later section ends the step list
        start = _STEP_START.match(stripped)
        if start and not raw.startswith((" ", "\t")):
            finish(current)
            number = int(start.group(1))
            if number != len(steps) + 1:
                raise PlaybookError(
                    source,
                    f"line {line_number}: step {number} out of order (expected {len(steps) + 1})",
                )
            current = {"number": number, "text": [start.group(2)], "line": line_number}
            continue
        if current is None:
            raise PlaybookError(source, f"line {line_number}: text before the first numbered step")
        attribute = _STEP_ATTRIBUTE.match(raw)
        if attribute:
            name = attribute.group(1).strip().lower()
            if name not in STEP_ATTRIBUTES:
                raise PlaybookError(
                    source,
                    f"line {line_number}: unknown step attribute {attribute.group(1)!r} "
                    "(expected Timing, Owner, Channel)",
                )
            if not attribute.group(2):
                raise PlaybookError(source, f"line {line_number}: empty {name.capitalize()}")
            current[name] = attribute.group(2)
        else:
            current["text"].append(stripped)
    finish(current)
    if not steps:
        raise PlaybookError(source, "the '## Steps' section has no numbered steps")
    return summary, steps
