// carebird inbox: the care team works the queue here, keyboard first. Customer text is untrusted: it is only ever
// set with textContent (never innerHTML), and the page's Content-Security-Policy allows this script alone.
"use strict";

const API = "/inbox/api";
// The queue refreshes every 15 s while it changes and backs off to 20, 30, 45, then 60 s while it stays the same; the
// agent's return (the window focused, the tab shown again, a key, a click) brings it back to 15 s, at once when what
// is shown is 15 s old or more; nothing while the tab is hidden. An unchanged refresh is a 304 (docs/performance.md).
const REFRESH_STEPS_MS = [15000, 20000, 30000, 45000, 60000];
const QUEUE_REQUEST_TIMEOUT_MS = 30000;  // the API's own limit (an HTTP API integration answers within 30 s)
const CLOCK_FIELDS = new Set(["effective", "waiting_minutes", "due_in_minutes", "due_text", "waiting_calendar_minutes"]);
const body = document.body;
const AUTH_URL = body.dataset.authUrl || "";
const CLIENT_ID = body.dataset.clientId || "";
const view = document.getElementById("view");
const session = new BroadcastChannel("carebird.session");  // same origin only: the tabs of this browser
const polling = { timer: null, step: 0, at: 0, busy: false, shown: "" };  // the queue's refresh (above)
let started = false;
let routeSeq = 0;  // each navigation's number: an answer arriving after the agent moved on draws nothing
let team = { me: null, members: [] };
const SHORTCUTS = [
  ["j / k", "next / previous case in the queue"], ["Enter", "open the selected case"], ["x", "select the case for a bulk action"],
  ["c", "claim the case"], ["r", "write the answer"], ["t", "pick a template"], ["Ctrl+Enter", "send the answer"],
  ["n", "write a note"], ["e", "close the case"], ["p", "pending: waiting on the customer"], ["#", "noise"],
  ["g", "back to the queue"], ["/", "search"], ["?", "this sheet"], ["Esc", "leave a text field"],
];

// --- small DOM helpers (text only) -----------------------------------------------------------------------------
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "text") node.textContent = String(value);
    else if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}
function flash(text) {
  const box = document.getElementById("flash");
  box.textContent = text;
  setTimeout(() => { if (box.textContent === text) box.textContent = ""; }, 6000);
}
function minutes(value) {
  if (value === null || value === undefined) return "–";
  const m = Math.round(value), h = Math.floor(Math.abs(m) / 60), d = Math.floor(h / 24);
  if (d) return `${m < 0 ? "-" : ""}${d} d ${h % 24} h`;
  return (m < 0 ? "-" : "") + (h ? `${h} h ${Math.abs(m) % 60} min` : `${Math.abs(m)} min`);
}
function when(iso) { return iso ? new Date(iso).toLocaleString() : ""; }
function nonce() { return Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, "0")).join(""); }
function heading(text) { return el("h1", { tabindex: "-1", text }); }
function focusHeading() { const h = view.querySelector("h1"); if (h) h.focus(); }
function stateBox(kind, text, retry) {
  return el("div", { class: `state ${kind}`, id: "state", role: kind === "error" ? "alert" : "status" },
    el("span", { text }), retry ? el("button", { type: "button", id: "retry", onclick: retry, text: "Retry" }) : null);
}

