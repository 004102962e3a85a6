"""Method presets: the shipped file, a user's copy, and errors that name the file and key."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
import yaml

from quartier.analysis.indices import (
    METHODS_FILE,
    BelowAverageParams,
    BerlinMssParams,
    MethodError,
    below_average_params,
    berlin_mss_params,
    load_methods,
)

BERLIN = {
    "method": "berlin-mss",
    "min_population": 300,
    "status_cuts": [-1.0, 1.0, 1.5],
    "status_labels": ["hoch", "mittel", "niedrig", "sehr niedrig"],
    "dynamics_cuts": [-1.0, 1.0],
    "dynamics_labels": ["positiv", "stabil", "negativ"],
    "dynamics_symbols": ["+", "+/-", "-"],
    "combined_label": "Status {status}, Dynamik {dynamics}",
}
BELOW = {
    "method": "below-average",
    "min_domains": 3,
    "domain_share": 0.5,
    "aktionsraum_level": "sozialraum",
    "aktionsquartier_level": "statistischer_bezirk",
}


def write(folder: Path, content: object) -> Path:
    path = folder / "my-methods.yaml"
    path.write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")
    return path


def test_shipped_presets() -> None:
    presets = load_methods()
    assert list(presets) == ["berlin-mss", "below-average"]
    mss = presets["berlin-mss"]
    assert isinstance(mss, BerlinMssParams)
    assert (mss.name, mss.min_population) == ("berlin-mss", 300.0)
    assert mss.status_cuts == (-1.0, 1.0, 1.5)
    assert mss.status_labels == ("hoch", "mittel", "niedrig", "sehr niedrig")
    assert mss.dynamics_cuts == (-1.0, 1.0)
    assert mss.dynamics_labels == ("positiv", "stabil", "negativ")
    assert mss.dynamics_symbols == ("+", "+/-", "-")
    assert mss.combined_label == "Status {status}, Dynamik {dynamics}"
    assert "Monitoring Soziale Stadtentwicklung" in mss.description
    assert below_average_params() == BelowAverageParams(
        name="below-average",
        description=presets["below-average"].description,
        min_domains=3,
        domain_share=0.5,
        aktionsraum_level="sozialraum",
        aktionsquartier_level="statistischer_bezirk",
    )
    assert berlin_mss_params() == mss


HAMBURG = """
hamburg:
  method: berlin-mss
  min_population: 500
  status_cuts: [-1, 1]
  status_labels: [gut, mittel, schlecht, sehr schlecht]
  dynamics_cuts: [0]
  dynamics_labels: [besser, schlechter]
  dynamics_symbols: ["+", "-"]
  combined_label: "{status}/{dynamics}"
