// The notebook page: cells with a CodeMirror editor, their output and outcome, the device's
// memory and live plots. It talks to `bscript notebook` over one WebSocket (messages are JSON,
// see crates/bscript/src/notebook/mod.rs).

import { EditorView, basicSetup } from "codemirror";
import { javascript } from "@codemirror/lang-javascript";
import { keymap, Decoration } from "@codemirror/view";
import { Prec, StateEffect, StateField } from "@codemirror/state";
import { setDiagnostics } from "@codemirror/lint";
import uPlot from "uplot";

const token = document.querySelector('meta[name="bs-token"]').content;
const $ = (sel) => document.querySelector(sel);

// ---- cells -------------------------------------------------------------------------------

const cells = new Map(); // id -> cell
let nextId = 1;
let socket = null;
let fileName = null;

// The line a run-time error points at, highlighted.
const setRuntimeLine = StateEffect.define();
const runtimeLine = StateField.define({
  create: () => Decoration.none,
  update(deco, tr) {
    deco = deco.map(tr.changes);
    for (const e of tr.effects) {
      if (e.is(setRuntimeLine)) {
        deco = e.value === null ? Decoration.none
          : Decoration.set([Decoration.line({ class: "cm-runtime-line" }).range(e.value)]);
      }
    }
    return deco;
  },
  provide: (f) => EditorView.decorations.from(f),
});

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function addCell(code = "", focus = true) {
  const id = nextId++;
  const root = el("div", "cell");
  root.dataset.cell = String(id);
  const bar = el("div", "bar");
  const label = el("span", "label", `[${id}]`);
  const run = el("button", "run", "Run");
  run.title = "Run this cell (Shift+Enter)";
  const state = el("span", "state");
  const times = el("span", "times");
  bar.append(label, run, state, times);
  const editorBox = el("div", "editor");
  const stdout = el("pre", "stdout");
  const error = el("pre", "error");
  root.append(bar, editorBox, stdout, error);
  $("#cells").append(root);
  const cell = { id, root, state, times, stdout, error, view: null, pending: "" };
  cell.view = new EditorView({
    doc: code,
    parent: editorBox,
    extensions: [
      Prec.highest(keymap.of([{ key: "Shift-Enter", run: () => { runCell(cell, true); return true; } }])),
      basicSetup,
      javascript({ typescript: true }),
      runtimeLine,
    ],
  });
  run.addEventListener("click", () => runCell(cell, false));
  cells.set(id, cell);
  if (focus) cell.view.focus();
  return cell;
}

function runCell(cell, advance) {
  if (!socket || socket.readyState !== WebSocket.OPEN) return;
  const code = cell.view.state.doc.toString();
  cell.view.dispatch(setDiagnostics(cell.view.state, []));
  cell.view.dispatch({ effects: setRuntimeLine.of(null) });
  cell.stdout.textContent = "";
  cell.error.textContent = "";
  cell.times.textContent = "";
  cell.pending = "";
  cell.state.textContent = "queued";
  cell.root.dataset.status = "queued";
  socket.send(JSON.stringify({ type: "run", cell: cell.id, label: `cell ${cell.id}`, code }));
  if (advance) {
    const ids = [...cells.keys()];
    const after = ids[ids.indexOf(cell.id) + 1];
    if (after === undefined) addCell("");
    else cells.get(after).view.focus();
  }
}

function fmt(ms) {
  if (ms >= 100) return `${Math.round(ms)} ms`;
  return ms >= 1 ? `${ms.toFixed(1)} ms` : `${ms.toFixed(2)} ms`;
}

function done(msg) {
  const cell = cells.get(msg.cell);
  if (!cell) return;
  flushLines(cell, true);
  cell.root.classList.remove("running");
  cell.root.dataset.status = msg.status;
  cell.state.textContent = msg.status === "ok" ? "✓" : msg.status.replace("-", " ");
  const t = msg.times;
  cell.times.textContent =
    `compile ${fmt(t.compile)} · link ${fmt(t.link)} · transfer ${fmt(t.transfer)} · run ${fmt(t.run)}`;
  cell.times.title = "transfer: the call's time on the link (the unit's bytes travel with the " +
    "call that runs it, and its replies come back), that is the call's time seen by the host " +
    "less the run time the device measured";
  let text = msg.error || "";
  if (msg.runtime) {
    text = `run-time error at line ${msg.runtime.line}, column ${msg.runtime.column}` +
      (msg.runtime.file !== msg.name ? ` of ${msg.runtime.file}` : "") + "\n" + text;
  }
  cell.error.textContent = text;
  const doc = cell.view.state.doc;
  const diagnostics = [];
  for (const m of msg.marks) {
    let from = Math.min(m.from, doc.length);
    let to = Math.min(Math.max(m.to, from), doc.length);
    if (to === from && to < doc.length) to += 1;
    if (to === from && from > 0) from -= 1;
    if (m.severity === "runtime") {
      cell.view.dispatch({ effects: setRuntimeLine.of(doc.line(Math.min(m.line, doc.lines)).from) });
    }
    diagnostics.push({ from, to, severity: "error", message: m.code ? `${m.code}: ${m.message}` : m.message });
  }
  cell.view.dispatch(setDiagnostics(cell.view.state, diagnostics));
}

// ---- output and plots --------------------------------------------------------------------