// --- the session: sessionStorage per tab, handed to a new tab of this browser over BroadcastChannel ----------------
// The token never goes to localStorage: it lives in the memory of this browser's tabs and dies with the last one.
function token() { return sessionStorage.getItem("carebird.token"); }
function me() { return sessionStorage.getItem("carebird.agent") || ""; }
function signedIn(name, value) {
  sessionStorage.setItem("carebird.token", value);
  sessionStorage.setItem("carebird.agent", name);
}
session.onmessage = (event) => {
  const message = event.data || {};
  if (message.type === "need-session" && token()) session.postMessage({ type: "session", token: token(), agent: me() });
  if (message.type === "session" && !token() && message.token) { signedIn(message.agent, message.token); start(); }
  if (message.type === "sign-out") { sessionStorage.clear(); location.reload(); }
};
function askOtherTabs() {
  return new Promise((resolve) => {
    if (token()) { resolve(true); return; }
    session.postMessage({ type: "need-session" });
    setTimeout(() => resolve(Boolean(token())), 400);
  });
}
function signOut() {
  sessionStorage.clear();
  session.postMessage({ type: "sign-out" });
  if (AUTH_URL) {
    location.href = `${AUTH_URL}/logout?client_id=${encodeURIComponent(CLIENT_ID)}&logout_uri=${encodeURIComponent(home())}`;
  } else {
    location.hash = "";
    location.reload();
  }
}
function home() { return location.origin + location.pathname; }
function base64url(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
async function cognitoSignIn() {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const challenge = base64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  sessionStorage.setItem("carebird.pkce", verifier);
  sessionStorage.setItem("carebird.state", state);
  sessionStorage.setItem("carebird.return", location.hash || "");
  const query = new URLSearchParams({
    response_type: "code", client_id: CLIENT_ID, redirect_uri: home(), scope: "openid email",
    code_challenge_method: "S256", code_challenge: challenge, state,
  });
  location.href = `${AUTH_URL}/oauth2/authorize?${query}`;
}
async function finishCognitoSignIn(params) {
  const stored = sessionStorage.getItem("carebird.state");
  const verifier = sessionStorage.getItem("carebird.pkce");
  sessionStorage.removeItem("carebird.state");
  sessionStorage.removeItem("carebird.pkce");
  history.replaceState(null, "", home() + (sessionStorage.getItem("carebird.return") || ""));
  // A code this tab did not ask for (no stored state, or another one) is refused: no login CSRF.
  if (!stored || !verifier || params.get("state") !== stored) throw new Error("sign-in refused: this tab did not start it");
  const response = await fetch(`${AUTH_URL}/oauth2/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code", client_id: CLIENT_ID, code: params.get("code"), redirect_uri: home(),
      code_verifier: verifier,
    }),
  });
  if (!response.ok) throw new Error("sign-in failed");
  const tokens = await response.json();
  const claims = JSON.parse(atob(tokens.id_token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
  signedIn(claims.email || claims["cognito:username"], tokens.id_token);
}
async function devSignIn(event) {
  event.preventDefault();
  const name = document.getElementById("dev-name").value.trim();
  const lead = document.getElementById("dev-lead").checked;
  const response = await fetch("/inbox/dev/sign-in", {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ name, lead, passphrase: document.getElementById("dev-passphrase").value }),
  });
  if (!response.ok) { flash("development sign-in is only available locally (carebird serve)"); return; }
  signedIn(name, (await response.json()).token);
  start();
}
function showSignIn() {
  document.getElementById("sign-in").hidden = false;
  document.getElementById("nav").hidden = true;
  view.replaceChildren();
  if (AUTH_URL) {
    document.getElementById("sign-in-help").textContent = "Team members only: your invitation e-mail has your first password.";
    const button = document.getElementById("cognito-sign-in");
    button.hidden = false;
    button.onclick = cognitoSignIn;
  } else {
    document.getElementById("sign-in-help").textContent = "Local development: pick any agent name (no password).";
    const form = document.getElementById("dev-sign-in");
    form.hidden = false;
    form.onsubmit = devSignIn;
  }
  document.getElementById("sign-in-title").focus();
}

// --- API -------------------------------------------------------------------------------------------------------
async function api(path, payload, etag, timeoutMs) {
  const options = { headers: { Authorization: `Bearer ${token()}` }, cache: "no-store" };
  const controller = new AbortController();  // on the page's own clock: a request on a socket gone stale never answers
  const timer = timeoutMs ? setTimeout(() => controller.abort(new Error(`no answer in ${timeoutMs / 1000} s`)), timeoutMs) : null;
  options.signal = controller.signal;
  if (etag) options.headers["If-None-Match"] = etag;
  if (payload !== undefined) {
    options.method = "POST";
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(payload);
  }
  const response = await fetch(`${API}/${path}`, options);
  const data = response.status === 304 ? null : await response.json().catch(() => ({}));
  clearTimeout(timer);
  if (data === null) return { unchanged: true };
  if (response.status === 401 || (response.status === 403 && data.signed_out)) {
    sessionStorage.removeItem("carebird.token");
    showSignIn();
    if (data.error) flash(data.error);
    throw Object.assign(new Error("signed out"), { status: response.status });
  }
  if (!response.ok) throw Object.assign(new Error(data.error || data.message || `error ${response.status}`), { data, status: response.status });
  if (etag !== undefined) data.etag = response.headers.get("ETag");
  return data;
}
async function loadTeam() {
  try { team = await api("team"); } catch (error) { team = { me: { agent: me(), role: "agent" }, members: [] }; }
}

// --- the queue: views with counts, keyboard selection, bulk actions ----------------------------------------------
const VIEWS = [["waiting", "Waiting"], ["mine", "Mine"], ["unassigned", "Unassigned"], ["pending", "Pending"],
  ["answered", "Answered"], ["escalated", "Escalated"], ["noise", "Noise"], ["praise", "Praise"], ["closed", "Closed"]];
const CHANNELS = ["", "mention", "reply", "quote", "dm", "citation", "topic"];
const EMPTY = { waiting: "Nothing waiting: every customer has an answer.", mine: "No case of yours is waiting.",
  unassigned: "Every waiting case has an agent." };
const filters = { view: "waiting", channel: "", tag: "", band: "" };
const queueState = { rows: [], etag: null, statuses: {}, counts: null, cursor: 0, selected: new Set() };

function seen() { try { return JSON.parse(localStorage.getItem("carebird.seen") || "{}"); } catch { return {}; } }
function markSeen(id, at) {  // what this browser has opened: not a secret, so localStorage is fine
  const all = seen(); all[id] = at || new Date().toISOString();
  const keys = Object.keys(all); if (keys.length > 2000) delete all[keys[0]];
  localStorage.setItem("carebird.seen", JSON.stringify(all));
}
function unread(row) { const at = seen()[row.id]; return !at || (row.last_activity_at && row.last_activity_at > at); }

function labelled(id, label, control) {
  return el("span", { class: "field" }, el("label", { for: id, text: label }), control);
}
function select(id, values, current, onchange, label) {
  return labelled(id, label, el("select", { id, onchange },
    ...values.map(([v, text]) => el("option", { value: v, text, selected: v === current }))));
}
async function showQueue() {
  queueState.etag = null;
  const views = el("div", { id: "views", role: "tablist", "aria-label": "Views" });
  const tbody = el("tbody", { id: "queue-rows" });
  const bulk = el("div", { id: "bulk", class: "bulk", hidden: true, role: "region", "aria-label": "Bulk actions" });
  const counts = queueState.counts || { channel: {}, tag: {}, band: {} };
  view.replaceChildren(
    heading("Queue"),
    views,
    el("div", { class: "filters" },
      select("channel-filter", CHANNELS.map((c) => [c, c || "all channels"]), filters.channel,
        (e) => { filters.channel = e.target.value; refreshQueue(true); }, "Channel"),
      select("tag-filter", [["", "all tags"], ...Object.keys(counts.tag || {}).sort().map((t) => [t, `#${t}`])], filters.tag,
        (e) => { filters.tag = e.target.value; refreshQueue(true); }, "Tag"),
      select("band-filter", [["", "all bands"], ["urgent", "urgent"], ["normal", "normal"]], filters.band,
        (e) => { filters.band = e.target.value; refreshQueue(true); }, "Band"),
      el("span", { id: "queue-updated", class: "muted", "aria-live": "off" })),
    bulk,
    el("table", { id: "queue", class: "cards" },
      el("caption", { class: "sr-only", text: "Cases, most urgent first" }),
      el("thead", {}, el("tr", {},
        el("th", { scope: "col" }, el("input", { type: "checkbox", id: "select-all", "aria-label": "Select every case shown", onchange: (e) => selectAll(e.target.checked) })),
        ...["Priority", "Case", "Customer", "Channel", "Status", "Waiting", "SLA", "Why", "Agent"].map((h) => el("th", { scope: "col", text: h })))),
      tbody),
    el("div", { id: "queue-state" }, stateBox("loading", "Loading the queue…")));
  renderViews();
  await refreshQueue(true);
  loadCounts();
}
function scheduleRefresh() {
  clearTimeout(polling.timer);
  polling.timer = null;
  if (polling.busy || document.visibilityState !== "visible" || !document.getElementById("queue-rows")) return;
  const wait = Math.max(0, polling.at + REFRESH_STEPS_MS[polling.step] - Date.now());
  polling.timer = setTimeout(() => refreshQueue(false), wait);
}
function agentIsHere() { polling.step = 0; scheduleRefresh(); }
// what the queue shows, less what only the clock moves (waiting times, aged priorities): a refresh that changes
// nothing else keeps backing off
function queueShown(rows) { return JSON.stringify(rows, (key, value) => (CLOCK_FIELDS.has(key) ? undefined : value)); }
function renderViews() {
  const views = document.getElementById("views");
  if (!views) return;
  const c = queueState.counts || {};
  const number = (key) => (key in c ? c[key] : queueState.statuses[key]);
  views.replaceChildren(...VIEWS.map(([key, label]) => {
    const count = number(key);
    return el("button", { type: "button", role: "tab", id: `view-${key}`, "aria-selected": String(filters.view === key),
      class: filters.view === key ? "view active" : "view", onclick: () => { filters.view = key; queueState.cursor = 0; refreshQueue(true); renderViews(); loadCounts(); } },
      el("span", { text: label }), el("span", { class: "count", text: count === undefined ? "" : ` ${count}` }));
  }));
}
async function loadCounts() {
  try { queueState.statuses = (await api("counts")).statuses || {}; renderViews(); } catch (error) { /* the views still work */ }
}
async function refreshQueue(reset) {
  const box = document.getElementById("queue-state");
  if (!box) return;
  const seq = routeSeq;
  const query = new URLSearchParams({ view: filters.view });
  for (const key of ["channel", "tag", "band"]) if (filters[key]) query.set(key, filters[key]);
  if (reset) { queueState.etag = null; polling.step = 0; box.replaceChildren(stateBox("loading", "Loading the queue…")); }
  let data;
  clearTimeout(polling.timer);
  polling.busy = true;
  polling.at = Date.now();  // the next refresh counts from this one's request
  try {
    // bounded: the next refresh waits for this one, so a request that never answers would stop them all
    data = await api(`queue?${query}`, undefined, reset ? "" : queueState.etag || "", QUEUE_REQUEST_TIMEOUT_MS);
    if (seq !== routeSeq) return;
  } catch (error) {
    if (error.message === "signed out" || seq !== routeSeq) return;
    document.getElementById("queue-rows").replaceChildren();
    queueState.etag = null;  // the rows are gone: the next refresh must bring them back, not a 304
    box.replaceChildren(stateBox("error", `The queue could not be loaded: ${error.message}`, () => refreshQueue(true)));
    polling.busy = false;
    scheduleRefresh();
    return;
  } finally {
    polling.busy = false;
  }
  const stamp = document.getElementById("queue-updated");
  if (stamp) stamp.textContent = `updated ${new Date().toLocaleTimeString()}`;
  const shown = data.unchanged ? polling.shown : queueShown(data.cases);
  polling.step = shown === polling.shown ? Math.min(polling.step + 1, REFRESH_STEPS_MS.length - 1) : 0;
  polling.shown = shown;
  scheduleRefresh();
  if (data.unchanged) return;
  queueState.etag = data.etag;
  queueState.rows = data.cases;
  if (data.counts) { queueState.counts = data.counts; renderViews(); }
  for (const id of [...queueState.selected]) if (!data.cases.some((r) => r.id === id)) queueState.selected.delete(id);
  renderRows();
}
function renderRows() {
  const tbody = document.getElementById("queue-rows");
  const box = document.getElementById("queue-state");
  if (!tbody) return;
  const rows = queueState.rows;
  queueState.cursor = Math.min(queueState.cursor, Math.max(0, rows.length - 1));
  tbody.replaceChildren(...rows.map((row, i) => queueRow(row, i)));
  const filtered = filters.channel || filters.tag || filters.band;
  box.replaceChildren(rows.length ? "" : stateBox("empty", filtered ? "No case matches these filters." : (EMPTY[filters.view] || `No ${filters.view} case in the last 30 days.`)));
  renderBulk();
}
function sla(row) {
  if (!row.due_text) return el("span", { class: "muted", text: "–" });
  const late = row.due_in_minutes <= 0;
  return el("span", { class: late ? "overdue" : "due", title: row.due_at ? `due ${when(row.due_at)}` : null, text: row.due_text });
}
function queueRow(row, index) {
  const open = () => { location.hash = `#/case/${encodeURIComponent(row.id)}`; };
  const isNew = unread(row);
  const check = el("input", { type: "checkbox", class: "pick", "aria-label": `Select ${row.ref}`, checked: queueState.selected.has(row.id),
    onclick: (e) => e.stopPropagation(), onchange: (e) => { toggle(row.id, e.target.checked); } });
  const classes = [row.claimed_by ? "claimed" : "", index === queueState.cursor ? "current" : "", isNew ? "unread" : ""].join(" ").trim();
  return el("tr", { "data-case": row.id, class: classes, "aria-selected": String(index === queueState.cursor), onclick: open },
    el("td", { "data-label": "Select" }, check),
    el("td", { "data-label": "Priority", text: row.effective ?? row.priority }),
    el("td", { "data-label": "Case" }, el("a", { href: `#/case/${encodeURIComponent(row.id)}`, text: row.ref }),
      isNew ? el("span", { class: "badge new", text: "new" }) : null),
    el("td", { "data-label": "Customer" }, el("span", { text: `@${row.author}` }), row.verified ? el("span", { class: "badge", text: "verified" }) : null,
      el("div", { class: "preview", lang: row.lang || null, text: row.preview }),
      row.tags.length ? el("div", { class: "tags" }, ...row.tags.map((t) => el("span", { class: "tag", text: `#${t}` }))) : null),
    el("td", { "data-label": "Channel", text: row.channel }),
    el("td", { "data-label": "Status" }, el("span", { class: "badge", text: row.status }), row.band === "urgent" ? el("span", { class: "badge urgent", text: "urgent" }) : null),
    el("td", { "data-label": "Waiting", text: row.waiting ? `${minutes(row.waiting_minutes)} open · ${minutes(row.waiting_calendar_minutes)} clock` : "–" }),
    el("td", { "data-label": "SLA" }, sla(row)),
    el("td", { "data-label": "Why", text: row.reasons.slice(0, 3).join("; ") }),
    el("td", { "data-label": "Agent", class: "agent", text: row.claimed_by || "" }));
}
function moveCursor(step) {
  if (!queueState.rows.length) return;
  queueState.cursor = Math.max(0, Math.min(queueState.rows.length - 1, queueState.cursor + step));
  const rows = document.querySelectorAll("#queue-rows tr[data-case]");
  rows.forEach((tr, i) => { tr.classList.toggle("current", i === queueState.cursor); tr.setAttribute("aria-selected", String(i === queueState.cursor)); });
  const link = rows[queueState.cursor]?.querySelector("a");
  if (link) link.focus();
}
function toggle(id, on) { if (on) queueState.selected.add(id); else queueState.selected.delete(id); renderBulk(); }
function selectAll(on) {
  for (const row of queueState.rows) toggle(row.id, on);
  document.querySelectorAll("#queue-rows .pick").forEach((box) => { box.checked = on; });
}
function renderBulk() {
  const bar = document.getElementById("bulk");
  if (!bar) return;
  const count = queueState.selected.size;
  bar.hidden = count === 0;
  if (!count) { bar.replaceChildren(); return; }
  const assignee = el("select", { id: "bulk-assignee" }, el("option", { value: "", text: "colleague…" }),
    ...team.members.map((m) => el("option", { value: m.agent, text: m.agent })));
  const tag = el("input", { id: "bulk-tag", maxlength: 32 });
  bar.replaceChildren(
    el("strong", { id: "bulk-count", text: `${count} selected` }),
    el("button", { type: "button", id: "bulk-noise", onclick: () => bulkAction("noise", { noise: true }), text: "Noise" }),
    el("button", { type: "button", id: "bulk-close", onclick: () => bulkAction("close"), text: "Close" }),
    labelled("bulk-assignee", "Assign to", assignee),
    el("button", { type: "button", id: "bulk-assign", onclick: () => assignee.value ? bulkAction("assign", { agent: assignee.value }) : flash("pick a colleague first"), text: "Assign" }),
    labelled("bulk-tag", "Tag", tag),
    el("button", { type: "button", id: "bulk-tag-button", onclick: () => bulkAction("tag", { add: [tag.value] }), text: "Add tag" }),
    el("button", { type: "button", id: "bulk-clear", onclick: () => { queueState.selected.clear(); renderRows(); }, text: "Clear selection" }));
}
async function bulkAction(action, extra) {
  const cases = [...queueState.selected];
  try {
    const result = await api("bulk", { action, cases, ...(extra || {}) });
    queueState.selected.clear();
    const refused = result.refused.length ? `; ${result.refused.length} refused (${result.refused.map((r) => r.error).join("; ")})` : "";
    flash(`${action}: ${result.done.length} case(s) done${refused}`);
    await refreshQueue(true);
    loadCounts();
  } catch (error) { flash(error.message); }
}

