"""The mapping rules the sync and CSV mappings share: value maps, date formats, fallbacks,
computed values, and the expression language's whitelist (units, no database)."""

from __future__ import annotations

import pytest

from bot.sources.sync.expression import CellError, ExpressionError, parse_expression
from bot.sources.sync.mapping import MappingError, map_records, parse_mapping


def rules(fields: dict[str, object], table: str = "contracts"):
    key = {"contracts": {"contract_id": "Id", "account_id": "Acc"}}[table]
    base = {"start_date": "Start", "end_date": "End", "arr": "Arr"}
    mapping = parse_mapping(
        {"source": "t", "objects": {"C": {"table": table, "fields": key | base | fields}}}, "t.yaml"
    )
    return mapping.object("C")


def one(obj, record):
    rows, _ids, _skipped = map_records(obj, [{"Id": "1", "Acc": "A", **record}])
    return rows[0]


def test_value_maps_map_listed_values_and_unmapped_decides_the_rest():
    obj = rules(
        {
            "status": {
                "field": "S",
                "values": {"Live": "active", "Lost": "churned"},
                "unmapped": None,
            }
        }
    )
    assert one(obj, {"S": "Live"})["status"] == "active"
    assert one(obj, {"S": "Lost"})["status"] == "churned"
    assert one(obj, {"S": "Paused"})["status"] is None
    strict = rules({"status": {"field": "S", "values": {"Live": "active"}}})
    assert one(strict, {"S": "Paused"})["status"] == "Paused"  # passed on: the importer refuses it


def test_a_value_map_naming_no_contract_choice_is_refused():
    with pytest.raises(MappingError) as caught:
        rules({"status": {"field": "S", "values": {"Live": "alive"}}})
    assert caught.value.problems == [
        "t.yaml: objects.C.fields.status.values.Live: 'alive' is not one of "
        "active, renewed, churned, pending"
    ]


def test_date_formats_parse_to_iso_and_a_list_tries_each_format():
    obj = rules(
        {
            "start_date": {"field": "Start", "format": "%m/%d/%Y"},
            "end_date": {"field": "End", "format": ["%d.%m.%Y", "%Y-%m-%d %H:%M:%S"]},
        }
    )
    row = one(obj, {"Start": "03/15/2024", "End": "14.03.2025"})
    assert (row["start_date"], row["end_date"]) == ("2024-03-15", "2025-03-14")
    assert one(obj, {"Start": "03/15/2024", "End": "2025-03-14 10:00:00"})["end_date"] == (
        "2025-03-14"
    )
    start = obj.columns[[r.column for r in obj.columns].index("start_date")]
    with pytest.raises(CellError) as caught:
        start.evaluate({"Start": "2024-03-15"})
    assert caught.value.why == "does not match the format '%m/%d/%Y'"
    assert start.value({"Start": "2024-03-15"}) == "2024-03-15"  # sync: the importer decides


def test_a_format_on_a_date_time_column_keeps_the_time():
    mapping = parse_mapping(
        {
            "source": "t",
            "objects": {
                "T": {
                    "table": "tickets",
                    "fields": {
                        "ticket_id": "Id",
                        "account_id": "Acc",
                        "created_at": {"field": "When", "format": "%d/%m/%Y %H:%M"},
                    },
                }
            },
        },
        "t.yaml",
    )
    rows, _, _ = map_records(
        mapping.object("T"), [{"Id": "1", "Acc": "A", "When": "05/01/2025 14:30"}]
    )
    assert rows[0]["created_at"] == "2025-01-05T14:30:00"


def test_a_format_on_a_text_column_is_refused():
    with pytest.raises(MappingError) as caught:
        rules({"status": {"field": "S", "format": "%Y"}})
    assert caught.value.problems == [
        "t.yaml: objects.C.fields.status.format: only for a date or date-time column"
    ]


def test_a_list_of_rules_takes_the_first_value_and_transforms_see_parsed_dates():
    obj = rules(
        {
            "end_date": [
                {"field": "End", "format": "%m/%d/%Y"},
                {"field": "Start", "format": "%m/%d/%Y", "transform": "year_later"},
            ]
        }
    )
    assert one(obj, {"End": "01/31/2025", "Start": "02/01/2024"})["end_date"] == "2025-01-31"
    assert one(obj, {"End": "", "Start": "02/01/2024"})["end_date"] == "2025-02-01"


def test_computed_values_in_a_sync_mapping_too():
    obj = rules({"arr": {"expr": "(MRR + AddOn) * 12"}})
    assert one(obj, {"MRR": "100", "AddOn": "25.5"})["arr"] == 1506.0
    assert one(obj, {"MRR": "", "AddOn": "1"})["arr"] is None  # an empty cell: empty result
    assert obj.source_fields()[:3] == ["Id", "Acc", "Start"]
    assert {"MRR", "AddOn"} <= set(obj.source_fields())  # the connector queries them
    assert one(obj, {"MRR": "x", "AddOn": "1"})["arr"] == "x"  # the importer refuses it, located


def test_is_set_maps_presence_to_values():
    obj = rules(
        {
            "status": {
                "field": "Closed",
                "transform": "is_set",
                "values": {"true": "renewed", "false": "active"},
            }
        }
    )
    assert one(obj, {"Closed": "2024-01-01"})["status"] == "renewed"
    assert one(obj, {"Closed": ""})["status"] == "active"


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os')",
        "x.__class__",
        "open('f')",
        "x[0]",
        "x ** 2",
        "x // 2",
        "x if y else z",
        "[a b].real",
        "{'a': 1}",
        "x == 1",
        "not x",
        "'text'",
        "",
        "x +",
        "1" * 600,
    ],
)
def test_the_value_language_refuses_everything_but_arithmetic(text):
    with pytest.raises(ExpressionError):
        parse_expression(text)


def test_arithmetic_reads_cells_as_numbers_and_brackets_name_any_column():
    expression = parse_expression("([MRR Amount] - discount) * 12 / -2")
    assert expression.columns == ("MRR Amount", "discount")
    assert expression.evaluate({"MRR Amount": " 100 ", "discount": "20"}) == -480.0
    with pytest.raises(CellError) as caught:
        expression.evaluate({"MRR Amount": "1,000", "discount": "0"})
    assert (caught.value.column, caught.value.why) == ("MRR Amount", "is not a number")
    with pytest.raises(CellError):
        parse_expression("a / b").evaluate({"a": "1", "b": "0"})


def test_conditions_compare_text_numbers_and_lists():
    keep = parse_expression(
        "plan in ('Pro', 'Basic') and seats >= 5 and not [Test Account] == 'Yes'", condition=True
    )
    assert keep.evaluate({"plan": "Pro", "seats": "5", "Test Account": "No"}) is True
    assert keep.evaluate({"plan": "Free", "seats": "9", "Test Account": "No"}) is False
    assert keep.evaluate({"plan": "Pro", "seats": "", "Test Account": "No"}) is False
    assert parse_expression("closed == ''", condition=True).evaluate({"closed": ""}) is True
    assert parse_expression("a != 3", condition=True).evaluate({"a": ""}) is True
    with pytest.raises(ExpressionError):
        parse_expression("plan", condition=True)  # a condition must compare
    with pytest.raises(ExpressionError):
        parse_expression("len(plan) > 2", condition=True)
