"""``writeback.yaml``: which CRM field receives each health value, per CRM.

Lives beside the sync mappings (the shipped default in ``bot/sources/sync/mappings/``,
a team's copy in ``CSBOT_SYNC_MAPPING_DIR``). Every problem is reported at once, located
(``writeback.yaml: hubspot.fields.health: not one of health_score, band, …``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from bot.sources.sync.mapping import MappingError, parse_yaml
from bot.sources.writeback.plan import WRITEBACK_SOURCES

FILE_NAME = "writeback.yaml"
CRMS = ("salesforce", "hubspot")


@dataclass(frozen=True)
class WritebackMapping:
    crm: str
    object: str
    fields: dict[str, str]  # writeback source → CRM field


def load_writeback_mapping(crm: str, mapping_dir: Path | None = None) -> WritebackMapping:
    """The team's ``writeback.yaml`` when it exists, else the shipped default."""
    text, origin = _read(mapping_dir)
    return parse_writeback_mapping(parse_yaml(text, origin), crm, origin)


def parse_writeback_mapping(document: object, crm: str, origin: str) -> WritebackMapping:
    problems: list[str] = []
    if not isinstance(document, Mapping):
        raise MappingError([f"{origin}: expected a mapping of CRM name: object and fields"])
    unknown = sorted(set(map(str, document)) - set(CRMS))
    if unknown:
        problems.append(f"{origin}: unknown CRM(s) {', '.join(unknown)}; CRMs: {', '.join(CRMS)}")
    spec = document.get(crm)
    if not isinstance(spec, Mapping):
        raise MappingError([*problems, f"{origin}: {crm}: required (object and fields)"])
    target = spec.get("object")
    if not isinstance(target, str) or not target.strip():
        problems.append(f"{origin}: {crm}.object: required (the CRM object written to)")
        target = ""
    fields_spec = spec.get("fields")
    fields: dict[str, str] = {}
    if not isinstance(fields_spec, Mapping) or not fields_spec:
        problems.append(f"{origin}: {crm}.fields: required (health value: CRM field)")
    else:
        for source, name in fields_spec.items():
            where = f"{origin}: {crm}.fields.{source}"
            if source not in WRITEBACK_SOURCES:
                problems.append(f"{where}: not one of {', '.join(WRITEBACK_SOURCES)}")
            elif not isinstance(name, str) or not name.strip():
                problems.append(f"{where}: expected the CRM field name")
            else:
                fields[str(source)] = name.strip()
        duplicated = sorted({n for n in fields.values() if list(fields.values()).count(n) > 1})
        for name in duplicated:
            problems.append(f"{origin}: {crm}.fields: {name} is named for more than one value")
    if problems:
        raise MappingError(problems)
    return WritebackMapping(crm=crm, object=str(target).strip(), fields=fields)


def _read(mapping_dir: Path | None) -> tuple[str, str]:
    if mapping_dir is not None:
        path = Path(mapping_dir) / FILE_NAME
        if path.is_file():
            return path.read_text(encoding="utf-8"), path.name
    packaged = resources.files("bot.sources.sync.mappings") / FILE_NAME
    return packaged.read_text(encoding="utf-8"), f"{FILE_NAME} (default)"