"""


def test_an_edited_copy_of_the_shipped_file(tmp_path: Path) -> None:
    path = tmp_path / "methods.yaml"
    shutil.copy(METHODS_FILE, path)
    shipped = path.read_text(encoding="utf-8")
    path.write_text(shipped.replace("min_population: 300", "min_population: 250") + HAMBURG)
    with pytest.raises(
        MethodError, match=r"^methods.yaml, line 42, hamburg.status_labels: 3 entries"
    ):
        load_methods(path)
    path.write_text(path.read_text().replace(", sehr schlecht]", "]"))
    assert berlin_mss_params(path=path).min_population == 250.0
    hamburg = berlin_mss_params("hamburg", path=path)
    assert (hamburg.status_cuts, hamburg.dynamics_cuts) == ((-1.0, 1.0), (0.0,))
    assert hamburg.status_labels == ("gut", "mittel", "schlecht")


def test_the_kind_defaults_to_the_entry_name(tmp_path: Path) -> None:
    entry = {key: value for key, value in BERLIN.items() if key != "method"}
    assert berlin_mss_params(path=write(tmp_path, {"berlin-mss": entry})).description == ""


@pytest.mark.parametrize(
    ("change", "message"),
    [
        # The file lists the keys sorted (yaml.safe_dump): x on line 1, combined_label on 2,
        # dynamics_cuts on 3, dynamics_labels on 6, dynamics_symbols on 10, method on 14,
        # min_population on 15, status_cuts on 16, status_labels on 20.
        ({"status_cuts": [1.0, -1.0, 1.5]},
         r"line 16, x.status_cuts: the cuts must be strictly ascending, not \[1.0, -1.0, 1.5\]$"),
        ({"status_cuts": [-1.0, -1.0, 1.5]},
         r"line 16, x.status_cuts: the cuts must be strictly ascending"),
        ({"status_cuts": []}, r"line 16, x.status_cuts: at least one cut"),
        ({"status_cuts": [-1, "1", 1.5]},
         r"line 18, x.status_cuts \(item 2\): must be a number, not '1'$"),
        ({"status_cuts": [-1, True, 1.5]},
         r"line 18, x.status_cuts \(item 2\): must be a number, not True$"),
        ({"status_cuts": 1.5}, r"line 16, x.status_cuts: must be a list, not 1.5$"),
        ({"dynamics_cuts": [-1.0, float("inf")]},
         r"line 3, x.dynamics_cuts: the cuts must be finite"),
        ({"status_labels": ["a", "b", "c"]}, r"line 20, x.status_labels: 4 entries .* not 3"),
        ({"dynamics_labels": ["a", "b", "c", "d"]},
         r"line 6, x.dynamics_labels: 3 entries .* not 4"),
        ({"dynamics_symbols": ["+", "-"]}, r"line 10, x.dynamics_symbols: 3 entries .* not 2"),
        ({"dynamics_symbols": ["+", "+", "-"]},
         r"line 10, x.dynamics_symbols: the entries must differ"),
        ({"status_labels": ["a", "", "c", "d"]}, r"line 20, x.status_labels: .* non-empty"),
        ({"min_population": -1}, r"line 15, x.min_population: must be 0 or more, not -1.0$"),
        ({"min_population": "300"}, r"line 15, x.min_population: must be a number, not '300'$"),
        ({"combined_label": "{status} / {klasse}"},
         r"line 2, x.combined_label: unknown field \{klasse\}"),
        ({"combined_label": "{status"}, r"line 2, x.combined_label: not a valid template"),
        ({"status_cut": [1]}, r"line 16, x: unknown key 'status_cut' \(the keys are method, "
         r"description, min_population, status_cuts, status_labels, dynamics_cuts, "
         r"dynamics_labels, dynamics_symbols, combined_label\)$"),
        ({"status_cuts": None}, r"line 1, x: the key 'status_cuts' is missing$"),
        ({"method": "berlin"},
         r"line 14, x.method: unknown method 'berlin'; the methods are berlin-mss, below-average$"),
    ],
)  # fmt: skip
def test_invalid_berlin_presets(tmp_path: Path, change: dict[str, object], message: str) -> None:
    path = write(tmp_path, {"x": {**BERLIN, **change}})
    with pytest.raises(MethodError, match=rf"^my-methods.yaml, {message}"):
        load_methods(path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        # Sorted keys: aktionsquartier_level on line 2, aktionsraum_level on 3, domain_share
        # on 4, method on 5, min_domains on 6.
        ({"min_domains": 0}, r"line 6, x.min_domains: must be at least 1, not 0$"),
        ({"min_domains": 2.5}, r"line 6, x.min_domains: must be a whole number, not 2.5$"),
        ({"min_domains": True}, r"line 6, x.min_domains: must be a whole number, not True$"),
        ({"domain_share": 0},
         r"line 4, x.domain_share: must be more than 0 and at most 1, not 0.0$"),
        ({"domain_share": 1.5}, r"line 4, x.domain_share: must be more than 0 and at most 1"),
        ({"aktionsraum_level": " "}, r"line 3, x.aktionsraum_level: must be a non-empty text$"),
        ({"aktionsquartier_level": 3},
         r"line 2, x.aktionsquartier_level: must be a text, not 3$"),
    ],
)  # fmt: skip
def test_invalid_below_average_presets(
    tmp_path: Path, change: dict[str, object], message: str
) -> None:
    path = write(tmp_path, {"x": {**BELOW, **change}})
    with pytest.raises(MethodError, match=rf"^my-methods.yaml, {message}"):
        load_methods(path)


@pytest.mark.parametrize(("k", "share"), [(1, 1.0), (12, 0.01)])
def test_limits_of_below_average(tmp_path: Path, k: int, share: float) -> None:
    path = write(tmp_path, {"x": {**BELOW, "min_domains": k, "domain_share": share}})
    params = below_average_params("x", path=path)
    assert (params.min_domains, params.domain_share) == (k, share)


def test_a_method_of_the_wrong_kind_or_name(tmp_path: Path) -> None:
    with pytest.raises(MethodError, match=r"methods.yaml: 'below-average' is a below-average"):
        berlin_mss_params("below-average")
    with pytest.raises(MethodError, match=r"'berlin-mss' is a berlin-mss method, not a below"):
        below_average_params("berlin-mss")
    with pytest.raises(
        MethodError, match=r"methods.yaml: no method 'mss'; the methods are berlin-mss, below-av"
    ):
        berlin_mss_params("mss")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: [1, 2", r"^bad.yaml, line 1: not a valid UTF-8 YAML file \(while parsing a flow "
         r"sequence on line 1, expected ',' or ']', but got '<stream end>'\)$"),
        ("- 1\n- 2\n", r"^bad.yaml, line 1: the file must name methods with their parameters$"),
        ("{}\n", r"^bad.yaml, line 1: the file must name methods with their parameters$"),
        ("", r"^bad.yaml: the file is empty$"),
        ("x: 3\n", r"^bad.yaml, line 1, x: the parameters must be a set of keys and values$"),
        ("x:\n  method: [a]\n", r"^bad.yaml, line 2, x.method: unknown method \['a'\]"),
        ("x: {}\nx: {}\n", r"^bad.yaml, line 2: the key 'x' is given twice \(first on line 1\)$"),
    ],
)  # fmt: skip
def test_unreadable_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MethodError, match=message):
        load_methods(path)


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(
        MethodError, match=r"nothing.yaml: cannot read the methods \(No such file or directory\)$"
    ):
        load_methods(tmp_path / "nothing.yaml")


def test_parameters_are_checked_when_changed_in_code() -> None:
    params = berlin_mss_params()
    with pytest.raises(MethodError, match=r"^status_cuts: the cuts must be strictly ascending"):
        dataclasses.replace(params, status_cuts=(1.0, 0.0, 2.0))
    with pytest.raises(MethodError, match=r"^min_population: must be 0 or more"):
        dataclasses.replace(params, min_population=float("nan"))
    assert dataclasses.replace(params, min_population=0).min_population == 0
