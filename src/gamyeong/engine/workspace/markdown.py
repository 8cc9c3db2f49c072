"""``codebook.ko.md`` and ``codebook.en.md``: one table per dataset (column, label, class, type,
value labels), and the names a file format forced to change."""

from __future__ import annotations

from gamyeong.engine.workspace.codebook import Codebook, CodebookColumn, DatasetCodebook

_TEXT = {
    "ko": {
        "title": "코드북",
        "dummy": "더미 데이터입니다: 실제 자료의 형식만 본뜬 가짜 값이며 실제 기록이 없습니다.",
        "header": "| 열 | 라벨 | 항목 분류 | 유형 | 값 라벨 |",
        "names": "파일 형식별 변수 이름",
        "names_header": "| 열 | SPSS (.sav) | Stata (.dta) | SAS (.xpt) | SAS (load_*.sas) |",
        "catalog": "원래 유형",
    },
    "en": {
        "title": "Codebook",
        "dummy": "Dummy data: made-up values in the real data's shape, with no real record in it.",
        "header": "| column | label | item class | type | value labels |",
        "names": "Variable names per file format",
        "names_header": "| column | SPSS (.sav) | Stata (.dta) | SAS (.xpt) | SAS (load_*.sas) |",
        "catalog": "originally",
    },
}
_CLASSES = {
    "direct_identifier": ("식별정보", "direct identifier"),
    "quasi_identifier": ("식별가능정보", "quasi-identifier"),
    "sensitive": ("민감정보", "sensitive"),
    "other": ("기타", "other"),
}
_TYPES = {
    "string": ("문자", "text"),
    "integer": ("정수", "integer"),
    "float": ("실수", "decimal"),
    "date": ("날짜", "date"),
    "datetime": ("일시", "date-time"),
    "time": ("시각", "time"),
    "boolean": ("참/거짓", "true/false"),
}
_FORMATS = ("sav", "dta", "xpt", "sas")


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("\r", " ")


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "ko" else pair[1]


def _row(column: CodebookColumn, lang: str) -> str:
    label = column.label_ko if lang == "ko" else column.label_en
    kind = _pick(_TYPES.get(column.type, (column.type, column.type)), lang)
    if column.catalog_type:
        original = _pick(_TYPES.get(column.catalog_type, (column.catalog_type,) * 2), lang)
        kind += f" ({_TEXT[lang]['catalog']}: {original})"
    values = "; ".join(
        f"`{_cell(value)}` = "
        + _cell(label.ko if lang == "ko" or not label.en else label.en)
        + (f" ({_cell(label.en)})" if lang == "ko" and label.en else "")
        for value, label in column.value_labels.items()
    )
    item_class = _pick(_CLASSES.get(column.item_class, (column.item_class,) * 2), lang)
    return f"| `{_cell(column.name)}` | {_cell(label)} | {item_class} | {kind} | {values} |"


def _dataset(dataset: DatasetCodebook, lang: str) -> list[str]:
    text = _TEXT[lang]
    title = dataset.title_ko if lang == "ko" else dataset.title_en
    lines = [f"## {dataset.name}" + (f" — {_cell(title)}" if title else ""), ""]
    if dataset.dummy:
        lines += [f"> {text['dummy']}", ""]
    lines += [text["header"], "|---|---|---|---|---|"]
    lines += [_row(column, lang) for column in dataset.columns]
    renamed = [c for c in dataset.columns if any(n != c.name for n in c.format_names.values())]
    if renamed:
        lines += ["", f"### {text['names']}", "", text["names_header"], "|---|---|---|---|---|"]
        for column in renamed:
            cells = [_cell(column.format_names.get(f, column.name)) for f in _FORMATS]
            lines.append(f"| `{_cell(column.name)}` | " + " | ".join(cells) + " |")
    return [*lines, ""]


def codebook_markdown(codebook: Codebook, lang: str) -> str:
    """The codebook as Markdown in ``lang`` (``ko`` or ``en``)."""
    lines = [f"# {_TEXT[lang]['title']}", ""]
    for dataset in codebook.datasets:
        lines += _dataset(dataset, lang)
    return "\n".join(lines)