const plots = new Map(); // series name -> { data: [xs, ys], chart, box, owner, dirty }
const plotLine = /^\s*([A-Za-z_][\w.\- ]*?)\s*:\s*(-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$/;

function feedPlot(cell, line) {
  const m = plotLine.exec(line);
  if (!m) return;
  const name = m[1];
  let p = plots.get(name);
  if (!p) {
    const box = el("div", "chart");
    box.dataset.series = name;
    $("#charts").append(box);
    p = { data: [[], []], chart: null, box, owner: cell.id, dirty: true };
    plots.set(name, p);
  }
  if (p.owner !== cell.id && p.data[0].length === 0) p.owner = cell.id;
  p.data[0].push(p.data[0].length);
  p.data[1].push(Number(m[2]));
  p.dirty = true;
  schedulePlots();
}

let plotFrame = 0;
function schedulePlots() {
  if (!plotFrame) plotFrame = requestAnimationFrame(drawPlots);
}

function drawPlots() {
  plotFrame = 0;
  const width = Math.max(240, $("#charts").clientWidth - 4);
  for (const [name, p] of plots) {
    if (!p.dirty) continue;
    p.dirty = false;
    if (!p.chart) {
      p.chart = new uPlot({
        title: name,
        width,
        height: 180,
        scales: { x: { time: false } },
        series: [{ label: "n" }, { label: name, stroke: "#0b4f8a", width: 2 }],
      }, p.data, p.box);
    } else {
      p.chart.setData(p.data);
    }
    p.box.dataset.points = String(p.chart.data[0].length);
  }
}

// Clears the series a cell fed before, when it runs again.
function clearPlotsOf(cell) {
  for (const p of plots.values()) {
    if (p.owner === cell.id) {
      p.data = [[], []];
      p.dirty = true;
    }
  }
  schedulePlots();
}

function flushLines(cell, all) {
  const lines = cell.pending.split("\n");
  cell.pending = all ? "" : lines.pop();
  for (const line of lines) feedPlot(cell, line);
}

function output(msg) {
  const cell = cells.get(msg.cell);
  if (!cell) return;
  if (msg.stream === 0) {
    cell.stdout.append(document.createTextNode(msg.text));
    cell.pending += msg.text;
    flushLines(cell, false);
  } else {
    const span = el("span", "stderr", msg.text);
    cell.stdout.append(span);
  }
}

// ---- memory ------------------------------------------------------------------------------

function region(name, used, size) {
  const box = el("div", "region");
  box.dataset.region = name;
  box.append(el("div", "", `${name}: ${used} of ${size} bytes`));
  const meter = el("div", "meter");
  const fill = el("div");
  fill.style.width = `${size ? Math.min(100, (100 * used) / size) : 0}%`;
  meter.append(fill);
  box.append(meter);
  return box;
}

function memory(msg) {
  const h = msg.heap;
  $("#regions").replaceChildren(
    region("code", msg.code.used, msg.code.size),
    region("data", msg.data.used, msg.data.size),
    region("heap", h.used, h.size),
  );
  // The same lines as the REPL's .mem.
  $("#mem-text").textContent =
    `heap: ${h.used} of ${h.size} bytes live (${h.blocks} blocks), ${h.free} free\n` +
    `code: ${msg.code.used} of ${msg.code.size} bytes\n` +
    `data: ${msg.data.used} of ${msg.data.size} bytes`;
  const rows = msg.units.map((u) => {
    const tr = el("tr");
    tr.append(el("td", "", u.name), el("td", "num", String(u.code)), el("td", "num", String(u.data)),
      el("td", "", u.functions.join(", ")));
    return tr;
  });
  $("#units tbody").replaceChildren(...rows);
  $("#jit").textContent = msg.jit;
}

// ---- connection --------------------------------------------------------------------------

function status(text) {
  $("#status").textContent = text;
}

function connect() {
  socket = new WebSocket(`ws://${location.host}/ws?token=${encodeURIComponent(token)}`);
  socket.addEventListener("open", () => status("ready"));
  socket.addEventListener("close", () => status("disconnected"));
  socket.addEventListener("message", (ev) => {
    const msg = JSON.parse(ev.data);
    switch (msg.type) {
      case "hello":
        $("#target").textContent = `device: ${msg.target}`;
        fileName = msg.file;
        $("#file").textContent = fileName || "";
        if (cells.size === 0) {
          for (const code of msg.cells) addCell(code, false);
          if (cells.size === 0) addCell("");
          else cells.get(1).view.focus();
        }
        socket.send(JSON.stringify({ type: "memory" }));
        break;
      case "queued": break;
      case "start": {
        const cell = cells.get(msg.cell);
        if (cell) {
          cell.root.classList.add("running");
          cell.root.dataset.status = "running";
          cell.state.textContent = "running";
          clearPlotsOf(cell);
        }
        status("running");
        break;
      }
      case "output": output(msg); break;
      case "done": done(msg); status("ready"); break;
      case "dropped": {
        const cell = cells.get(msg.cell);
        if (cell) { cell.state.textContent = "not run (reset)"; cell.root.dataset.status = "dropped"; }
        break;
      }
      case "memory": memory(msg); break;
      case "reset": status("device reset"); break;
      case "saved":
        fileName = msg.path;
        $("#file").textContent = fileName;
        status("saved");
        break;
      case "exported": status(`exported to ${msg.dir}`); break;
      case "error": status(msg.message); break;
    }
  });
}

function allCode() {
  return [...cells.values()].map((c) => c.view.state.doc.toString());
}

$("#interrupt").addEventListener("click", () => socket.send(JSON.stringify({ type: "interrupt" })));
$("#reset").addEventListener("click", () => socket.send(JSON.stringify({ type: "reset" })));
$("#save").addEventListener("click", () => {
  const path = fileName || prompt("Save the notebook as", "notebook.md");
  if (path) socket.send(JSON.stringify({ type: "save", path, cells: allCode() }));
});
$("#export").addEventListener("click", () => {
  const dir = prompt("Export the cells as a project in the folder", "notebook-project");
  if (dir) socket.send(JSON.stringify({ type: "export", dir, cells: allCode() }));
});

window.bsNotebook = { cells, plots, addCell };
connect();
