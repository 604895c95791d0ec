// carebird inbox: the care team works the queue here. Customer text is untrusted: it is only ever set with
// textContent (never innerHTML), and the page's Content-Security-Policy allows this script alone.
"use strict";

const API = "/inbox/api";
const REFRESH_MS = 15000;
const body = document.body;
const AUTH_URL = body.dataset.authUrl || "";
const CLIENT_ID = body.dataset.clientId || "";
const view = document.getElementById("view");
let refreshTimer = null;

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
  setTimeout(() => { if (box.textContent === text) box.textContent = ""; }, 4000);
}
function minutes(value) {
  if (value === null || value === undefined) return "–";
  const m = Math.round(value), h = Math.floor(Math.abs(m) / 60);
  return (m < 0 ? "-" : "") + (h ? `${h} h ${Math.abs(m) % 60} min` : `${Math.abs(m)} min`);
}
function when(iso) { return iso ? new Date(iso).toLocaleString() : ""; }

// --- sign-in: Cognito (authorization code + PKCE) in AWS, a development sign-in locally -------------------------
function token() { return sessionStorage.getItem("carebird.token"); }
function signedIn(name, value) {
  sessionStorage.setItem("carebird.token", value);
  sessionStorage.setItem("carebird.agent", name);
}
function signOut() {
  sessionStorage.clear();
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
  const query = new URLSearchParams({
    response_type: "code", client_id: CLIENT_ID, redirect_uri: home(), scope: "openid email",
    code_challenge_method: "S256", code_challenge: challenge, state,
  });
  location.href = `${AUTH_URL}/oauth2/authorize?${query}`;
}
async function finishCognitoSignIn(params) {
  if (params.get("state") !== sessionStorage.getItem("carebird.state")) throw new Error("sign-in state mismatch");
  const response = await fetch(`${AUTH_URL}/oauth2/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code", client_id: CLIENT_ID, code: params.get("code"), redirect_uri: home(),
      code_verifier: sessionStorage.getItem("carebird.pkce") || "",
    }),
  });
  if (!response.ok) throw new Error("sign-in failed");
  const tokens = await response.json();
  const claims = JSON.parse(atob(tokens.id_token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
  signedIn(claims.email || claims["cognito:username"], tokens.id_token);
  history.replaceState(null, "", home());
}
async function devSignIn(event) {
  event.preventDefault();
  const name = document.getElementById("dev-name").value.trim();
  const response = await fetch("/inbox/dev/sign-in", {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ name, passphrase: document.getElementById("dev-passphrase").value }),
  });
  if (!response.ok) { flash("development sign-in is only available locally (carebird serve)"); return; }
  signedIn(name, (await response.json()).token);
  start();
}
function showSignIn() {
  document.getElementById("sign-in").hidden = false;
  document.getElementById("nav").hidden = true;
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
}

// --- API -------------------------------------------------------------------------------------------------------
async function api(path, payload) {
  const options = { headers: { Authorization: `Bearer ${token()}` } };
  if (payload !== undefined) {
    options.method = "POST";
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(payload);
  }
  const response = await fetch(`${API}/${path}`, options);
  if (response.status === 401) { sessionStorage.removeItem("carebird.token"); showSignIn(); throw new Error("signed out"); }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) { const error = new Error(data.error || data.message || `error ${response.status}`); error.data = data; error.status = response.status; throw error; }
  return data;
}

// --- queue -----------------------------------------------------------------------------------------------------
const STATUSES = ["waiting", "answered", "escalated", "noise", "praise", "closed"];
const CHANNELS = ["", "mention", "reply", "quote", "dm", "citation", "topic"];
const filters = { status: "waiting", channel: "" };

function select(id, values, current, onchange) {
  return el("select", { id, onchange },
    ...values.map((v) => el("option", { value: v, text: v || "all channels", selected: v === current })));
}
async function showQueue() {
  const table = el("tbody", { id: "queue-rows" });
  view.replaceChildren(
    el("div", { class: "filters" },
      el("h1", { text: "Queue" }),
      select("status-filter", STATUSES, filters.status, (e) => { filters.status = e.target.value; loadQueue(table); }),
      select("channel-filter", CHANNELS, filters.channel, (e) => { filters.channel = e.target.value; loadQueue(table); }),
      el("span", { id: "queue-updated", class: "muted" })),
    el("table", { id: "queue" },
      el("thead", {}, el("tr", {}, ...["Priority", "Case", "Customer", "Channel", "Status", "Waiting", "SLA", "Why", "Agent"]
        .map((h) => el("th", { text: h })))),
      table));
  await loadQueue(table);
  refreshTimer = setInterval(() => loadQueue(table), REFRESH_MS);
}
async function loadQueue(table) {
  const query = new URLSearchParams({ status: filters.status });
  if (filters.channel) query.set("channel", filters.channel);
  const data = await api(`queue?${query}`);
  table.replaceChildren(...data.cases.map(queueRow));
  if (!data.cases.length) table.append(el("tr", {}, el("td", { colspan: 9, text: "Nothing here: every customer has an answer." })));
  const stamp = document.getElementById("queue-updated");
  if (stamp) stamp.textContent = `updated ${new Date().toLocaleTimeString()}`;
}
function sla(row) {
  if (row.due_in_minutes === null || row.due_in_minutes === undefined) return el("span", { class: "muted", text: "–" });
  if (row.due_in_minutes < 0) return el("span", { class: "overdue", text: `overdue ${minutes(-row.due_in_minutes)}` });
  if (row.due_in_minutes === 0) return el("span", { class: "overdue", text: "due now" });
  return el("span", { class: "due", text: `due in ${minutes(row.due_in_minutes)}` });
}
function queueRow(row) {
  return el("tr", { "data-case": row.id, class: row.claimed_by ? "claimed" : "", onclick: () => { location.hash = `#/case/${encodeURIComponent(row.id)}`; } },
    el("td", { text: row.effective ?? row.priority }),
    el("td", {}, el("a", { href: `#/case/${encodeURIComponent(row.id)}`, text: row.ref })),
    el("td", {}, el("span", { text: `@${row.author}` }), row.verified ? el("span", { class: "badge", text: "verified" }) : null,
      el("div", { class: "muted", text: row.preview })),
    el("td", { text: row.channel }),
    el("td", {}, el("span", { class: "badge", text: row.status })),
    el("td", { text: row.waiting ? minutes(row.waiting_minutes) : "–" }),
    el("td", {}, sla(row)),
    el("td", { text: row.reasons.slice(0, 3).join("; ") }),
    el("td", { class: "agent", text: row.claimed_by || "" }));
}

