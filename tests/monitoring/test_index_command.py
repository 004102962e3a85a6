"""`quartier index`: a table of areas in, the Berlin MSS index per area out as CSV."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from quartier.analysis import indices
from quartier.analysis.tables import read_table
from quartier.cli import main

HEADER = "id,included,reason,status_sum,status_index,status_class,status_label,dynamics_index,"
HEADER += "dynamics_class,dynamics_label,combined"
# Participants 0101-0105, 0108, 0109: the shares have mean 10 and population sd 2, so the
# z-values are exact: 1.5, -1.5, 1, -1, 0.5, -0.5, 0.
GERMAN = (
    "Planungsraum;Name;Einwohner;Arbeitslose (%);Veränderung (Pp.)\n"
    "0101;Mitte;1.675;13,0;3,0\n"
    "0102;Nord;2.000;7,0;-3,0\n"
    "0103;Süd;350;12;-2\n"
    "0104;West;999;8,0;2,0\n"
    "0105;Ost;400;11,0;1,0\n"
    "0106;Klein;299;50,0;9,0\n"
    "0107;Hafen;.;60,0;0,0\n"
    "0108;Park;500;9,0;-1,0\n"
    "0109;Feld;600;10,0;0,0\n"
)
EXPECTED = [
    HEADER,
    "0101,true,,1.5,1.5,3,niedrig,1.5,3,negativ,3-",
    "0102,true,,-1.5,-1.5,1,hoch,-1.5,1,positiv,1+",
    "0103,true,,1.0,1.0,2,mittel,-1.0,2,stabil,2+/-",
    "0104,true,,-1.0,-1.0,2,mittel,1.0,2,stabil,2+/-",
    "0105,true,,0.5,0.5,2,mittel,0.5,2,stabil,2+/-",
    "0106,false,fewer than 300 inhabitants,,,,,,,,",
    "0107,false,population missing,,,,,,,,",
    "0108,true,,-0.5,-0.5,2,mittel,-0.5,2,stabil,2+/-",
    "0109,true,,0.0,0.0,2,mittel,0.0,2,stabil,2+/-",
]
COLUMNS = [
    "--id", "Planungsraum", "--population", "Einwohner",
    "--status", "Arbeitslose (%)", "--dynamics", "Veränderung (Pp.)",
]  # fmt: skip
BERLIN_STATUS = [
    "s1_percentage_unemployed",
    "s2_percentage_long_term_unemployed",
    "s3_percentage_transfer_payments_recipients",
    "s4_percentage_transfer_payments_recipients_below_15_years",
]
BERLIN_DYNAMICS = ["d" + name[1:] for name in BERLIN_STATUS]


def german_csv(folder: Path) -> Path:
    path = folder / "sozialindex.csv"
    path.write_bytes(GERMAN.encode("cp1252"))
    return path


def run_index(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("index", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def cells(text: str) -> list[float | str]:
    """The cells of a CSV line, numbers as floats (compared with `pytest.approx`)."""
    return [_float(cell) for cell in text.split(",")]


def _float(cell: str) -> float | str:
    try:
        return float(cell)
    except ValueError:
        return cell


def assert_expected(path: Path) -> None:
    written = lines(path)
    assert written[0] == HEADER
    assert [cells(line) for line in written[1:]] == [
        pytest.approx(cells(line), abs=1e-12) for line in EXPECTED[1:]
    ]
    assert [line.split(",")[0] for line in written] == [line.split(",")[0] for line in EXPECTED]


def test_a_german_csv(tmp_path: Path) -> None:
    out = tmp_path / "result.csv"
    printed, warnings = run_index(str(german_csv(tmp_path)), *COLUMNS, "--out", str(out))
    assert_expected(out)
    assert printed.splitlines() == [
        f"{out}: 7 of 9 areas indexed (berlin-mss)",
        "Status classes: 1 hoch: 1, 2 mittel: 5, 3 niedrig: 1, 4 sehr niedrig: 0",
        "Dynamics classes: 1 positiv: 1, 2 stabil: 5, 3 negativ: 1",
    ]
    assert warnings == (
        "Warning: 1 area is not included because data are missing: 0107 (population missing)\n"
    )


def test_an_xlsx_sheet(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "Titel"
    sheet = book.create_sheet("MSS")
    for row in GERMAN.splitlines():
        cells = row.split(";")
        values = [cells[0], cells[1], *(_number(c) for c in cells[2:])]
        sheet.append(values)
    path = tmp_path / "sozialindex.xlsx"
    book.save(path)
    out = tmp_path / "result.csv"
    run_index(str(path), "--sheet", "mss", *COLUMNS, "--out", str(out))
    assert_expected(out)


def _number(text: str) -> float | str:
    try:
        return float(text.replace(".", "").replace(",", "."))
    except ValueError:
        return text


def test_exclusions_and_minimum_population(tmp_path: Path) -> None:
    out = tmp_path / "result.csv"
    arguments = [str(german_csv(tmp_path)), *COLUMNS, "--out", str(out)]
    printed, _ = run_index(*arguments, "--exclude", "0101, 0102", "--min-population", "299")
    included = [line.split(",")[:2] for line in lines(out)[1:]]
    assert included == [
        ["0101", "false"], ["0102", "false"], ["0103", "true"], ["0104", "true"],
        ["0105", "true"], ["0106", "true"], ["0107", "false"], ["0108", "true"],
        ["0109", "true"],
    ]  # fmt: skip
    assert "6 of 9 areas indexed" in printed


STRICT = (
    "{name}:\n  method: berlin-mss\n  min_population: 500\n  status_cuts: [0]\n"
    "  status_labels: [besser, schlechter]\n  dynamics_cuts: [0]\n"
    "  dynamics_labels: [besser, schlechter]\n  dynamics_symbols: [↑, ↓]\n"
    '  combined_label: "{{status}}"\n'
)


def test_a_method_from_a_user_file(tmp_path: Path) -> None:
    methods = tmp_path / "methods.yaml"
    methods.write_text(STRICT.format(name="streng"), encoding="utf-8")
    out = tmp_path / "result.csv"
    arguments = [str(german_csv(tmp_path)), *COLUMNS, "--out", str(out)]
    printed, _ = run_index(*arguments, "--methods", str(methods), "--method", "streng")
    rows = [line.split(",") for line in lines(out)[1:]]
    assert [row[0] for row in rows if row[1] == "true"] == ["0101", "0102", "0104", "0108", "0109"]
    assert [row[-1] for row in rows[:3]] == ["2↓", "1↑", ""]
    assert "Status classes: 1 besser: 3, 2 schlechter: 2" in printed


def test_the_methods_file_of_the_setting(tmp_path: Path, settings: Any) -> None:
    methods = tmp_path / "stadt-methods.yaml"
    methods.write_text(STRICT.format(name="berlin-mss"), encoding="utf-8")
    settings.QUARTIER_METHODS_FILE = methods
    out = tmp_path / "result.csv"
    arguments = [str(german_csv(tmp_path)), *COLUMNS, "--out", str(out)]
    printed, _ = run_index(*arguments)
    assert "Status classes: 1 besser: 3, 2 schlechter: 2" in printed
    with pytest.raises(CommandError) as raised:
        run_index(*arguments, "--method", "streng")
    assert str(raised.value) == (
        "stadt-methods.yaml: no method 'streng'; the methods are berlin-mss (QUARTIER_METHODS_FILE)"
    )
    # --methods names another file than the setting.
    shipped = Path(indices.__file__).parent / "methods.yaml"
    printed, _ = run_index(*arguments, "--methods", str(shipped))
    assert "Status classes: 1 hoch: " in printed


@pytest.mark.shared_data
def test_berlin_2013_reproduces_table_1(shared_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "mss-2013.csv"
    printed, warnings = run_index(
        str(shared_data / "berlin-mss/mss_2013_table_2-1.csv"),
        "--id", "id", "--population", "inhabitants",
        "--status", ",".join(BERLIN_STATUS), "--dynamics", ",".join(BERLIN_DYNAMICS),
        "--exclude", "10010203", "--out", str(out),
    )  # fmt: skip
    assert warnings == ""
    assert printed.startswith(f"{out}: 434 of 447 areas indexed (berlin-mss)")
    result = read_table(out).frame
    assert result.columns[:-1] == HEADER.split(",")
    official = read_table(shared_data / "berlin-mss/mss_2013_table_1.csv").frame
    expected = {
        area: (str(int(float(status))), label, dynamics, combined)
        for area, status, label, dynamics, combined in official.select(
            "id", "status_index", "status_index_klasse", "dynamik_index_klasse",
            "status_dynamik_index",
        ).rows()
    }  # fmt: skip
    included = result.filter(result["included"] == "true")
    computed = {
        area: (status, label, dynamics, combined)
        for area, status, label, dynamics, combined in included.select(
            "id", "status_class", "status_label", "dynamics_label", "combined"
        ).rows()
    }
    assert computed == expected
    left = result.filter(result["included"] == "false")
    assert left.height == 13
    assert (left.select("status_index", "combined").to_series() == "").all()
    assert "01011102" in left["id"].to_list()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (["--status", "Arbeitslose"], r"^sozialindex.csv: no column 'Arbeitslose' \(numbers\)"),
        (["--id", "PLR"], r"^sozialindex.csv: no column 'PLR' \(area id\)"),
        (["--min-population", "1500"], r"^only 2 of 9 areas take part in the index"),
        (["--min-population", "-1"], r"^--min-population: min_population: must be 0 or more"),
        (["--method", "mss"], r"^methods.yaml: no method 'mss'; the methods are berlin-mss"),
        (["--method", "below-average"], r"'below-average' is a below-average method, not a"),
        (["--methods", "nothing.yaml"], r"^nothing.yaml: cannot read the methods"),
        (["--status", "Name"], r"line 2, column 'Name': 'Mitte' is not a number \(and 8 more"),
        (["--status", "Arbeitslose (%),Arbeitslose (%)"], r"'Arbeitslose \(%\)' is named twice"),
        (["--delimiter", "|"], r"--delimiter must be ';', ',' or 'tab'"),
        (
            ["--encoding", "utf-8"],
            r"not utf-8 \(byte 0x\w\w[^)]*\); give the encoding of the file "
            r"\(option --encoding\)$",
        ),
        (["--status", ", "], r"^at least one status and one dynamics indicator are needed"),
    ],
)
def test_bad_input(tmp_path: Path, change: list[str], message: str) -> None:
    arguments = [str(german_csv(tmp_path)), *COLUMNS, "--out", str(tmp_path / "r.csv"), *change]
    with pytest.raises(CommandError, match=message):
        run_index(*arguments)
    assert not (tmp_path / "r.csv").exists()


def test_text_in_a_number_column(tmp_path: Path) -> None:
    path = tmp_path / "sozialindex.csv"
    path.write_text(GERMAN.replace("0103;Süd;350", "0103;Süd;viele"), encoding="utf-8")
    with pytest.raises(
        CommandError,
        match=r"^sozialindex.csv, line 4, column 'Einwohner': 'viele' is not a number$",
    ):
        run_index(str(path), *COLUMNS, "--out", str(tmp_path / "r.csv"))


def test_missing_files(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"no such file"):
        run_index(str(tmp_path / "nothing.csv"), *COLUMNS, "--out", str(tmp_path / "r.csv"))
    table = str(german_csv(tmp_path))
    with pytest.raises(CommandError, match=r"^--out: the folder .*nowhere does not exist$"):
        run_index(table, *COLUMNS, "--out", str(tmp_path / "nowhere" / "r.csv"))


def test_an_out_path_that_is_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    arguments = [str(german_csv(tmp_path)), *COLUMNS, "--out", str(tmp_path)]
    with pytest.raises(SystemExit) as exit_info:
        main(["quartier", "index", *arguments])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.splitlines() == [
        f"CommandError: --out: {tmp_path} is a folder; give a file name, "
        f"e.g. {tmp_path / 'result.csv'}"
    ]
    with pytest.raises(SystemExit) as exit_info:
        main(["quartier", "index", *arguments[:-1], str(tmp_path / "nowhere" / "r.csv")])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.splitlines() == [
        f"CommandError: --out: the folder {tmp_path / 'nowhere'} does not exist"
    ]


def test_the_console_script_exits_non_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arguments = [str(german_csv(tmp_path)), *COLUMNS, "--out", str(tmp_path / "r.csv")]
    with pytest.raises(SystemExit) as exit_info:
        main(["quartier", "index", *arguments, "--method", "unknown"])
    assert exit_info.value.code == 1
    assert "no method 'unknown'" in capsys.readouterr().err


def test_a_workbook_and_a_german_csv_hold_the_same_result(tmp_path: Path) -> None:
    plain, workbook, german = tmp_path / "r.csv", tmp_path / "r.xlsx", tmp_path / "r.de.csv"
    table = str(german_csv(tmp_path))
    run_index(table, *COLUMNS, "--out", str(plain))
    run_index(table, *COLUMNS, "--out", str(workbook))
    run_index(table, *COLUMNS, "--out", str(german), "--format", "de")
    expected = [cells(line) for line in lines(plain)]
    sheet = openpyxl.load_workbook(workbook, read_only=True).active
    width = len(expected[0])
    # Empty cells at a row's end are not stored: the reader gives shorter rows.
    rows = [
        ["" if cell is None else cell for cell in row] + [""] * (width - len(row))
        for row in sheet.iter_rows(values_only=True)
    ]
    assert rows[0] == expected[0]
    assert isinstance(rows[1][0], str)  # ids stay text: leading zeros are kept
    assert [
        [_float(str(cell).lower() if isinstance(cell, bool) else str(cell)) for cell in row]
        for row in rows[1:]
    ] == [pytest.approx(row, abs=1e-12) for row in expected[1:]]
    text = german.read_bytes()
    assert text.startswith(b"\xef\xbb\xbf")
    written = text.decode("utf-8-sig").splitlines()
    assert written[0] == HEADER.replace(",", ";")
    german_rows = [
        [_float(cell.replace(",", ".")) for cell in line.split(";")] for line in written[1:]
    ]
    assert german_rows == [pytest.approx(row, abs=1e-12) for row in expected[1:]]
    assert any("," in cell for cell in written[1].split(";"))


def test_names_reasons_and_german_labels(tmp_path: Path) -> None:
    path = tmp_path / "sozialindex.csv"
    path.write_text(GERMAN.replace("0105;Ost;400;11,0;", "0105;Ost;400;-;"), encoding="utf-8")
    out = tmp_path / "ergebnis.csv"
    arguments = [str(path), *COLUMNS, "--name", "name", "--exclude", "0101", "--out", str(out)]
    run_index(*arguments, "--lang", "de", "--format", "de")
    written = out.read_text(encoding="utf-8-sig").splitlines()
    assert written[0] == (
        "Gebiet;Name;einbezogen;Grund;Statussumme;Statusindex;Statusklasse;Status;"
        "Dynamikindex;Dynamikklasse;Dynamik;Status/Dynamik"
    )
    rows = {line.split(";")[0]: line.split(";")[1:4] for line in written[1:]}
    assert rows == {
        "0101": ["Mitte", "nein", "von Hand ausgeschlossen"],
        "0102": ["Nord", "ja", ""],
        "0103": ["Süd", "ja", ""],
        "0104": ["West", "ja", ""],
        "0105": ["Ost", "nein", "kein Wert in Arbeitslose (%)"],
        "0106": ["Klein", "nein", "weniger als 300 Einwohner"],
        "0107": ["Hafen", "nein", "Einwohnerzahl fehlt"],
        "0108": ["Park", "ja", ""],
        "0109": ["Feld", "ja", ""],
    }
    run_index(*arguments)
    english = {line.split(",")[0]: line.split(",")[1:4] for line in lines(out)[1:]}
    assert english["0105"] == ["Ost", "false", "no value in Arbeitslose (%)"]
    assert english["0101"] == ["Mitte", "false", "excluded by hand"]
    assert lines(out)[0].startswith("id,name,included,reason,status_sum,")


def _ids_as_numbers(folder: Path) -> Path:
    """The German table in a workbook whose ids are numbers: 0101 became 101."""
    book = openpyxl.Workbook()
    sheet = book.active
    for number, row in enumerate(GERMAN.splitlines()):
        cells = row.split(";")
        area: float | str = cells[0] if number == 0 else float(cells[0])
        sheet.append([area, cells[1], *(_number(c) for c in cells[2:])])
    sheet.append([1010.0, "Rand", 700, 10.0, 0.0])
    path = folder / "sozialindex.xlsx"
    book.save(path)
    return path


def test_ids_that_lost_their_leading_zeros(tmp_path: Path) -> None:
    path, out = _ids_as_numbers(tmp_path), tmp_path / "result.csv"
    _, warnings = run_index(str(path), *COLUMNS, "--out", str(out))
    assert (
        "Warning: ids of 3 and 4 digits: leading zeros may have been lost (a spreadsheet stores "
        "0101 as 101); give the width of the ids to restore them (option --id-width)"
    ) in warnings.splitlines()
    run_index(str(path), *COLUMNS, "--id-width", "4", "--exclude", "102", "--out", str(out))
    rows = [line.split(",")[:3] for line in lines(out)[1:]]
    assert [row[0] for row in rows] == [f"010{n}" for n in range(1, 10)] + ["1010"]
    assert rows[1] == ["0102", "false", "excluded by hand"]
    with pytest.raises(
        CommandError,
        match=r"^sozialindex.xlsx, sheet 'Sheet', line 11, column 'Planungsraum': the id '1010' "
        r"has more than 3 digits; give the width of the longest id \(option --id-width\)$",
    ):
        run_index(str(path), *COLUMNS, "--id-width", "3", "--out", str(out))


def test_the_console_script_runs_it_without_the_apps(tmp_path: Path) -> None:
    """`quartier index` reads and writes files only: Django's apps are not set up for it."""
    out = tmp_path / "result.csv"
    arguments = [str(german_csv(tmp_path)), *COLUMNS, "--out", str(out)]
    probe = (
        "import sys, django.apps\n"
        "from quartier.cli import main\n"
        f"main(['quartier', 'index', *{arguments!r}])\n"
        "print('apps ready:', django.apps.apps.ready, 'models:', "
        "'quartier.monitoring.models' in sys.modules)\n"
    )
    env = {**os.environ, "QUARTIER_HOME": str(tmp_path), "DJANGO_SETTINGS_MODULE": ""}
    env.pop("DJANGO_SETTINGS_MODULE")
    result = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.splitlines()[-1] == "apps ready: False models: False"
    assert_expected(out)
