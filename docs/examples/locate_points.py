"""Notebook-style example: locate a batch of GPS points and plot them over the (SYNTHETIC) grids.

Run: python docs/examples/locate_points.py  -> writes docs/img/locate_example.png
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import hangzhou_address as hz  # noqa: E402
from hangzhou_address.coords import wgs84_to_gcj02  # noqa: E402
from hangzhou_address.spatial import locate_frame  # noqa: E402

reg = hz.default_registry()
grids = reg.grids
town = "330106005"  # 西湖区 翠苑街道 (real name; its grids are synthetic)
g = grids[grids["code"].str.startswith(town)]

# 300 "GPS fixes" from a phone app that reports GCJ-02 (Amap) coordinates
rng = np.random.default_rng(7)
minx, miny, maxx, maxy = g.total_bounds
lon = rng.uniform(minx - 0.003, maxx + 0.003, 300)
lat = rng.uniform(miny - 0.003, maxy + 0.003, 300)
gx, gy = wgs84_to_gcj02(lon, lat)
points = pd.DataFrame({"lon": gx, "lat": gy})

located = locate_frame(points, x="lon", y="lat", crs="GCJ02", registry=reg)
print(located[["grid_code", "community_name", "town_name", "locate_reason"]].head())
print(located["town_name"].value_counts(dropna=False))

fig, ax = plt.subplots(figsize=(8, 8))
g.plot(ax=ax, facecolor="none", edgecolor="0.6", linewidth=0.5)
reg.division_areas.query("level == 'community' and code.str.startswith(@town)").plot(
    ax=ax, facecolor="none", edgecolor="black", linewidth=1.2)
inside = located["town_name"] == "翠苑街道"
ax.scatter(lon[inside], lat[inside], s=8, c="tab:blue", label="located in town 330106005")
ax.scatter(lon[~inside], lat[~inside], s=8, c="tab:red", label="elsewhere / outside")
ax.set_title("locate_frame(): 300 GCJ-02 points over synthetic grids of 330106005")
ax.legend(loc="lower left")
ax.set_xlabel("longitude (CGCS2000)")
ax.set_ylabel("latitude")
fig.savefig("docs/img/locate_example.png", dpi=80, bbox_inches="tight")
