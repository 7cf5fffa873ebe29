// The clerk's page of the hangzhou_address service (issue #17). Plain JavaScript, nothing from the internet.
// Calls POST /v1/match and GET /v1/geometry with the key typed in the page (sessionStorage only, X-API-Key),
// and this page's own helpers /v1/page/ledger, /v1/page/translate, /v1/page/export.
"use strict";

(function () {
  const MAX_TEXTS = 1000;       // what /v1/match takes in one request
  const GEOMETRY_BATCH = 300;   // codes per /v1/geometry request (keeps the URL short)
  const REVIEW_BELOW = 0.9;     // confidence under this (or no code): a clerk checks the row
  const KEY_STORE = "hzaddr.apiKey";
  const RESULT_COLUMNS = ["code", "level", "confidence", "district_code", "town_code", "community_code", "reasons"];
  const SHOWN = ["row", "input", "code", "level", "confidence", "reasons"];

  const UI = {
    zh: {
      title: "杭州地址匹配", key: "API 密钥", key_hint: "密钥只保存在本标签页（sessionStorage），关闭后即清除。",
      texts: "地址（每行一条，最多 1,000 条）", ledger: "或上传台账（CSV / XLSX）", column: "地址列",
      fuzzy: "模糊匹配", match: "匹配", download_xlsx: "下载 Excel", download_csv: "下载 CSV", map: "地图",
      map_hint: "登记库自有的网格（轮廓）与楼栋（填色）；橙色为需人工核对的行。",
      synthetic: "说明：嵌入数据中村社以下（网格、楼栋、门牌）均为合成数据，仅供演示。",
      input: "地址", none: "未匹配", need_key: "请先输入 API 密钥。", no_texts: "没有要匹配的地址。",
      too_many: "一次最多 1,000 条地址。", matching: "匹配中…", done: "完成", failed: "出错：",
      summary: (n, r) => `共 ${n} 行，其中 ${r} 行需人工核对（置信度低于 0.9 或未匹配）。`,
      loaded: (n, t) => `已读入台账 ${n} 行` + (t ? `（只取前 ${n} 行，共 ${t} 行）` : "") + "。",
      no_column: "没有认出地址列，请选择。", map_empty: "这些结果没有可画的楼栋或网格。",
    },
    en: {
      title: "Hangzhou address matching", key: "API key",
      key_hint: "The key is kept in this tab only (sessionStorage) and is gone when the tab is closed.",
      texts: "Addresses (one per line, at most 1,000)", ledger: "or upload a ledger (CSV / XLSX)",
      column: "Address column", fuzzy: "Fuzzy matching", match: "Match", download_xlsx: "Download Excel",
      download_csv: "Download CSV", map: "Map",
      map_hint: "The registry's own grids (outlines) and buildings (filled); orange: rows to review.",
      synthetic: "Note: everything below community level in the embedded data (grids, buildings, door numbers) " +
        "is SYNTHETIC, for demonstration only.",
      input: "address", none: "none", need_key: "Type the API key first.", no_texts: "No address to match.",
      too_many: "At most 1,000 addresses at a time.", matching: "Matching…", done: "Done", failed: "Error: ",
      summary: (n, r) => `${n} rows, ${r} to review (confidence below 0.9 or no code).`,
      loaded: (n, t) => `Ledger read: ${n} rows` + (t ? ` (the first ${n} of ${t})` : "") + ".",
      no_column: "No address column recognised: choose one.", map_empty: "No building or grid to draw.",
    },
  };

  const state = { lang: "zh", labels: { columns_zh: {}, levels_zh: {} }, ledger: null, results: [],
                  reasonsZh: new Map(), features: [] };
  const $ = (id) => document.getElementById(id);

  function t(key) { return UI[state.lang][key]; }

  function status(text, error) {
    const s = $("status");
    s.textContent = text;
    s.className = error ? "error" : "";
  }

  function header(col) {
    if (col === "input") return t("input");
    if (state.lang === "zh") return state.labels.columns_zh[col] || col;
    return col;
  }

  function levelLabel(level) {
    if (!level) return t("none");
    return state.lang === "zh" ? (state.labels.levels_zh[level] || level) : level;
  }

  function reasonLabel(reason) {
    return state.lang === "zh" ? (state.reasonsZh.get(reason) || reason) : reason;
  }

  function isReview(r) { return !r.code || r.confidence < REVIEW_BELOW; }

  // ------------------------------------------------------------------ requests
  async function call(url, options) {
    const resp = await fetch(url, options);
    if (!resp.ok) {
      let detail = resp.status + " " + resp.statusText;
      try { const body = await resp.json(); if (body && body.detail) detail = typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail); } catch (e) { /* not JSON */ }
      throw new Error(detail);
    }
    return resp;
  }

  function keyHeaders() {
    return { "X-API-Key": $("key").value.trim() };
  }

  async function translateReasons(reasons) {
    const missing = [...new Set(reasons)].filter((r) => !state.reasonsZh.has(r));
    if (!missing.length) return;
    const resp = await call("/v1/page/translate", { method: "POST",
                                                    headers: Object.assign({ "Content-Type": "application/json" }, keyHeaders()),
                                                    body: JSON.stringify({ reasons: missing }) });
    const body = await resp.json();
    missing.forEach((r, i) => state.reasonsZh.set(r, body.reasons[i]));
  }

  // ------------------------------------------------------------------ the table
  function renderTable() {
    const thead = $("table").tHead, tbody = $("table").tBodies[0];
    thead.textContent = ""; tbody.textContent = "";
    const tr = thead.insertRow();
    for (const c of SHOWN) {
      const th = document.createElement("th");
      th.textContent = c === "row" ? header("row") : header(c);
      th.dataset.col = c;
      tr.appendChild(th);
    }
    state.results.forEach((r, i) => {
      const row = tbody.insertRow();
      row.dataset.code = r.code || "";
      if (isReview(r)) row.className = "review";
      for (const c of SHOWN) {
        const td = row.insertCell();
        td.dataset.col = c;
        if (c === "row") { td.textContent = String(i + 1); td.className = "num"; }
        else if (c === "input") td.textContent = r.input == null ? "" : String(r.input);
        else if (c === "code") { td.textContent = r.code || ""; td.className = "code"; }
        else if (c === "level") td.textContent = levelLabel(r.level);
        else if (c === "confidence") { td.textContent = Number(r.confidence).toFixed(3); td.className = "num"; }
        else if (c === "reasons") td.textContent = (r.reasons || []).map(reasonLabel).join(state.lang === "zh" ? "；" : "; ");
      }
    });
    const review = state.results.filter(isReview).length;
    $("summary").textContent = UI[state.lang].summary(state.results.length, review);
    $("results").hidden = state.results.length === 0;
  }

  // ------------------------------------------------------------------ the map (registry geometry as SVG)
  function rings(geom) {
    if (!geom) return [];
    if (geom.type === "Polygon") return [geom.coordinates];
    if (geom.type === "MultiPolygon") return geom.coordinates;
    return [];
  }

  function points(geom, out) {
    if (!geom) return out;
    const c = geom.coordinates;
    if (geom.type === "Point") out.push(c);
    else if (geom.type === "MultiPoint" || geom.type === "LineString") c.forEach((p) => out.push(p));
    else if (geom.type === "Polygon" || geom.type === "MultiLineString") c.forEach((r) => r.forEach((p) => out.push(p)));
    else if (geom.type === "MultiPolygon") c.forEach((poly) => poly.forEach((r) => r.forEach((p) => out.push(p))));
    return out;
  }

  function renderMap() {
    const svg = $("map"), NS = "http://www.w3.org/2000/svg";
    svg.textContent = "";
    const feats = state.features.filter((f) => f && f.geometry);
    $("map-section").hidden = state.results.length === 0;
    if (!feats.length) {
      const txt = document.createElementNS(NS, "text");
      txt.setAttribute("x", "20"); txt.setAttribute("y", "40"); txt.textContent = t("map_empty");
      svg.appendChild(txt);
      return;
    }
    const all = []; feats.forEach((f) => points(f.geometry, all));
    const meanLat = all.reduce((s, p) => s + p[1], 0) / all.length;
    const k = Math.cos(meanLat * Math.PI / 180);     // equirectangular around the mean latitude
    const xs = all.map((p) => p[0] * k), ys = all.map((p) => p[1]);
    let x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = Math.min(...ys), y1 = Math.max(...ys);
    const span = Math.max(x1 - x0, y1 - y0, 1e-4), pad = span * 0.05;
    x0 -= pad; x1 += pad; y0 -= pad; y1 += pad;
    const W = 800, H = Math.max(200, Math.min(700, Math.round(W * (y1 - y0) / Math.max(x1 - x0, 1e-9))));
    const s = Math.min(W / (x1 - x0), H / (y1 - y0));
    const px = (p) => ((p[0] * k - x0) * s).toFixed(1) + "," + ((y1 - p[1]) * s).toFixed(1);
    svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
    const review = new Set(state.results.filter(isReview).map((r) => r.code).filter(Boolean));
    const rowsOf = new Map(), labelAt = [];
    state.results.forEach((r, i) => { if (r.code) rowsOf.set(r.code, (rowsOf.get(r.code) || []).concat([i + 1])); });
    const layers = { grid: document.createElementNS(NS, "g"), building: document.createElementNS(NS, "g") };
    layers.grid.setAttribute("class", "grids"); layers.building.setAttribute("class", "buildings");
    svg.appendChild(layers.grid); svg.appendChild(layers.building);
    for (const f of feats) {
      const props = f.properties || {}, code = String(props.code || ""), level = props.level === "grid" ? "grid" : "building";
      const cls = level + (review.has(code) ? " review" : "");
      const polys = rings(f.geometry);
      let el;
      if (polys.length) {
        el = document.createElementNS(NS, "path");
        el.setAttribute("d", polys.map((poly) => poly.map((ring) => "M" + ring.map(px).join("L") + "Z").join("")).join(""));
        el.setAttribute("fill-rule", "evenodd");
      } else {
        const p = points(f.geometry, [])[0];
        if (!p) continue;
        const [cx, cy] = px(p).split(",");
        el = document.createElementNS(NS, "circle");
        el.setAttribute("cx", cx); el.setAttribute("cy", cy); el.setAttribute("r", "4");
      }
      el.setAttribute("class", cls);
      el.dataset.code = code;
      const title = document.createElementNS(NS, "title"); title.textContent = code; el.appendChild(title);
      layers[level].appendChild(el);
      if (level === "building" && rowsOf.has(code)) labelAt.push([el, rowsOf.get(code)]);
    }
    // the table's row numbers next to their buildings
    const labels = document.createElementNS(NS, "g"); labels.setAttribute("class", "labels"); svg.appendChild(labels);
    for (const [el, nums] of labelAt) {
      const b = el.getBBox();
      const txt = document.createElementNS(NS, "text");
      txt.setAttribute("class", "label");
      txt.setAttribute("x", (b.x + b.width + 4).toFixed(1)); txt.setAttribute("y", (b.y + b.height / 2 + 4).toFixed(1));
      txt.textContent = nums.length > 3 ? nums.slice(0, 3).join(",") + ",…" : nums.join(",");
      labels.appendChild(txt);
    }
  }

  async function loadGeometry() {
    const codes = new Set();
    for (const r of state.results) {
      if (!r.code) continue;
      if (r.level === "building") { codes.add(r.code); codes.add(r.code.slice(0, 15)); }  // and its grid
      else if (r.level === "grid") codes.add(r.code);
    }
    const list = [...codes].slice(0, MAX_TEXTS);
    state.features = [];
    for (let i = 0; i < list.length; i += GEOMETRY_BATCH) {
      const q = encodeURIComponent(list.slice(i, i + GEOMETRY_BATCH).join(","));
      const resp = await call("/v1/geometry?codes=" + q, { headers: keyHeaders() });
      const fc = await resp.json();
      state.features.push(...(fc.features || []));
    }
    renderMap();
  }

  // ------------------------------------------------------------------ actions
  function texts() {
    if (state.ledger && $("column").value) {
      const col = $("column").value;
      return state.ledger.rows.map((r) => r[col] == null ? "" : String(r[col]));
    }
    return $("texts").value.split(/\r?\n/).map((s) => s.trim()).filter((s) => s.length > 0);
  }

  async function match() {
    if (!$("key").value.trim()) { status(t("need_key"), true); $("key").focus(); return; }
    const items = texts();
    if (!items.length) { status(t("no_texts"), true); return; }
    if (items.length > MAX_TEXTS) { status(t("too_many"), true); return; }
    status(t("matching"));
    $("match").disabled = true;
    try {
      const resp = await call("/v1/match", { method: "POST",
        headers: Object.assign({ "Content-Type": "application/json" }, keyHeaders()),
        body: JSON.stringify({ texts: items, fuzzy: $("fuzzy").checked }) });
      const body = await resp.json();
      state.results = body.results || [];
      state.fromLedger = !!(state.ledger && $("column").value);
      await translateReasons(state.results.flatMap((r) => r.reasons || []));
      renderTable();
      $("download-xlsx").disabled = $("download-csv").disabled = state.results.length === 0;
      status(t("done"));
      await loadGeometry();
    } catch (e) {
      status(t("failed") + e.message, true);
    } finally {
      $("match").disabled = false;
    }
  }

  async function upload() {
    const file = $("ledger").files[0];
    if (!file) return;
    if (!$("key").value.trim()) { status(t("need_key"), true); $("key").focus(); $("ledger").value = ""; return; }
    const form = new FormData();
    form.append("file", file, file.name);
    try {
      const resp = await call("/v1/page/ledger", { method: "POST", headers: keyHeaders(), body: form });
      const body = await resp.json();
      state.ledger = body;
      const sel = $("column");
      sel.textContent = "";
      for (const c of body.columns) {
        const o = document.createElement("option"); o.value = c; o.textContent = c; sel.appendChild(o);
      }
      sel.value = body.address_column || "";
      $("column-label").hidden = false;
      status(UI[state.lang].loaded(body.rows.length, body.truncated ? body.total_rows : 0) +
             (body.address_column ? "" : " " + t("no_column")), !body.address_column);
    } catch (e) {
      state.ledger = null;
      status(t("failed") + e.message, true);
    }
  }

  function exportRows() {
    let columns, rows;
    if (state.fromLedger) {
      const own = state.ledger.columns.filter((c) => !RESULT_COLUMNS.includes(c));
      columns = own.concat(RESULT_COLUMNS);
      rows = state.results.map((r, i) => {
        const row = {};
        own.forEach((c) => { row[c] = state.ledger.rows[i][c]; });
        RESULT_COLUMNS.forEach((c) => { row[c] = r[c] === undefined ? null : r[c]; });
        return row;
      });
    } else {
      columns = ["input"].concat(RESULT_COLUMNS);
      rows = state.results.map((r) => {
        const row = { input: r.input };
        RESULT_COLUMNS.forEach((c) => { row[c] = r[c] === undefined ? null : r[c]; });
        return row;
      });
    }
    return { columns, rows };
  }

  async function download(fmt) {
    try {
      const body = Object.assign(exportRows(), { format: fmt, lang: state.lang });
      const resp = await call("/v1/page/export", { method: "POST",
                                                   headers: Object.assign({ "Content-Type": "application/json" }, keyHeaders()),
                                                   body: JSON.stringify(body) });
      const blob = await resp.blob();
      const a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = "hzaddr-results." + fmt;
      document.body.appendChild(a);
      a.click();
      setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 10000);
    } catch (e) {
      status(t("failed") + e.message, true);
    }
  }

  function setLang(lang) {
    state.lang = lang;
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
    document.title = t("title");
    document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
    document.querySelectorAll(".lang button").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.lang === lang)));
    if (state.results.length) renderTable();
  }

  async function init() {
    const key = $("key");
    try { key.value = sessionStorage.getItem(KEY_STORE) || ""; } catch (e) { /* storage disabled */ }
    key.addEventListener("input", () => { try { sessionStorage.setItem(KEY_STORE, key.value); } catch (e) { /* ignore */ } });
    $("match").addEventListener("click", match);
    $("ledger").addEventListener("change", upload);
    $("texts").addEventListener("input", () => {  // typing addresses again: the pasted lines are matched, not the ledger
      if (!state.ledger) return;
      state.ledger = null; $("ledger").value = ""; $("column-label").hidden = true;
    });
    $("download-xlsx").addEventListener("click", () => download("xlsx"));
    $("download-csv").addEventListener("click", () => download("csv"));
    document.querySelectorAll(".lang button").forEach((b) => b.addEventListener("click", () => setLang(b.dataset.lang)));
    try { state.labels = await (await call("/static/labels.json")).json(); } catch (e) { status(t("failed") + e.message, true); }
    setLang(state.lang);
    document.body.dataset.ready = "1";
  }

  document.addEventListener("DOMContentLoaded", init);
}());
