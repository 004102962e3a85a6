"""Generate docs/indicators.md from the indicator catalogue, so the docs cannot drift.

Run `make docs` after changing `src/quartier/analysis/catalogue/indicators.yaml`; a test fails while
docs/indicators.md is out of date.
"""

from __future__ import annotations

from quartier.analysis.catalogue import Catalogue, Indicator, formula, load_catalogue

INTRO = """\
# Indicator catalogue

Generated from `src/quartier/analysis/catalogue/indicators.yaml` by `make docs`; do not edit
by hand.
`quartier indicators` lists the same catalogue, merged with the city's own file.

## How indicators are computed

- Counts are summed up the area hierarchy from the lowest level that has data for a variable
  (statistischer Bezirk → Sozialraum → Stadtbezirk → city). Every rate is computed from the
  summed counts, never as an average of the rates of smaller areas.
- Published symbols: `-` (nothing) counts as 0. A secret (`.`), not applicable (`x`) or missing
  input makes the sums of every area above it null, and so every value computed from them; the
  value says why (`missing_reason`, e.g. "secret input sgb2 in 010203"). A zero denominator gives
  null as well.
- The city value is the reference: each value is compared with it (difference and ratio), ranked
  within its level and year (rank 1 = the most disadvantaged: the highest value unless a higher
  value is better), put in a decile (1 = the most disadvantaged tenth) and standardised (z-score:
  unweighted mean, population standard deviation). Changes are given against the year before and
  against five years before: in percentage points for rates in %, as plain differences for
  other rates, in percent for counts.
- Breakdown values: where the variables are broken down (age group, gender, nationality), an
  indicator is also computed per breakdown cell, for every combination of the dimensions that
  its terms do not restrict (the share of under-18s among women, among non-Germans, ...).
- `min. denominator` is the smallest denominator for publishing a value (disclosure control);
  smaller areas keep their value internally.

## Fields of an entry

| field | meaning |
|---|---|
| `key` | identifier (lowercase letters, digits, `_`) |
| `name_de`, `name_en` | German and English name |
| `domain` | the domain key (see the headings below) |
| `unit` | `%`, `‰`, `m²`, `Anzahl`, ... |
| `kind` | `rate` (default), `count` or `change` (see below) |
| `numerator`, `denominator` | one term or a list of terms, summed (see below) |
| `scale` | multiplier: 1, 100, 1000 |
| `polarity` | `higher_is_worse`, `higher_is_better` or `neutral` |
| `in_index` | whether the indicator enters composite indices and the selection of Aktionsräume |
| `min_denominator` | smallest denominator for publication |
| `years` | the span of a `change` |
| `decimals` | decimal places in exports (see below); default 0 for a `count` in `Anzahl`, else 1 |
| `definition`, `source` | German definition, data source |

`decimals` rounds the value, the city value, the difference to it and the changes in the German
CSV, XLSX and GeoJSON of `quartier export-values` (the plain CSV keeps full precision); changes
of a `count` are in percent and get at least one decimal.

Kinds: a `rate` is numerator / denominator × scale; a `count` is numerator × scale; a `change`
is (numerator / numerator `years` years earlier − 1) × scale. Counts and changes have no
denominator.

A term is a variable key, or part of a variable:
`{variable: einwohner, breakdown: {age_group: [0-5, 6-14, 15-17]}}` sums the records of
`einwohner` whose age group is one of the values listed.

A city adds indicators or replaces shipped ones with a file in the same format (sections
`domains` and `indicators`), set as `QUARTIER_INDICATORS_FILE` or passed as
`quartier indicators --catalogue FILE`: an entry with the key of a shipped indicator or domain
replaces it, a new key adds one. A section `disabled` lists shipped indicators the city leaves
out (`disabled: [anteil_80plus]`), for instance because its statistics office does not publish
what they need; `quartier catalogue-fit` says which indicators the imported data allow.
"""

COLUMNS = (
    "key",
    "name (de)",
    "name (en)",
    "unit",
    "formula",
    "scale",
    "polarity",
    "in index",
    "min. denominator",
    "decimals",
    "definition",
    "source",
)
POLARITY = {
    "higher_is_worse": "higher is worse",
    "higher_is_better": "higher is better",
    "neutral": "neutral",
}


def reference(catalogue: Catalogue | None = None) -> str:
    """The indicator reference as Markdown (the shipped catalogue by default)."""
    catalogue = catalogue or load_catalogue()
    parts = [INTRO]
    for domain in catalogue.domains:
        members = catalogue.in_domain(domain.key)
        if not members:
            continue
        parts.append(f"\n## {domain.name_de} (`{domain.key}`)\n\n{domain.name_en}.\n\n")
        parts.append("| " + " | ".join(COLUMNS) + " |\n")
        parts.append("|" + "---|" * len(COLUMNS) + "\n")
        parts.extend(_row(indicator) for indicator in members)
    return "".join(parts)


def _row(indicator: Indicator) -> str:
    cells = [
        f"`{indicator.key}`",
        indicator.name_de,
        indicator.name_en,
        indicator.unit,
        f"`{formula(indicator)}`",
        f"{indicator.scale:g}",
        POLARITY[indicator.polarity],
        "yes" if indicator.in_index else "no",
        f"{indicator.min_denominator:g}" if indicator.min_denominator else "–",
        str(indicator.decimals),
        indicator.definition,
        indicator.source or "–",
    ]
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |\n"


if __name__ == "__main__":
    print(reference(), end="")
