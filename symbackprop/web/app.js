// symbackprop serve: the page.  User text is only ever set as textContent; the only HTML inserted is
// KaTeX's rendering of the server's canonical read_as (trust: false, bounded expansion and sizes).
"use strict";

const DEBOUNCE_MS = 300;
const KATEX_OPTIONS = { throwOnError: false, trust: false, strict: "ignore", maxExpand: 200, maxSize: 10,
                        displayMode: false, output: "htmlAndMathml" };
const $ = (id) => document.getElementById(id);
let inflight = null;        // AbortController of the request in flight
let timer = null;
let generation = 0;

function setStatus(text, isError) {
  const s = $("status");
  s.textContent = text;
  s.className = isError ? "error" : "";
}

function fill(select, names, chosen) {
  select.replaceChildren();
  for (const name of names) {
    const o = document.createElement("option");
    o.value = name;
    o.textContent = name;
    if (name === chosen) o.selected = true;
    select.append(o);
  }
}

// Claims of the textarea: each non-empty line, or a \begin{env} ... \end{env} block as one claim.
function claimsOf(text) {
  const lines = text.split(/\r?\n/);
  const out = [];
  let block = null;
  lines.forEach((line, i) => {
    if (block) {
      block.text.push(line);
      if (/\\end\{[a-z*]+\}/.test(line)) { out.push(block); block = null; }
      return;
    }
    if (!line.trim() || /^\s*%/.test(line)) return;
    const b = { first: i + 1, text: [line] };
    if (/\\begin\{[a-z*]+\}/.test(line) && !/\\end\{[a-z*]+\}/.test(line)) block = b; else out.push(b);
  });
  if (block) out.push(block);
  return out.map((b) => ({ id: "line-" + b.first, claim: b.text.join("\n") }));
}

function numberOrText(value) {
  const v = value.trim();
  return /^-?\d+$/.test(v) ? Number(v) : v;
}

function network() {
  const raw = $("sizes").value.trim();
  const parts = raw.split(/[\s,]+/).filter(Boolean);
  const sizes = parts.length && parts.every((p) => /^\d+$/.test(p)) ? parts.map(Number) : raw;
  const net = { sizes, activation: $("activation").value, output: $("output").value, loss: $("loss").value,
                weights: $("weights").value };
  if (net.activation === "relu") net.relu_prime_at_zero = numberOrText($("relu_prime_at_zero").value);
  if (net.activation === "leaky_relu") net.negative_slope = numberOrText($("negative_slope").value);
  if (net.activation === "elu") net.alpha = numberOrText($("alpha").value);
  return net;
}

function request() {
  const doc = { network: network(), claims: claimsOf($("claims").value) };
  if ($("preset").value !== "default") doc.notation = $("preset").value;
  return doc;
}

function showParams() {
  const a = $("activation").value;
  $("param-relu").hidden = a !== "relu";
  $("param-slope").hidden = a !== "leaky_relu";
  $("param-alpha").hidden = a !== "elu";
}

function detail(li, cls, text) {
  const p = document.createElement("p");
  p.className = "detail " + cls;
  p.textContent = text;
  li.append(p);
}

function typeset(el, latex) {
  if (window.katex) {
    try { window.katex.render(latex, el, KATEX_OPTIONS); return; } catch (e) { /* shown as text below */ }
  }
  el.textContent = latex;
}

