"""Mapping files: how one source's objects and fields become contract rows (YAML, validated).

Teams change a mapping, not code. One file per source (``salesforce.yaml``,
``hubspot.yaml``); the defaults ship in ``bot/sources/sync/mappings/`` and
``CSBOT_SYNC_MAPPING_DIR`` points at a team's own copies. The format::

    source: salesforce
    objects:
      Account:                    # a name of your choice (the CLI's --object)
        object: Account           # the source object (defaults to the name)
        table: accounts           # the contract table it fills
        skip_if_missing: [Name]   # source records without these fields are skipped, counted
        where: "IsDeleted = false"  # optional extra filter in the source's query language
        fields:                   # contract column → source field (dotted paths follow lookups)
          account_id: Id
          name: Name
          arr: ARR__c             # a custom field
          domain: {field: Website, transform: domain}
          segment:                # picklist values → contract enums
            field: Segment__c
            values: {Enterprise: enterprise, Mid-Market: mid-market, SMB: smb}
            unmapped: null        # a value not listed becomes empty (omit: it is refused)
          status: {value: active} # a constant
          amount: {field: Amount, default: 0}  # used when the source field is empty
          arr: {expr: "MRR__c * 12"}  # computed (bot/sources/sync/expression.py)
          start_date: {field: Start__c, format: "%m/%d/%Y"}  # strptime format(s)
          end_date:               # a list: the first rule giving a value wins
            - End__c
            - {field: Start__c, transform: year_later}
        owner:                    # owner → csms by user email
          column: csm_id
          email: [CSM__r.Email, Owner.Email]   # first non-empty wins (a CSM__c lookup first)

Transforms: ``date`` (a date-time's date), ``domain`` (a URL's host without ``www.``),
``lower``, ``year_later`` (a date one year on: an opportunity-derived contract's end),
``is_set`` (``true`` when the field has a value, else ``false``: map it with ``values``).
A rule applies, in order: field (or ``expr``), format (the source's date text parsed to
ISO), transform, default (a contract value), values; an empty result falls through to
the next rule of a list.

Every problem is reported at once, located by file and path
(``salesforce.yaml: objects.Account.fields.arr2: not a column of accounts``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from bot.sources.importer.contract import SPECS, Kind
from bot.sources.sync.expression import CellError, Expression, ExpressionError, parse_expression
from bot.sources.sync.protocol import ContractRow, ContractValue

_UNSET = object()


class MappingError(ValueError):
    """A mapping file that cannot be used; ``problems`` are located lines."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


def _to_date(value: Any) -> Any:
    if value in (None, ""):
        return None
    return str(value)[:10]


def _domain(value: Any) -> Any:
    if value in (None, ""):
        return None
    text = str(value).strip()
    host = urlsplit(text if "//" in text else f"//{text}").hostname or text
    return host.removeprefix("www.").lower()


def _lower(value: Any) -> Any:
    return None if value is None else str(value).lower()


def _year_later(value: Any) -> Any:
    if value in (None, ""):
        return None
    try:
        start = date.fromisoformat(str(value)[:10])
    except ValueError:
        return value  # the importer reports it, located
    try:
        return start.replace(year=start.year + 1).isoformat()
    except ValueError:  # 29 February
        return (start + timedelta(days=365)).isoformat()


def _is_set(value: Any) -> Any:
    return "false" if value is None or str(value).strip() == "" else "true"


TRANSFORMS: dict[str, Callable[[Any], Any]] = {
    "date": _to_date,
    "domain": _domain,
    "lower": _lower,
    "year_later": _year_later,
    "is_set": _is_set,
}