// --- a case: the whole thread, claims, the answer ---------------------------------------------------------------
let currentCase = null;
async function showCase(caseId) {
  const seq = routeSeq;
  if (!currentCase || currentCase.id !== caseId) view.replaceChildren(stateBox("loading", "Loading the case…"));
  let data;
  try {
    data = await api(`cases/${encodeURIComponent(caseId)}`);
    if (seq !== routeSeq) return;
  } catch (error) {
    if (error.message === "signed out" || seq !== routeSeq) return;
    currentCase = null;
    if (error.status === 404) {
      view.replaceChildren(heading("No such case"), el("p", { id: "not-found", text: `There is no case ${caseId}.` }), el("a", { href: "#/queue", text: "Back to the queue" }));
    } else {
      view.replaceChildren(heading("Case"), stateBox("error", `The case could not be loaded: ${error.message}`, () => showCase(caseId)));
    }
    focusHeading();
    return;
  }
  currentCase = data;
  markSeen(data.id, data.last_activity_at);
  renderCase(data);
}
function threadEntry(entry) {
  if (entry.kind === "message") {
    const who = entry.direction === "out" ? `@${entry.author} · sent by ${entry.sent_by}` : `@${entry.author}`;
    return el("li", { class: `message ${entry.direction}` },
      el("div", { class: "meta", text: `${entry.direction === "out" ? "Brand" : "Customer"} · ${who} · ${entry.channel} · ${when(entry.at)}${entry.deleted ? " · deleted" : ""}` }),
      el("div", { class: "text", lang: entry.lang || null, text: entry.text }));
  }
  if (entry.kind === "acknowledgement") {
    return el("li", { class: "message out" }, el("div", { class: "meta", text: `Brand · @${entry.author} · sent by ${entry.sent_by} · ${entry.via} · ${when(entry.at)}` }),
      el("div", { class: "text muted", text: "(out-of-hours acknowledgement; its words were not kept)" }));
  }
  if (entry.kind === "note") {
    return el("li", { class: "note" }, el("div", { class: "meta", text: `Internal note · ${entry.agent} · ${when(entry.at)}` }), el("div", { class: "text", text: entry.detail }));
  }
  const source = entry.source ? ` (${entry.source})` : "";
  return el("li", { class: "activity muted", text: `${when(entry.at)} · ${entry.agent}${source}: ${entry.action}${entry.detail ? ` ${entry.detail}` : ""}` });
}
function renderCase(data) {
  const mine = me();
  const isLead = team.me && team.me.role === "lead";
  const theirs = Boolean(data.claimed_by && data.claimed_by !== mine);
  const needsConfirm = ["answered", "pending", "closed"].includes(data.status);
  const claimBox = el("p", { id: "claim", class: theirs ? "overdue" : "muted",
    text: data.claimed_by ? (theirs ? `${data.claimed_by} is working on this case` : "You are working on this case") : "Nobody is working on this case" });
  const draft = el("textarea", { id: "draft", maxlength: 10000, disabled: theirs || !data.answerable, "aria-describedby": "counter advice" });
  const counter = el("span", { id: "counter", class: "muted", "aria-live": "polite" });
  const advice = el("ul", { id: "advice", class: "advice" });
  const usable = data.templates.filter((t) => t.text);
  const templates = el("ul", { id: "templates", class: "templates", "aria-label": "Templates" },
    ...usable.map((t) => el("li", {}, el("button", { type: "button", class: "template", "data-name": t.name, disabled: theirs || !data.answerable,
      onclick: () => { draft.value = t.text; coach(); draft.focus(); } },
      el("strong", { text: t.name.replace(/_/g, " ") }), el("span", { class: "preview", lang: data.lang || null, text: t.text })))));
  let byDm = !data.public_reply;
  let pending = null;
  let answerNonce = nonce();
  async function coach() {
    clearTimeout(pending);
    pending = setTimeout(async () => {
      try {
        const report = await api("coach", { text: draft.value, case_id: data.id, by_dm: byDm });
        counter.textContent = `${report.weighted_length}/${report.limit}`;
        counter.className = report.too_long ? "overdue" : "muted";
        advice.replaceChildren(...report.advice.map((a) => el("li", { class: a.applied ? "applied" : "", text: `${a.applied ? "✓" : "•"} ${a.rule}: ${a.message}` })));
      } catch (error) { /* advice is a help, never a blocker */ }
    }, 250);
  }
  draft.addEventListener("input", () => { answerNonce = nonce(); coach(); });
  async function act(path, payload, done) {
    const seq = routeSeq;
    try {
      await api(`cases/${encodeURIComponent(data.id)}/${path}`, payload || {});
      flash(done);
      if (seq === routeSeq) await showCase(data.id);  // still on this case: draw it as it is now
    } catch (error) { if (error.message !== "signed out") flash(error.message); }
  }
  const confirmBox = el("label", { class: "inline", hidden: !needsConfirm },
    el("input", { type: "checkbox", id: "confirm" }), ` This case is ${data.status}: answer it anyway`);
  async function send(dm) {
    byDm = dm;
    const confirm = document.getElementById("confirm").checked;
    const buttons = [document.getElementById("send-public"), document.getElementById("send-dm")];
    buttons.forEach((b) => { if (b) b.disabled = true; });
    try {
      const result = await api(`cases/${encodeURIComponent(data.id)}/reply`, { text: draft.value, by_dm: dm, nonce: answerNonce, confirm });
      flash(result.repeated ? result.message : `Sent by ${result.via}: ${result.message}`);
      nextCase(data.id);
    } catch (error) {
      if (error.message === "signed out") return;
      if (error.data && error.data.confirm) { confirmBox.hidden = false; document.getElementById("confirm").focus(); }
      flash(error.message);
      buttons.forEach((b) => { if (b) b.disabled = false; });
    }
  }
  const assignee = el("select", { id: "assign-to", disabled: theirs && !isLead },
    el("option", { value: "", text: "colleague…" }), ...team.members.filter((m) => m.agent !== mine).map((m) => el("option", { value: m.agent, text: m.agent })));
  const actions = el("div", { class: "actions", role: "group", "aria-label": "Case actions" },
    el("button", { id: "claim-button", type: "button", disabled: theirs, "aria-keyshortcuts": "c", onclick: () => act("claim", {}, "Claimed"), text: data.claimed_by === mine ? "Renew claim" : "Claim" }),
    theirs && isLead ? el("button", { id: "take-over-button", type: "button", onclick: () => act("take-over", {}, "Taken over"), text: `Take over from ${data.claimed_by}` }) : null,
    (data.claimed_by === mine || (theirs && isLead)) ? el("button", { id: "release-button", type: "button", onclick: () => act("release", {}, "Released"), text: "Release" }) : null,
    labelled("assign-to", "Assign to", assignee),
    el("button", { id: "assign-button", type: "button", disabled: theirs && !isLead, onclick: () => assignee.value ? act("assign", { agent: assignee.value }, `Assigned to ${assignee.value}`) : flash("pick a colleague first"), text: "Assign" }),
    el("button", { id: "pending-button", type: "button", disabled: theirs || ["pending", "closed", "noise"].includes(data.status), "aria-keyshortcuts": "p", onclick: () => act("pending", {}, "Pending: waiting on the customer"), text: "Pending" }),
    el("button", { id: "close-button", type: "button", disabled: theirs || data.status === "closed", "aria-keyshortcuts": "e", onclick: () => act("close", {}, "Closed"), text: "Close" }),
    el("button", { id: "noise-button", type: "button", disabled: theirs, "aria-keyshortcuts": "#", onclick: () => act("noise", { noise: data.status !== "noise" }, "Updated"), text: data.status === "noise" ? "Not noise" : "Noise" }),
    el("button", { id: "urgent-button", type: "button", disabled: theirs, onclick: () => act("urgent", { urgent: data.band !== "urgent" }, "Updated"), text: data.band === "urgent" ? "Not urgent" : "Urgent" }));
  const tagInput = el("input", { id: "tag-input", maxlength: 32 });
  const tags = el("div", { id: "tags", class: "tags" },
    ...data.tags.map((t) => el("button", { type: "button", class: "tag", "aria-label": `Remove tag ${t}`, onclick: () => act("tag", { remove: [t] }, `#${t} removed`), text: `#${t} ×` })),
    labelled("tag-input", "Add a tag", tagInput),
    el("button", { type: "button", id: "add-tag", onclick: () => act("tag", { add: [tagInput.value] }, "Tagged"), text: "Add tag" }));
  const replyBox = el("div", { id: "reply" },
    el("h2", { text: "Answer" }),
    el("h3", { class: "small", id: "templates-title", text: usable.length ? "Templates that fit now" : "No template fits now" }), templates,
    el("label", { for: "draft", text: `Your answer (${data.public_reply ? "public reply in the thread" : "direct message"})` }), draft,
    confirmBox,
    el("div", { class: "actions" },
      el("button", { id: "send-public", class: "primary", type: "button", disabled: theirs || !data.public_reply, onclick: () => send(false), text: "Reply publicly" }),
      el("button", { id: "send-dm", type: "button", disabled: theirs || !data.answerable, onclick: () => send(true), text: "Send by DM" }),
      counter),
    advice);
  const note = el("textarea", { id: "note", class: "short" });
  const notes = el("div", { id: "notes" },
    el("label", { for: "note", text: "Internal note (never sent to the customer)" }), note,
    el("button", { id: "add-note", type: "button", onclick: () => act("notes", { text: note.value }, "Note added"), text: "Add note" }));
  const customer = data.customer;
  view.replaceChildren(
    heading(`${data.ref} · @${customer.handle}`),
    el("p", { class: "muted", id: "case-status" }, `${data.status} · ${data.channel} · priority ${data.effective ?? data.priority} · waiting ${minutes(data.waiting_minutes)} open (${minutes(data.waiting_calendar_minutes)} by the clock) · `, sla(data)),
    claimBox, actions, tags,
    el("div", { class: "case" },
      el("div", {}, el("h2", { text: "Conversation" }), el("ol", { id: "conversation", class: "thread" }, ...data.thread.map(threadEntry)),
        data.answerable ? replyBox : el("p", { class: "overdue", text: data.why_not_answerable }), notes),
      el("aside", {},
        el("h2", { text: "Customer" }),
        el("p", { text: `${customer.name} (@${customer.handle})` }),
        el("p", { class: "muted", text: `${customer.followers} followers${customer.verified ? " · verified" : ""}` }),
        data.automation && data.automation.opted_out_at
          ? el("p", { id: "opted-out", text: `Opted out of automated messages ${when(data.automation.opted_out_at)}: carebird sends them nothing by itself` })
          : null,
        el("h3", { text: "Why here" }), el("ul", {}, ...data.reasons.map((r) => el("li", { text: r }))),
        el("h3", { text: "Previous cases" }),
        customer.previous_cases.length
          ? el("ul", {}, ...customer.previous_cases.map((c) => el("li", {}, el("a", { href: `#/case/${encodeURIComponent(c.id)}`, text: c.ref }), el("span", { class: "muted", text: ` ${c.status} · ${when(c.opened_at)}` }))))
          : el("p", { class: "muted", text: "none: a first contact" }),
        el("p", {}, el("a", { href: data.link, rel: "noopener noreferrer", target: "_blank", text: "Open on X" })))));
  focusHeading();
}
function nextCase(doneId) {
  const rest = queueState.rows.filter((r) => r.id !== doneId);
  const next = rest[Math.min(queueState.cursor, rest.length - 1)];
  location.hash = next ? `#/case/${encodeURIComponent(next.id)}` : "#/queue";
}

