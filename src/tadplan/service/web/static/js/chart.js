// The FDI tooth chart of the case editor. The chart is a view of the form's own text fields
// (dentition.missing, dentition.extracted, dentition.planned_extraction, attachments.bands and
// the active goal's goals.N.teeth): clicking a tooth with a tool toggles the tooth in that
// field, and typing in a field redraws the chart. Keyboard: every tooth is a button
// (aria-pressed: the tooth has the current tool's state), arrow keys move between teeth.
(function () {
  "use strict";
  const STATUS = ["missing", "extracted", "planned_extraction"];
  const FIELD = {
    missing: "dentition.missing",
    extracted: "dentition.extracted",
    planned_extraction: "dentition.planned_extraction",
    banded: "attachments.bands",
  };
  const WORD = {
    missing: "missing", extracted: "extracted", planned_extraction: "planned extraction",
    banded: "banded", move: "to move",
  };

  function init(chart) {
    const form = chart.closest("form");
    const segments = JSON.parse(chart.dataset.segments || "{}");
    const upper = JSON.parse(chart.dataset.upper);
    const lower = JSON.parse(chart.dataset.lower);
    const buttons = Array.from(chart.querySelectorAll("button.tooth"));
    const byTooth = new Map(buttons.map((b) => [Number(b.dataset.tooth), b]));

    const input = (name) => form.querySelector(`[name="${CSS.escape(name)}"]`);
    const tool = () => {
      const r = form.querySelector('input[name="chart-tool"]:checked');
      return r ? r.value : "missing";
    };
    const goalSelect = form.querySelector("#chart-goal");
    const goalField = () => {
      const n = goalSelect ? goalSelect.value : "";
      return n === "" ? null : input(`goals.${n}.teeth`);
    };
    const parse = (text) =>
      (text || "").split(/[\s,;]+/).filter((t) => /^\d{2}$/.test(t)).map(Number);

    function span(a, b) {
      for (const arch of [upper, lower]) {
        const i = arch.indexOf(a), j = arch.indexOf(b);
        if (i >= 0 && j >= 0) return arch.slice(Math.min(i, j), Math.max(i, j) + 1);
      }
      return [];
    }
    function goalTeeth(text) {
      const key = (text || "").trim().toLowerCase().replace(/ /g, "_");
      if (segments[key]) return segments[key].slice();
      const m = /^\s*(\d{2})\s*-\s*(\d{2})\s*$/.exec(text || "");
      if (m) return span(Number(m[1]), Number(m[2]));
      return parse(text);
    }

    function state() {
      const s = { status: new Map(), banded: new Set(), move: new Set() };
      for (const st of STATUS) for (const t of parse(input(FIELD[st]).value)) s.status.set(t, st);
      for (const t of parse(input(FIELD.banded).value)) s.banded.add(t);
      const g = goalField();
      if (g) for (const t of goalTeeth(g.value)) s.move.add(t);
      return s;
    }

    function has(s, t, which) {
      if (which === "banded") return s.banded.has(t);
      if (which === "move") return s.move.has(t);
      return s.status.get(t) === which;
    }

    function draw() {
      const s = state();
      const current = tool();
      for (const [t, b] of byTooth) {
        const st = s.status.get(t) || "present";
        b.className = "tooth " + st + (s.banded.has(t) ? " banded" : "") +
          (s.move.has(t) ? " move" : "");
        const marks = [];
        if (st !== "present") marks.push(WORD[st]);
        if (s.banded.has(t)) marks.push("banded");
        if (s.move.has(t)) marks.push("to move");
        b.querySelector(".mark").textContent =
          (st === "missing" ? "✕" : st === "extracted" ? "○" : st === "planned_extraction" ? "⊘" : "") +
          (s.banded.has(t) ? "▭" : "") + (s.move.has(t) ? "→" : "");
        b.setAttribute("aria-pressed", has(s, t, current) ? "true" : "false");
        b.setAttribute("aria-label", `${t} ${b.dataset.name}: ${marks.length ? marks.join(", ") : "present"}`);
      }
    }

    function setList(field, teeth) {
      field.value = teeth.join(" ");
      field.dispatchEvent(new Event("input", { bubbles: true }));
    }

    function toggle(t) {
      const current = tool();
      if (current === "move") {
        const g = goalField();
        if (!g) return;
        let teeth = goalTeeth(g.value);
        teeth = teeth.includes(t) ? teeth.filter((x) => x !== t) : teeth.concat([t]);
        const order = upper.concat(lower);
        teeth.sort((a, b) => order.indexOf(a) - order.indexOf(b));
        setList(g, teeth);
      } else if (current === "banded") {
        const f = input(FIELD.banded);
        const teeth = parse(f.value);
        setList(f, teeth.includes(t) ? teeth.filter((x) => x !== t) : teeth.concat([t]));
      } else {
        for (const st of STATUS) {  // a tooth has one status: leave the other lists
          const f = input(FIELD[st]);
          const teeth = parse(f.value);
          const on = teeth.includes(t);
          if (st === current) setList(f, on ? teeth.filter((x) => x !== t) : teeth.concat([t]));
          else if (on) setList(f, teeth.filter((x) => x !== t));
        }
      }
      draw();
    }

    // roving tab index: one tooth in the tab order, arrow keys move along the chart
    const rows = [upper, lower];
    function focusTooth(t) {
      const b = byTooth.get(t);
      if (!b) return;
      for (const x of buttons) x.tabIndex = -1;
      b.tabIndex = 0;
      b.focus();
    }
    chart.addEventListener("keydown", (ev) => {
      const b = ev.target.closest("button.tooth");
      if (!b) return;
      const t = Number(b.dataset.tooth);
      const r = upper.includes(t) ? 0 : 1;
      const row = rows[r];
      const i = row.indexOf(t);
      let next = null;
      if (ev.key === "ArrowRight") next = row[Math.min(i + 1, row.length - 1)];
      else if (ev.key === "ArrowLeft") next = row[Math.max(i - 1, 0)];
      else if (ev.key === "ArrowDown" || ev.key === "ArrowUp") next = rows[1 - r][i];
      else if (ev.key === "Home") next = row[0];
      else if (ev.key === "End") next = row[row.length - 1];
      if (next !== null && next !== undefined) {
        ev.preventDefault();
        focusTooth(next);
      }
    });
    chart.addEventListener("click", (ev) => {
      const b = ev.target.closest("button.tooth");
      if (b) {
        ev.preventDefault();
        toggle(Number(b.dataset.tooth));
      }
    });
    form.addEventListener("input", (ev) => {
      if (ev.target.matches('input[type=text], input[name="chart-tool"], select')) draw();
    });
    form.addEventListener("change", draw);
    buttons.forEach((b, k) => (b.tabIndex = k === 0 ? 0 : -1));
    draw();
    chart.dataset.ready = "true";
  }

  // after a validation response: mark the fields that have a problem (aria-invalid)
  function markInvalid() {
    document.querySelectorAll(".field-error").forEach((el) => {
      const bad = el.textContent.trim() !== "";
      document.querySelectorAll(`[aria-describedby~="${CSS.escape(el.id)}"]`).forEach((f) => {
        if (bad) f.setAttribute("aria-invalid", "true");
        else f.removeAttribute("aria-invalid");
      });
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll(".chart[data-upper]").forEach(init);
    markInvalid();
  });
  document.addEventListener("htmx:afterSettle", markInvalid);
})();
