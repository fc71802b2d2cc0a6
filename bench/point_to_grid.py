"""Point -> grid for 1,000,000 random points over the city-scale grids: our STRtree index
against PostGIS ST_Contains with a GiST index on the same polygons, in the same run.

    createdb -h 127.0.0.1 -U postgres jiceng_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiceng_bench uv run jiceng migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiceng_bench uv run python bench/point_to_grid.py

Ours: from two numpy arrays of coordinates to an array of grid codes (GridIndex.locate_many),
index already built (it is built once per process). The two are timed in alternation. Reference: from a table of the same points
(loaded with COPY beforehand, not timed) to (point id, grid code) rows of a join
`ST_Contains(grid.geom, point.geom)` with a GiST index on the grids, fetched to the client.
Budget (issue 2): ours at least 3 times PostGIS's throughput.
"""

from __future__ import annotations

import io
import json
import sys

from harness import Report, measure_pair, setup_django

POINTS = 1_000_000
CODE = "990101"


def main() -> int:
    setup_django()
    import numpy as np
    from django.db import connection
    from shapely.geometry import shape

    from jiceng.geo.lookup import GridIndex
    from jiceng.geo.models import Division
    from jiceng.geo.services import build_synthetic_district

    if connection.vendor != "postgresql":
        print("needs PostgreSQL with PostGIS: set DATABASE_URL")
        return 2
    if not Division.objects.filter(code=CODE).exists():
        build_synthetic_district(
            code=CODE, name="基准区"
        )  # 10 streets, 100 communities, 1,000 grids
    grids = Division.objects.filter(level="grid", code__startswith=CODE)
    rows = list(grids.values_list("code", "boundary"))
    district = shape(Division.objects.get(code=CODE).boundary)
    rng = np.random.default_rng(42)
    minx, miny, maxx, maxy = district.bounds
    lons, lats = rng.uniform(minx, maxx, POINTS), rng.uniform(miny, maxy, POINTS)

    with connection.cursor() as c:
        c.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        c.execute("DROP TABLE IF EXISTS bench_grid, bench_point")
        c.execute(
            "CREATE TABLE bench_grid (code varchar(15) PRIMARY KEY, geom geometry(Polygon, 4326))"
        )
        c.executemany(
            "INSERT INTO bench_grid VALUES (%s, ST_SetSRID(ST_GeomFromGeoJSON(%s), 4326))",
            [(code, json.dumps(b)) for code, b in rows],
        )
        c.execute("CREATE INDEX bench_grid_geom ON bench_grid USING gist (geom)")
        c.execute(
            "CREATE UNLOGGED TABLE bench_point (id integer PRIMARY KEY, geom geometry(Point, 4326))"
        )
        buf = io.StringIO()
        for i, (x, y) in enumerate(zip(lons, lats, strict=True)):
            buf.write(f"{i}\tSRID=4326;POINT({x:.9f} {y:.9f})\n")
        with c.cursor.copy("COPY bench_point (id, geom) FROM STDIN") as copy:
            copy.write(buf.getvalue())
        c.execute("ANALYZE bench_grid")
        c.execute("ANALYZE bench_point")

    def postgis():
        with connection.cursor() as c:
            c.execute(
                "SELECT p.id, g.code FROM bench_point p JOIN bench_grid g "
                "ON ST_Contains(g.geom, p.geom)"
            )
            return c.fetchall()

    index = GridIndex([r[0] for r in rows], [shape(r[1]) for r in rows])
    found = index.locate_many(lons, lats)
    reference = dict(postgis())
    sample = rng.integers(0, POINTS, 20_000)
    agree = sum(1 for i in sample if reference.get(int(i), "") == found[i]) / len(sample)

    # In alternation (ours, PostGIS, ours, ...), so that other work on a shared machine falls
    # on both alike.
    ours, ref = measure_pair(
        ("GridIndex.locate_many (STRtree)", lambda: index.locate_many(lons, lats)),
        ("PostGIS ST_Contains + GiST", postgis),
        repeat=5,
        warmup=1,
    )
    ours.items = ref.items = POINTS
    report = Report("point_to_grid")
    ratio = ours.throughput / ref.throughput
    report.compare(ours, ref, budget="ours >= 3x PostGIS throughput", passed=ratio >= 3)
    report.notes = {
        "points": POINTS,
        "grids": len(rows),
        "inside": int((found != "").sum()),
        "agreement_with_postgis_on_20k_sample": round(agree, 5),
    }
    report.print()
    report.save()
    with connection.cursor() as c:
        c.execute("DROP TABLE IF EXISTS bench_grid, bench_point")
    return 0 if ratio >= 3 else 1


if __name__ == "__main__":
    sys.exit(main())