def parse_formatted(value: Any, formats: Sequence[str], as_date: bool, name: str) -> Any:
    """Text in one of ``formats`` (strptime) as ISO text; CellError when none fits."""
    if value in (None, ""):
        return value
    if isinstance(value, datetime | date):
        parsed_value = value
    else:
        text = str(value).strip()
        for form in formats:
            try:
                parsed_value = datetime.strptime(text, form)
                break
            except ValueError:
                continue
        else:
            shown = " or ".join(repr(form) for form in formats)
            raise CellError(name, str(value), f"does not match the format {shown}")
    if as_date and isinstance(parsed_value, datetime):
        return parsed_value.date().isoformat()
    return parsed_value.isoformat()


def field_value(record: Mapping[str, Any], path: str) -> Any:
    """``Owner.Email`` → ``record["Owner"]["Email"]``; a missing step gives None."""
    if "." not in path:
        return record.get(path)
    value: Any = record
    for step in path.split("."):
        if not isinstance(value, dict | Mapping):  # dict first: the cheap check
            return None
        value = value.get(step)
    return value


@dataclass(frozen=True, slots=True)
class ColumnRule:
    column: str
    field: str | None = None
    constant: Any = None
    values: Mapping[str, Any] | None = None
    unmapped: Any = _UNSET  # _UNSET: an unlisted picklist value is passed on (and refused)
    transform: str | None = None
    default: Any = None  # used when the source field is empty
    expression: Expression | None = None  # a computed value instead of a field
    formats: tuple[str, ...] = ()  # strptime formats of a date / date-time field
    as_date: bool = False  # the formatted value is a date (else a date-time)
    fallbacks: tuple[ColumnRule, ...] = ()  # tried in turn while the value is empty

    def reads(self) -> list[str]:
        """The source fields this rule (and its fallbacks) read."""
        own = list(self.expression.columns) if self.expression else []
        if self.field is not None:
            own.append(self.field)
        return own + [name for rule in self.fallbacks for name in rule.reads()]

    def value(self, record: Mapping[str, Any]) -> ContractValue:
        """The contract value; a cell a computation cannot use is passed on for the importer."""
        try:
            return self.evaluate(record)
        except CellError as exc:
            return exc.value

    def evaluate(self, record: Mapping[str, Any]) -> ContractValue:
        """The contract value; raises CellError for a cell an expression or format refuses."""
        if self.field is None and self.expression is None:
            return self.constant  # type: ignore[no-any-return]
        if self.expression is not None:
            value = self.expression.evaluate(record)
        else:
            value = field_value(record, self.field)  # type: ignore[arg-type]
        if self.formats:
            value = parse_formatted(value, self.formats, self.as_date, self.field or self.column)
        if self.transform is not None:
            value = TRANSFORMS[self.transform](value)
        if value in (None, "") and self.default is not None:
            value = self.default
        if self.values is not None and value not in (None, ""):
            if str(value) in self.values:
                value = self.values[str(value)]
            elif self.unmapped is not _UNSET:
                value = self.unmapped
        if value in (None, "") and self.fallbacks:
            for rule in self.fallbacks:
                value = rule.evaluate(record)
                if value not in (None, ""):
                    break
        if isinstance(value, Mapping | list):
            return str(value)  # a lookup mapped whole: the importer refuses nothing silently
        if isinstance(value, datetime | date):
            return value.isoformat()
        return value  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class OwnerRule:
    column: str
    email_fields: tuple[str, ...]

    def email(self, record: Mapping[str, Any]) -> str | None:
        for path in self.email_fields:
            value = field_value(record, path)
            if value:
                return str(value).strip().lower()
        return None


_SCALARS = (str, int, float, bool)


