"""Regenerate countries.json (ISO 3166-1 alpha-2 code -> short English name).

Source: Debian's iso-codes package (/usr/share/iso-codes/json/iso_3166-1.json), using the
common name where it has one, with a few short forms people use in everyday English.
Run: python cities/data/build_countries.py
"""

import json
from pathlib import Path

SOURCE = Path("/usr/share/iso-codes/json/iso_3166-1.json")
TARGET = Path(__file__).with_name("countries.json")
SHORT_FORMS = {
    "RU": "Russia",
    "VA": "Vatican City",
    "CD": "Democratic Republic of the Congo",
    "CG": "Republic of the Congo",
    "FM": "Micronesia",
    "PS": "Palestine",
    "BN": "Brunei",
}


def main():
    entries = json.loads(SOURCE.read_text(encoding="utf-8"))["3166-1"]
    names = {
        entry["alpha_2"]: SHORT_FORMS.get(entry["alpha_2"], entry.get("common_name", entry["name"]))
        for entry in entries
    }
    ordered = dict(sorted(names.items(), key=lambda item: item[1]))
    TARGET.write_text(json.dumps(ordered, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