// --- a case ----------------------------------------------------------------------------------------------------
async function showCase(caseId) {
  const data = await api(`cases/${encodeURIComponent(caseId)}`);
  const me = sessionStorage.getItem("carebird.agent");
  const theirs = data.claimed_by && data.claimed_by !== me;
  const conversation = el("div", { id: "conversation" }, ...data.conversation.map((m) =>
    el("div", { class: `message ${m.direction}` },
      el("div", { class: "meta", text: `${m.direction === "out" ? "→" : "←"} @${m.author} · ${m.channel} · ${when(m.at)}${m.deleted ? " · deleted" : ""}` }),
      el("div", { class: "text", text: m.text }))));
  const claimBox = el("p", { id: "claim", class: theirs ? "overdue" : "muted",
    text: data.claimed_by ? (theirs ? `${data.claimed_by} is working on this case` : "You are working on this case") : "Nobody is working on this case" });
  const draft = el("textarea", { id: "draft", maxlength: 10000, disabled: theirs || !data.answerable, placeholder: data.answerable ? "Write the answer…" : data.why_not_answerable });
  const counter = el("span", { id: "counter", class: "muted" });
  const advice = el("ul", { id: "advice", class: "advice" });
  const templates = el("select", { id: "template", disabled: theirs || !data.answerable },
    el("option", { value: "", text: "Templates…" }),
    ...data.templates.filter((t) => t.text).map((t) => el("option", { value: t.text, text: t.name })));
  templates.onchange = () => { if (templates.value) { draft.value = templates.value; coach(); } };
  let byDm = !data.public_reply;
  let pending = null;
  async function coach() {
    clearTimeout(pending);
    pending = setTimeout(async () => {
      const report = await api("coach", { text: draft.value, case_id: data.id, by_dm: byDm });
      counter.textContent = `${report.weighted_length}/${report.limit}`;
      counter.className = report.too_long ? "overdue" : "muted";
      advice.replaceChildren(...report.advice.map((a) => el("li", { class: a.applied ? "applied" : "", text: `${a.applied ? "✓" : "•"} ${a.rule}: ${a.message}` })));
    }, 250);
  }
  draft.addEventListener("input", coach);
  async function act(path, payload, done) {
    try { await api(`cases/${encodeURIComponent(data.id)}/${path}`, payload || {}); flash(done); route(); }
    catch (error) { flash(error.message); }
  }
  async function send(dm) {
    byDm = dm;
    try {
      const result = await api(`cases/${encodeURIComponent(data.id)}/reply`, { text: draft.value, by_dm: dm });
      flash(`Sent by ${result.via}: ${result.message}`);
      location.hash = "#/queue";
    } catch (error) { flash(error.message); }
  }
  const actions = el("div", { class: "actions" },
    el("button", { id: "claim-button", type: "button", disabled: theirs, onclick: () => act("claim", {}, "Claimed"), text: data.claimed_by === me ? "Renew claim" : "Claim" }),
    data.claimed_by === me ? el("button", { id: "release-button", type: "button", onclick: () => act("release", {}, "Released"), text: "Release" }) : null,
    el("input", { id: "assign-to", placeholder: "colleague", maxlength: 120, disabled: theirs, "aria-label": "Assign to a colleague" }),
    el("button", { id: "assign-button", type: "button", disabled: theirs, onclick: () => act("assign", { agent: document.getElementById("assign-to").value }, "Assigned"), text: "Assign" }),
    el("button", { id: "close-button", type: "button", disabled: theirs || data.status === "closed", onclick: () => act("close", {}, "Closed"), text: "Close" }),
    el("button", { id: "noise-button", type: "button", disabled: theirs, onclick: () => act("noise", { noise: data.status !== "noise" }, "Updated"), text: data.status === "noise" ? "Not noise" : "Noise" }),
    el("button", { id: "urgent-button", type: "button", disabled: theirs, onclick: () => act("urgent", { urgent: data.band !== "urgent" }, "Updated"), text: data.band === "urgent" ? "Not urgent" : "Urgent" }));
  const replyBox = el("div", { id: "reply" },
    el("h2", { text: "Answer" }), templates, draft,
    el("div", { class: "actions" },
      el("button", { id: "send-public", class: "primary", type: "button", disabled: theirs || !data.public_reply, onclick: () => send(false), text: "Reply publicly" }),
      el("button", { id: "send-dm", type: "button", disabled: theirs || !data.answerable, onclick: () => send(true), text: "Send by DM" }),
      counter),
    advice);
  const note = el("textarea", { id: "note", placeholder: "Internal note (never sent to the customer)" });
  const notes = el("div", { id: "notes" },
    el("h2", { text: "Notes" }),
    ...data.notes.map((n) => el("p", {}, el("strong", { text: `${n.agent}: ` }), el("span", { text: n.text }), el("span", { class: "muted", text: ` · ${when(n.at)}` }))),
    note, el("button", { id: "add-note", type: "button", onclick: () => act("notes", { text: note.value }, "Note added"), text: "Add note" }));
  const customer = data.customer;
  view.replaceChildren(
    el("h1", { text: `${data.ref} · @${customer.handle}` }),
    el("p", { class: "muted", text: `${data.status} · ${data.channel} · priority ${data.effective ?? data.priority} · waiting ${minutes(data.waiting_minutes)}` }, " ", sla(data)),
    claimBox, actions,
    el("div", { class: "case" },
      el("div", {}, el("h2", { text: "Conversation" }), conversation, data.answerable ? replyBox : el("p", { class: "overdue", text: data.why_not_answerable }), notes),
      el("aside", {},
        el("h2", { text: "Customer" }),
        el("p", { text: `${customer.name} (@${customer.handle})` }),
        el("p", { class: "muted", text: `${customer.followers} followers${customer.verified ? " · verified" : ""}` }),
        el("h3", { text: "Why here" }), el("ul", {}, ...data.reasons.map((r) => el("li", { text: r }))),
        el("h3", { text: "Previous cases" }),
        customer.previous_cases.length
          ? el("ul", {}, ...customer.previous_cases.map((c) => el("li", {}, el("a", { href: `#/case/${encodeURIComponent(c.id)}`, text: c.ref }), el("span", { class: "muted", text: ` ${c.status} · ${when(c.opened_at)}` }))))
          : el("p", { class: "muted", text: "none: a first contact" }),
        el("h3", { text: "Activity" }),
        el("ul", {}, ...data.activity.map((a) => el("li", { class: "muted", text: `${when(a.at)} ${a.agent}: ${a.action}${a.detail && a.action !== "note" ? ` (${a.detail})` : ""}` }))),
        el("p", {}, el("a", { href: data.link, rel: "noopener noreferrer", target: "_blank", text: "Open on X" })))));
}