// --- search and KPIs -------------------------------------------------------------------------------------------
function showSearch() {
  const input = el("input", { id: "search-input", type: "search", maxlength: 100, placeholder: "fibre, @handle, CB-…" });
  const results = el("tbody", { id: "search-results" });
  const status = el("div", { id: "search-state" });
  const form = el("form", { role: "search", onsubmit: async (e) => {
    e.preventDefault();
    status.replaceChildren(stateBox("loading", "Searching…"));
    try {
      const data = await api(`search?q=${encodeURIComponent(input.value)}`);
      results.replaceChildren(...data.cases.map((row, i) => queueRow(row, i)));
      status.replaceChildren(data.cases.length
        ? stateBox("done", `${data.cases.length} case(s) for “${data.query}”`)
        : stateBox("empty", `No results for “${data.query}” in the ${data.read} cases of the last ${data.days} days.`));
    } catch (error) { if (error.message !== "signed out") status.replaceChildren(stateBox("error", error.message, () => form.requestSubmit())); }
  } }, labelled("search-input", "Search the brand's cases (words, notes, @handle, reference)", input), el("button", { type: "submit", text: "Search" }));
  view.replaceChildren(heading("Search cases"), form, status,
    el("table", { class: "cards", id: "search-table" }, el("caption", { class: "sr-only", text: "Search results" }),
      el("thead", {}, el("tr", {}, ...["Select", "Priority", "Case", "Customer", "Channel", "Status", "Waiting", "SLA", "Why", "Agent"].map((h) => el("th", { scope: "col", text: h })))), results));
  input.focus();
}
async function showKpi() {
  const seq = routeSeq;
  view.replaceChildren(heading("KPIs"), stateBox("loading", "Loading the figures…"));
  let data;
  try { data = await api("kpi?days=7"); if (seq !== routeSeq) return; } catch (error) {
    if (error.message === "signed out" || seq !== routeSeq) return;
    view.replaceChildren(heading("KPIs"), stateBox("error", `The figures could not be loaded: ${error.message}`, showKpi));
    return;
  }
  const svgNS = "http://www.w3.org/2000/svg";
  const width = 640, height = 180, max = Math.max(1, ...data.by_day.map((d) => d.total));
  const chart = document.createElementNS(svgNS, "svg");
  chart.setAttribute("class", "chart"); chart.setAttribute("viewBox", `0 0 ${width} ${height + 30}`); chart.setAttribute("id", "kpi-chart");
  chart.setAttribute("role", "img"); chart.setAttribute("aria-label", `Cases per day: ${data.by_day.map((d) => `${d.day} ${d.total}`).join(", ")}`);
  const step = width / Math.max(1, data.by_day.length);
  const channels = [...new Set(data.by_day.flatMap((d) => Object.keys(d.channels)))].sort();
  data.by_day.forEach((d, i) => {
    let top = height;
    for (const channel of channels) {
      const count = d.channels[channel] || 0;
      if (!count) continue;
      const h = (count / max) * height;
      top -= h;
      const bar = document.createElementNS(svgNS, "rect");
      bar.setAttribute("x", i * step + 4); bar.setAttribute("y", top); bar.setAttribute("width", step - 8); bar.setAttribute("height", h);
      bar.setAttribute("class", `channel-${channels.indexOf(channel) % 6}`);
      const title = document.createElementNS(svgNS, "title");
      title.textContent = `${d.day}: ${channel} ${count}`;
      bar.append(title);
      chart.append(bar);
    }
    const label = document.createElementNS(svgNS, "text");
    label.setAttribute("x", i * step + 4); label.setAttribute("y", height + 16); label.textContent = `${d.day.slice(5)} · ${d.total}`;
    chart.append(label);
  });
  const legend = el("p", { id: "kpi-legend" }, ...channels.map((c, i) => el("span", { class: `legend channel-${i % 6}`, text: c })));
  const card = (label, value) => el("div", {}, el("strong", { text: value }), el("span", { class: "muted", text: label }));
  const agents = el("table", { id: "per-agent" }, el("caption", { text: `First responses per agent${data.per_agent_precision ? ` (medians ${data.per_agent_precision})` : ""}` }),
    el("thead", {}, el("tr", {}, ...["Agent", "Answered first", "Median (opening)", "Median (clock)"].map((h) => el("th", { scope: "col", text: h })))),
    el("tbody", {}, ...(data.per_agent.length ? data.per_agent.map((a) => el("tr", {}, el("td", { text: a.agent }), el("td", { text: a.answered }),
      el("td", { text: minutes(a.median_first_response_minutes) }), el("td", { text: minutes(a.median_first_response_calendar_minutes) })))
      : [el("tr", {}, el("td", { colspan: 4, text: "No first response in these days yet." }))])));
  view.replaceChildren(
    heading(`Last ${data.days} days`),
    el("p", { class: "muted", text: `Cases opened from ${when(data.since)} to now that needed an answer; ${data.noise} noise and ${data.praise} praise left out. First response counts opening minutes of the desk, and minutes of the clock from the customer's message${data.first_response_precision ? `, ${data.first_response_precision}` : ""}.` }),
    el("div", { class: "kpis", id: "kpis" },
      card("cases", data.cases), card("answered", data.answered),
      card("first response, median (opening min)", minutes(data.median_first_response_minutes)),
      card("first response, median (clock)", minutes(data.median_first_response_calendar_minutes)),
      card("first response, 90th percentile (opening)", minutes(data.p90_first_response_minutes)),
      card("first response, 90th percentile (clock)", minutes(data.p90_first_response_calendar_minutes)),
      card(`SLA breaches (${data.sla_minutes} opening min)`, data.breaches), card("escalated", data.escalated)),
    agents,
    el("h2", { text: "Cases by day and channel" }), chart, legend,
    el("p", { class: "muted", text: `By channel: ${Object.entries(data.by_channel).map(([k, v]) => `${k} ${v}`).join(", ") || "none"}` }));
  focusHeading();
}