def _scalar(value: Any) -> ContractValue:
    """A lookup mapped whole, or a date object, as text the importer then checks."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _getter(rule: ColumnRule) -> Callable[[Mapping[str, Any]], Any]:
    """The fast path for a plain field (most columns): one ``dict.get``."""
    plain = (
        rule.field is not None
        and "." not in rule.field
        and rule.transform is None
        and rule.values is None
        and rule.default is None
        and not rule.formats
        and not rule.fallbacks
    )
    if plain:
        name = rule.field
        return lambda record: record.get(name)
    return rule.value


def _source_name(rule: ColumnRule) -> str:
    """How an error line names the source of a contract column."""
    if rule.field is not None:
        return rule.field
    if rule.expression is not None:
        return f"{rule.column} (= {rule.expression.text})"
    return f"{rule.column} (constant)"


@dataclass(frozen=True)
class ObjectMapping:
    name: str
    source_object: str
    table: str
    columns: tuple[ColumnRule, ...]
    owner: OwnerRule | None = None
    skip_if_missing: tuple[str, ...] = ()
    where: str | None = None
    id_field: str = "Id"

    def source_fields(self) -> list[str]:
        """Every source field the mapping reads (for the connector's query), in order."""
        wanted: dict[str, None] = {self.id_field: None}
        for rule in self.columns:
            wanted.update(dict.fromkeys(rule.reads()))
        if self.owner:
            wanted.update(dict.fromkeys(self.owner.email_fields))
        wanted.update(dict.fromkeys(self.skip_if_missing))
        return list(wanted)

    @property
    def fields(self) -> dict[str, str]:
        """Contract column → source field, to locate errors."""
        out = {rule.column: _source_name(rule) for rule in self.columns}
        if self.owner:
            out[self.owner.column] = self.owner.email_fields[0]
        return out

    def skips(self, record: Mapping[str, Any]) -> bool:
        return any(field_value(record, path) in (None, "") for path in self.skip_if_missing)

    @cached_property
    def _compiled(self) -> list[tuple[str, Callable[[Mapping[str, Any]], Any]]]:
        return [(rule.column, _getter(rule)) for rule in self.columns]

    def apply(self, record: Mapping[str, Any]) -> dict[str, ContractValue]:
        """One source record as a contract row; the owner column holds the owner's email."""
        row: dict[str, ContractValue] = {}
        for column, get in self._compiled:
            value = get(record)
            if value is not None and type(value) not in _SCALARS:
                value = _scalar(value)
            row[column] = value
        if self.owner:
            row[self.owner.column] = self.owner.email(record)
        return row


@dataclass(frozen=True, slots=True)
class SourceMapping:
    source: str
    objects: dict[str, ObjectMapping] = field(default_factory=dict)
    origin: str = ""

    def object(self, name: str) -> ObjectMapping:
        try:
            return self.objects[name]
        except KeyError:
            raise MappingError(
                [f"{self.origin}: no object {name!r}; objects: {', '.join(self.objects)}"]
            ) from None


_OBJECT_KEYS = {"object", "table", "fields", "owner", "skip_if_missing", "where", "id_field"}
_RULE_KEYS = {"field", "value", "values", "unmapped", "transform", "default", "expr", "format"}


def _parse_rule(
    where: str,
    column: str,
    spec: object,
    problems: list[str],
    choices: tuple[str, ...] | None = None,
    kind: Kind | None = None,
) -> ColumnRule | None:
    if isinstance(spec, str) and spec.strip():
        return ColumnRule(column, field=spec.strip())
    if isinstance(spec, list) and spec:
        rules = [
            _parse_rule(f"{where}[{index}]", column, item, problems, choices, kind)
            for index, item in enumerate(spec)
        ]
        if any(rule is None for rule in rules):
            return None
        first, *rest = rules
        return replace(first, fallbacks=tuple(rest))  # type: ignore[arg-type, type-var]
    if not isinstance(spec, Mapping):
        problems.append(f"{where}: expected a source field name or a mapping with 'field'")
        return None
    unknown = sorted(set(spec) - _RULE_KEYS)
    if unknown:
        problems.append(f"{where}: unknown key(s) {', '.join(map(str, unknown))}")
    if "value" in spec:
        return ColumnRule(column, constant=spec["value"])
    expression: Expression | None = None
    if "expr" in spec:
        try:
            expression = parse_expression(spec["expr"])
        except ExpressionError as exc:
            problems.append(f"{where}.expr: {exc}")
            return None
        if "field" in spec:
            problems.append(f"{where}: give 'field' or 'expr', not both")
    source_field = spec.get("field")
    if expression is None and (not isinstance(source_field, str) or not source_field.strip()):
        problems.append(f"{where}.field: required (a source field name), or give 'value' or 'expr'")
        return None
    formats = spec.get("format")
    formats = [formats] if isinstance(formats, str) else formats
    if formats is not None and (
        not isinstance(formats, list) or not formats or not all(isinstance(f, str) for f in formats)
    ):
        problems.append(f"{where}.format: expected a strptime format such as '%m/%d/%Y', or a list")
        formats = None
    if formats and kind not in (Kind.DATE, Kind.DATETIME):
        problems.append(f"{where}.format: only for a date or date-time column")
        formats = None
    values = spec.get("values")
    if values is not None and not isinstance(values, Mapping):
        problems.append(f"{where}.values: expected source value: contract value pairs")
        values = None
    transform = spec.get("transform")
    if transform is not None and transform not in TRANSFORMS:
        problems.append(f"{where}.transform: {transform!r} is not one of {', '.join(TRANSFORMS)}")
        transform = None
    if values and choices:
        for source_value, contract_value in values.items():
            if contract_value is not None and str(contract_value).lower() not in choices:
                problems.append(
                    f"{where}.values.{source_value}: {contract_value!r} is not one of "
                    f"{', '.join(choices)}"
                )
    return ColumnRule(
        column,
        field=source_field.strip() if expression is None else None,  # type: ignore[union-attr]
        values={str(k): v for k, v in values.items()} if values else None,
        unmapped=spec.get("unmapped", _UNSET),
        transform=transform,
        default=spec.get("default"),
        expression=expression,
        formats=tuple(formats or ()),
        as_date=kind is Kind.DATE,
    )


parse_rule = _parse_rule  # one contract column's rule; the CSV mappings parse theirs with it


def _parse_object(
    origin: str, name: str, spec: object, problems: list[str]
) -> ObjectMapping | None:
    where = f"{origin}: objects.{name}"
    if not isinstance(spec, Mapping):
        problems.append(f"{where}: expected a mapping with table and fields")
        return None
    unknown = sorted(set(spec) - _OBJECT_KEYS)
    if unknown:
        problems.append(f"{where}: unknown key(s) {', '.join(map(str, unknown))}")
    table = spec.get("table")
    if table not in SPECS:
        problems.append(f"{where}.table: {table!r} is not a contract table ({', '.join(SPECS)})")
        return None
    contract = SPECS[table]
    fields = spec.get("fields")
    if not isinstance(fields, Mapping) or not fields:
        problems.append(f"{where}.fields: required (contract column: source field)")
        return None
    rules: list[ColumnRule] = []
    for column, rule_spec in fields.items():
        column_name = str(column).lower()
        if column_name not in contract.by_name:
            problems.append(f"{where}.fields.{column}: not a column of {table}")
            continue
        contract_column = contract.by_name[column_name]
        rule = _parse_rule(
            f"{where}.fields.{column}",
            column_name,
            rule_spec,
            problems,
            contract_column.choices,
            contract_column.kind,
        )
        if rule is not None:
            rules.append(rule)
    owner: OwnerRule | None = None
    owner_spec = spec.get("owner")
    if owner_spec is not None:
        if not isinstance(owner_spec, Mapping):
            problems.append(f"{where}.owner: expected column and email")
        else:
            column = str(owner_spec.get("column", "csm_id")).lower()
            emails = owner_spec.get("email")
            emails = [emails] if isinstance(emails, str) else emails
            if column not in contract.by_name or contract.by_name[column].references != "csms":
                problems.append(f"{where}.owner.column: {column!r} is not a csm column of {table}")
            elif not emails or not all(isinstance(e, str) and e for e in emails):
                problems.append(f"{where}.owner.email: required (source field(s) with the email)")
            else:
                owner = OwnerRule(column, tuple(emails))
                if any(rule.column == column for rule in rules):
                    problems.append(f"{where}.owner.column: {column} is also under fields")
    present = {rule.column for rule in rules} | ({owner.column} if owner else set())
    for column in contract.key:
        if column not in present:
            problems.append(f"{where}.fields.{column}: required (the key of {table})")
    for column in contract.columns:
        if column.required and column.name not in present and column.name not in contract.key:
            problems.append(f"{where}.fields.{column.name}: required by the contract")
    skip = spec.get("skip_if_missing", [])
    skip = [skip] if isinstance(skip, str) else skip
    if not isinstance(skip, list) or not all(isinstance(s, str) for s in skip):
        problems.append(f"{where}.skip_if_missing: expected a list of source fields")
        skip = []
    source_object = spec.get("object", name)
    where_clause = spec.get("where")
    if where_clause is not None and not isinstance(where_clause, str):
        problems.append(f"{where}.where: expected text")
        where_clause = None
    return ObjectMapping(
        name=str(name),
        source_object=str(source_object),
        table=str(table),
        columns=tuple(rules),
        owner=owner,
        skip_if_missing=tuple(skip),
        where=where_clause,
        id_field=str(spec.get("id_field", "Id")),
    )


def parse_mapping(document: object, origin: str) -> SourceMapping:
    """Validate a parsed YAML document; raise MappingError listing every problem."""
    problems: list[str] = []
    if not isinstance(document, Mapping):
        raise MappingError([f"{origin}: expected a mapping with 'source' and 'objects'"])
    source = document.get("source")
    if not isinstance(source, str) or not source:
        problems.append(f"{origin}: source: required (the connector's name)")
    objects_spec = document.get("objects")
    objects: dict[str, ObjectMapping] = {}
    if not isinstance(objects_spec, Mapping) or not objects_spec:
        problems.append(f"{origin}: objects: required (object name: mapping)")
    else:
        for name, spec in objects_spec.items():
            parsed = _parse_object(origin, str(name), spec, problems)
            if parsed is not None:
                objects[str(name)] = parsed
    if problems:
        raise MappingError(problems)
    return SourceMapping(source=str(source), objects=objects, origin=origin)


def load_mapping(source: str, mapping_dir: Path | None = None) -> SourceMapping:
    """The team's ``<dir>/<source>.yaml`` when it exists, else the shipped default."""
    if mapping_dir is not None:
        path = Path(mapping_dir) / f"{source}.yaml"
        if path.is_file():
            return _load_text(path.read_text(encoding="utf-8"), path.name)
    packaged = resources.files("bot.sources.sync.mappings") / f"{source}.yaml"
    if not packaged.is_file():
        raise MappingError([f"{source}.yaml: no mapping for source {source!r}"])
    return _load_text(packaged.read_text(encoding="utf-8"), f"{source}.yaml (default)")


def _load_text(text: str, origin: str) -> SourceMapping:
    return parse_mapping(parse_yaml(text, origin), origin)


def parse_yaml(text: str, origin: str) -> object:
    """A mapping file's YAML document; a syntax error is one located line (``file:7: …``).

    Every mapping file (sync, events, CSV, writeback) reads through here, so they all
    report a broken file the same way.
    """
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise MappingError([f"{origin}{line}: {problem}"]) from None


def map_records(
    mapping: ObjectMapping, records: Sequence[Mapping[str, Any]]
) -> tuple[list[ContractRow], list[str], int]:
    """(rows, source ids, skipped) for one page of raw source records."""
    rows: list[ContractRow] = []
    ids: list[str] = []
    skipped = 0
    apply, id_field, skip = mapping.apply, mapping.id_field, mapping.skip_if_missing
    for record in records:
        if skip and mapping.skips(record):
            skipped += 1
            continue
        rows.append(apply(record))
        ids.append(
            str(record.get(id_field) if "." not in id_field else field_value(record, id_field))
        )
    return rows, ids, skipped