// --- search and KPIs -------------------------------------------------------------------------------------------
function showSearch() {
  const input = el("input", { id: "search-input", placeholder: "@handle or CB-000123", maxlength: 100 });
  const results = el("tbody", { id: "search-results" });
  const form = el("form", { onsubmit: async (e) => {
    e.preventDefault();
    try { const data = await api(`search?q=${encodeURIComponent(input.value)}`); results.replaceChildren(...data.cases.map(queueRow)); }
    catch (error) { flash(error.message); }
  } }, input, el("button", { type: "submit", text: "Search" }));
  view.replaceChildren(el("h1", { text: "Search past cases" }), form, el("table", {}, results));
}
async function showKpi() {
  const data = await api("kpi?days=7");
  const svgNS = "http://www.w3.org/2000/svg";
  const width = 640, height = 180, max = Math.max(1, ...data.by_day.map((d) => d.total));
  const chart = document.createElementNS(svgNS, "svg");
  chart.setAttribute("class", "chart"); chart.setAttribute("viewBox", `0 0 ${width} ${height + 30}`); chart.setAttribute("id", "kpi-chart");
  const step = width / Math.max(1, data.by_day.length);
  const channels = [...new Set(data.by_day.flatMap((d) => Object.keys(d.channels)))].sort();
  data.by_day.forEach((d, i) => {
    let top = height;
    for (const channel of channels) {  // one stacked segment per channel
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
  view.replaceChildren(
    el("h1", { text: "Last 7 days" }),
    el("div", { class: "kpis", id: "kpis" },
      card("cases", data.cases), card("answered", data.answered), card("first response, median", minutes(data.median_first_response_minutes)),
      card("first response, 90th percentile", minutes(data.p90_first_response_minutes)), card(`SLA breaches (${data.sla_minutes} min)`, data.breaches),
      card("escalated", data.escalated)),
    el("h2", { text: "Cases by day and channel" }), chart, legend,
    el("p", { class: "muted", text: `By channel: ${Object.entries(data.by_channel).map(([k, v]) => `${k} ${v}`).join(", ") || "none"}` }));
}

// --- routing ---------------------------------------------------------------------------------------------------
async function route() {
  clearInterval(refreshTimer);
  const [, page, id] = (location.hash || "#/queue").split("/");
  for (const name of ["queue", "search", "kpi"]) document.getElementById(`nav-${name}`).classList.toggle("active", name === page);
  try {
    if (page === "case" && id) await showCase(decodeURIComponent(id));
    else if (page === "search") showSearch();
    else if (page === "kpi") await showKpi();
    else await showQueue();
  } catch (error) { if (error.message !== "signed out") flash(error.message); }
}
async function start() {
  document.getElementById("brand").textContent = body.dataset.brand ? `@${body.dataset.brand}` : "";
  const params = new URLSearchParams(location.search);
  if (AUTH_URL && params.get("code")) {
    try { await finishCognitoSignIn(params); } catch (error) { flash(error.message); }
  }
  if (!token()) { showSignIn(); return; }
  document.getElementById("sign-in").hidden = true;
  document.getElementById("nav").hidden = false;
  document.getElementById("whoami").textContent = sessionStorage.getItem("carebird.agent") || "";
  const out = document.getElementById("sign-out");
  out.hidden = false;
  out.onclick = signOut;
  window.onhashchange = route;
  route();
}
start();