// --- keyboard ---------------------------------------------------------------------------------------------------
function showHelp() {
  const dialog = document.getElementById("help");
  document.getElementById("help-keys").replaceChildren(...SHORTCUTS.flatMap(([key, what]) => [el("dt", {}, el("kbd", { text: key })), el("dd", { text: what })]));
  if (!dialog.open) dialog.showModal();
  document.getElementById("help-close").focus();
}
function typing(target) { return target && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName)); }
function click(id) { const button = document.getElementById(id); if (button && !button.disabled) button.click(); }
document.addEventListener("keydown", (event) => {
  if (!token() || event.altKey || event.metaKey) return;
  const page = (location.hash || "#/queue").split("/")[1] || "queue";
  if (event.key === "Escape" && typing(event.target)) { event.target.blur(); focusHeading(); return; }
  if (event.key === "Enter" && event.ctrlKey && event.target.id === "draft") {
    event.preventDefault();
    click(currentCase && currentCase.public_reply ? "send-public" : "send-dm");
    return;
  }
  if (typing(event.target) || event.ctrlKey || document.getElementById("help").open) return;
  const key = event.key;
  const handled = () => event.preventDefault();
  if (key === "?") { handled(); showHelp(); return; }
  if (key === "/") { handled(); location.hash = "#/search"; return; }
  if (key === "g") { handled(); location.hash = "#/queue"; return; }
  if (page === "queue" || page === "") {
    if (key === "j") { handled(); moveCursor(1); }
    else if (key === "k") { handled(); moveCursor(-1); }
    else if (key === "Enter" && event.target.tagName !== "BUTTON" && event.target.tagName !== "A") {
      const row = queueState.rows[queueState.cursor]; if (row) { handled(); location.hash = `#/case/${encodeURIComponent(row.id)}`; }
    } else if (key === "x") {
      const row = queueState.rows[queueState.cursor];
      if (row) { handled(); toggle(row.id, !queueState.selected.has(row.id)); renderRows(); moveCursor(0); }
    } else if (key === "#" && queueState.selected.size) { handled(); bulkAction("noise", { noise: true }); }
    else if (key === "e" && queueState.selected.size) { handled(); bulkAction("close"); }
    return;
  }
  if (page === "case") {
    if (key === "c") { handled(); click("claim-button"); }
    else if (key === "r") { handled(); const d = document.getElementById("draft"); if (d && !d.disabled) d.focus(); }
    else if (key === "t") { handled(); const t = document.querySelector("#templates button:not([disabled])"); if (t) t.focus(); }
    else if (key === "n") { handled(); const n = document.getElementById("note"); if (n) n.focus(); }
    else if (key === "e") { handled(); click("close-button"); }
    else if (key === "p") { handled(); click("pending-button"); }
    else if (key === "#") { handled(); click("noise-button"); }
    else if (key === "j" || key === "k") {
      handled();
      const index = queueState.rows.findIndex((r) => currentCase && r.id === currentCase.id);
      const next = queueState.rows[index + (key === "j" ? 1 : -1)];
      if (next) { queueState.cursor = index + (key === "j" ? 1 : -1); location.hash = `#/case/${encodeURIComponent(next.id)}`; }
    }
  }
});

