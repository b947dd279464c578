"""Computed indicators as tables, the same for the page, the PDF and the XLSX.

CONTRACT:

    @dataclass Cell:  text: str (what is shown, already formatted for the locale, or "<5"),
                      value: int|float|None (the raw number; None when suppressed/missing),
                      status: str|None ("green"|"amber"|"red"|"none" for effectiveness)
    @dataclass Table: key: str, title: str, columns: list[str], rows: list[list[Cell]],
                      row_labels: list[str], definition: str|None (docs/indicators.md anchor),
                      note: str|None

    tables(data: dict, *, suppress_small: bool) -> list[Table]
        The report's tables in order: the effectiveness indicators with targets and
        status, then each section for the whole scope, then the per-unit tables (per
        school for a school or district report; per district and per school for the
        region).
    suppress_small(data) -> bool
        True when the output leaves the district (a region report): then a count from 1
        to 4 for a single school is shown as "<5" (docs/indicators.md, "Small numbers").
    chart_series(data) -> list[dict]
        Series for the charts: [{"key", "title", "labels": [...], "values": [...]}].
"""