function renderClaim(r) {
  const li = document.createElement("li");
  li.dataset.id = r.id;
  li.dataset.verdict = r.verdict;
  const head = document.createElement("div");
  head.className = "head";
  const id = document.createElement("span");
  id.className = "id";
  id.textContent = r.id;
  const verdict = document.createElement("span");
  verdict.className = "verdict " + r.verdict;
  verdict.textContent = r.verdict === "checking" ? "checking…" : r.verdict;
  head.append(id, verdict);
  if (r.seconds !== undefined) {
    const t = document.createElement("span");
    t.className = "id";
    t.textContent = r.seconds.toFixed(2) + " s";
    head.append(t);
  }
  li.append(head);
  const read = document.createElement("div");
  read.className = "read-as";
  if (r.read_as) {
    typeset(read, r.read_as);
  } else {
    read.className = "source";
    read.textContent = r.claim;
  }
  li.append(read);
  if (r.step !== null && r.step !== undefined && r.verdict === "refuted") detail(li, "step", "fails at step " + r.step);
  if (r.diagnosis) detail(li, "diagnosis", "diagnosis: " + (r.diagnosis.code || r.diagnosis) +
                                            (r.diagnosis.text ? " — " + r.diagnosis.text : ""));
  if (r.message) detail(li, r.message.includes("\n") ? "message excerpt" : "message", r.message);
  if (r.counterexample && r.counterexample.values) {
    const vals = (Array.isArray(r.counterexample.values)
      ? r.counterexample.values.map((v) => v.text + " = " + v.value)
      : Object.entries(r.counterexample.values).map(([k, v]) => k + " = " + v)).join(", ");
    detail(li, "counterexample", "counterexample: " + vals);
  }
  if (r.assumptions && r.assumptions.length && (r.verdict === "proved" || r.verdict === "numerically-equal"))
    detail(li, "assumptions", "assumptions: " + r.assumptions.join("; "));
  return li;
}

function markChecking(claims) {
  const items = $("results").children;
  if (items.length !== claims.length) {       // new or removed claims: placeholders until the verdicts come
    $("results").replaceChildren(...claims.map((c) => renderClaim({ id: c.id, claim: c.claim, verdict: "checking" })));
    return;
  }
  for (const li of items) {
    li.dataset.verdict = "checking";
    const v = li.querySelector(".verdict");
    v.className = "verdict checking";
    v.textContent = "checking…";
  }
}

async function post(path, doc, signal) {
  const res = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" },
                                  body: JSON.stringify(doc), signal });
  if (!res.ok) {
    let message = res.status + " " + res.statusText;
    try { message = (await res.json()).error || message; } catch (e) { /* not JSON */ }
    throw new Error(message);
  }
  return res;
}

async function check() {
  const doc = request();
  if (inflight) inflight.abort();              // the stale request: the server cancels its claims
  if (!doc.claims.length) { $("results").replaceChildren(); setStatus(""); inflight = null; return; }
  const mine = ++generation;
  const controller = new AbortController();
  inflight = controller;
  markChecking(doc.claims);
  setStatus("checking " + doc.claims.length + " claim" + (doc.claims.length > 1 ? "s" : "") + "…");
  try {
    const res = await post("/api/check", doc, controller.signal);
    const body = await res.json();
    if (mine !== generation) return;
    const report = body.files ? body.files[0] : body;      // schema 1: the document of check --format json
    if (report.status === "error") throw new Error(report.message);
    $("results").replaceChildren(...report.claims.map(renderClaim));
    const summary = Object.entries(report.summary).map(([v, n]) => n + " " + v).join(", ");
    setStatus(summary);
  } catch (e) {
    if (e.name === "AbortError" || mine !== generation) return;
    $("results").replaceChildren();
    setStatus(e.message, true);
  } finally {
    if (inflight === controller) inflight = null;
  }
}

function schedule() {
  clearTimeout(timer);
  timer = setTimeout(check, DEBOUNCE_MS);
}

async function download(path, name) {
  try {
    const res = await post(path, request());
    const url = URL.createObjectURL(await res.blob());
    const a = document.createElement("a");
    a.href = url;
    a.download = name;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  } catch (e) {
    setStatus(e.message, true);
  }
}

async function init() {
  const res = await fetch("/api/options");
  const opts = await res.json();
  fill($("activation"), opts.activations, "relu");
  fill($("output"), opts.outputs, "softmax");
  fill($("loss"), opts.losses, "cross_entropy");
  fill($("weights"), opts.weights, "outgoing");
  fill($("preset"), opts.presets, "default");
  showParams();
  for (const el of document.querySelectorAll("#network input, #network select, #claims")) {
    el.addEventListener("input", () => { showParams(); schedule(); });
  }
  $("download-yaml").addEventListener("click", () => download("/api/derivation", "derivation.yaml"));
  $("download-tex").addEventListener("click", () => download("/api/check?format=tex", "report.tex"));
  document.body.dataset.ready = "true";
  if ($("claims").value.trim()) schedule();
}

document.addEventListener("DOMContentLoaded", () => {
  init().catch((e) => setStatus("cannot reach the server: " + e.message, true));
});