// --- the automation banner: X stopped carebird's own posting (GET /api/automation) -------------------------------
async function showAutomation() {
  const banner = document.getElementById("automation-banner");
  try {
    const state = await api("automation");
    banner.textContent = state.paused
      ? `Automatic posting is paused since ${when(state.banner.since)} (${state.banner.kind}): ${state.banner.reason}`
      : "";
    banner.hidden = !state.paused;
  } catch (error) { /* the banner is a help, never a blocker */ }
}

// --- routing ---------------------------------------------------------------------------------------------------
async function route() {
  routeSeq += 1;
  clearTimeout(polling.timer);
  const [, page, id] = (location.hash || "#/queue").split("/");
  for (const name of ["queue", "search", "kpi"]) {
    const link = document.getElementById(`nav-${name}`);
    link.classList.toggle("active", name === page || (name === "queue" && !page));
    if (name === page) link.setAttribute("aria-current", "page"); else link.removeAttribute("aria-current");
  }
  showAutomation();
  try {
    if (page === "case" && id) await showCase(decodeURIComponent(id));
    else if (page === "search") showSearch();
    else if (page === "kpi") await showKpi();
    else { await showQueue(); focusHeading(); }
  } catch (error) { if (error.message !== "signed out") flash(error.message); }
}
document.addEventListener("visibilitychange", agentIsHere);  // hidden: the refresh stops; shown: it resumes
window.addEventListener("focus", agentIsHere);
for (const type of ["keydown", "pointerdown"]) document.addEventListener(type, agentIsHere, { capture: true, passive: true });
async function start() {
  document.getElementById("brand").textContent = body.dataset.brand ? `@${body.dataset.brand}` : "";
  document.getElementById("help-button").onclick = showHelp;
  document.getElementById("help-close").onclick = () => document.getElementById("help").close();
  const params = new URLSearchParams(location.search);
  if (AUTH_URL && params.get("code")) {
    try { await finishCognitoSignIn(params); } catch (error) { flash(error.message); }
  }
  if (!token() && !(await askOtherTabs())) { showSignIn(); return; }
  if (started) return;
  started = true;
  document.getElementById("sign-in").hidden = true;
  document.getElementById("nav").hidden = false;
  document.getElementById("whoami").textContent = me();
  const out = document.getElementById("sign-out");
  out.hidden = false;
  out.onclick = signOut;
  window.onhashchange = route;
  await loadTeam();
  if (team.me && team.me.role === "lead") document.getElementById("whoami").textContent = `${me()} (lead)`;
  route();
}
start();
