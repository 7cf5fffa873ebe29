"""The seed scenario of the lifecycle page: re-draw the grids of 武林街道 (330105013) ×1.45.

Run: python docs/examples/regrid_wulin.py  -> prints the figures of docs/lifecycle.md and writes
docs/img/regrid_wulin.png (old grids grey, new grids blue, communities black).
The grids, buildings and households of the embedded city are SYNTHETIC (the divisions are real).
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

import hangzhou_address as hz  # noqa: E402
from hangzhou_address import lifecycle as lc  # noqa: E402
from hangzhou_address.io._atomic import atomic_path  # noqa: E402

TOWN = "330105013"
reg = hz.default_registry()
new = lc.subdivide_grids(reg, TOWN, factor=1.45)
cs = lc.regrid(reg, TOWN, new, date="2024-03-01", reason="片区治理: 网格细分")
reg2 = reg.apply(cs)
print(cs.describe())


def town_grids(r, status):
    g = r.grids
    return g[g["code"].str.startswith(TOWN) & (g["status"] == status)]


before, after = town_grids(reg, "active"), town_grids(reg2, "active")
per = pd.DataFrame({
    "grids before": before.groupby("community_code").size(),
    "grids after": after.groupby("community_code").size(),
    "households": before.groupby("community_code")["households"].sum(),
    "households after": after.groupby("community_code")["households"].sum(),
    "min/max per grid before": before.groupby("community_code")["households"].agg(lambda s: f"{s.min()}/{s.max()}"),
    "min/max per grid after": after.groupby("community_code")["households"].agg(lambda s: f"{s.min()}/{s.max()}"),
})
per.insert(0, "community", [reg.name_of(c) for c in per.index])
print(per.to_string())
print(f"grids {len(before)} -> {len(after)}; households {before['households'].sum()} -> {after['households'].sum()}")

lin = cs.lineage
b_lin = lin[lin["old_code"].str.len() == 20]
g_lin = lin[lin["old_code"].str.len() == 15]
print(f"lineage rows: {len(lin)} ({len(g_lin)} grid → grid, {len(b_lin)} building → building)")
print(g_lin.head(4).to_string(index=False))

# a small ledger of old codes, upgraded against the new version
ledger = list(b_lin["old_code"].iloc[:3]) + [g_lin["old_code"].iloc[0], "33010501300100100013", "330105013999001"]
print(lc.upgrade_codes(ledger, registry=reg2).to_string(index=False))

fig, ax = plt.subplots(figsize=(8, 8))
town_grids(reg2, "retired").plot(ax=ax, facecolor="none", edgecolor="0.55", linewidth=2.2)
after.plot(ax=ax, facecolor="none", edgecolor="tab:blue", linewidth=0.8, linestyle="--")
reg.division_areas.query("level == 'community' and code.str.startswith(@TOWN)").plot(
    ax=ax, facecolor="none", edgecolor="black", linewidth=1.4)
b = reg2.buildings
b = b[b["code"].str.startswith(TOWN)]
ax.scatter(b["x"], b["y"], s=5, c="tab:red", zorder=3)
ax.set_title(f"regrid 330105013 (SYNTHETIC grids): {len(before)} old grids (grey) -> {len(after)} new (blue dashed)\n"
             f"black: communities, red: {len(b)} buildings re-coded")
ax.set_xlabel("longitude (CGCS2000)")
ax.set_ylabel("latitude")
with atomic_path("docs/img/regrid_wulin.png") as tmp:
    fig.savefig(tmp, dpi=80, bbox_inches="tight", format="png")
print("wrote docs/img/regrid_wulin.png")
