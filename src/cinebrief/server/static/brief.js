// cinebrief studio, the brief view: YAML editor with problems at their line as you type, a form per shot that
// writes the same YAML (server side, comments kept), the rendered prompt, the plan, and "Save and run".
"use strict";

(() => {
  const cb = window.cinebrief;
  const $ = (id) => document.getElementById(id);
  const LINT_DELAY_MS = 150;
  const STARTER = `# A brief: one shot is one camera setup, one action, one lighting recipe.
schema: cinebrief.brief/1
title: Untitled
defaults: {model: sora-2, size: 1280x720, seconds: "4"}
style: 35 mm film, soft grain
palette: [amber, teal, warm white]
shots:
  - id: opening
    scene: A quiet street at dawn, wet cobblestones, shutters closed.
    camera: {framing: wide establishing shot, angle: eye level, move: slow dolly left, lens: 32 mm}
    lighting: low sun from camera right, cool fill from the sky
    actions: [A baker opens the shop door]
    sound: birdsong, a distant tram
`;
  const state = {
    briefId: null,
    savedText: null,
    shots: [],
    sequence: 0,
    timer: 0,
    shotData: {}, // shot id -> the shot as data, from the last /lint answer
    briefs: [],
  };

  // -- the list and the history ---------------------------------------------------------------------

  async function loadList(selected) {
    const list = await cb.json("/studio/v1/briefs");
    state.briefs = list.data;
    const select = $("brief-select");
    select.replaceChildren(new Option("New brief…", ""), ...list.data.map((b) => new Option(b.name, b.id)));
    select.value = selected || "";
  }

  async function open(briefId, version) {
    if (!briefId) {
      state.briefId = null;
      state.savedText = null;
      $("brief-name").value = "";
      $("brief-version").replaceChildren();
      setText(STARTER);
      return;
    }
    const query = version ? `?version=${version}` : "";
    $("brief-text").readOnly = true; // nothing typed now would survive the stored text arriving
    try {
      const brief = await cb.json(`/studio/v1/briefs/${encodeURIComponent(briefId)}${query}`);
      showBrief(brief);
      setText(brief.text);
    } finally {
      $("brief-text").readOnly = false;
    }
  }

  function showBrief(brief) {
    state.briefId = brief.id;
    state.savedText = brief.text;
    $("brief-name").value = brief.name;
    const when = (seconds) => new Date(seconds * 1000).toLocaleString([], { dateStyle: "short", timeStyle: "short" });
    $("brief-version").replaceChildren(
      ...brief.versions.slice().reverse().map((v) => new Option(`v${v.version} · ${when(v.created_at)}`, v.version)),
    );
    $("brief-version").value = String(brief.shown_version || brief.version);
    $("brief-select").value = brief.id;
    if (location.hash !== `#brief=${brief.id}`) history.replaceState(null, "", `#brief=${brief.id}`);
  }

  $("brief-select").addEventListener("change", () => {
    if (!$("brief-select").value) open(null); // a new brief, chosen by the user
    location.hash = $("brief-select").value ? `brief=${$("brief-select").value}` : "brief";
  });
  $("brief-version").addEventListener("change", () => open(state.briefId, $("brief-version").value));

  async function save() {
    const text = $("brief-text").value;
    const name = $("brief-name").value.trim() || "Untitled";
    let brief;
    if (state.briefId) {
      brief = await cb.json(`/studio/v1/briefs/${encodeURIComponent(state.briefId)}`, {
        method: "PUT", json: { text, name },
      });
    } else {
      brief = await cb.json("/studio/v1/briefs", { method: "POST", json: { name, text } });
    }
    await loadList(brief.id);
    showBrief(brief);
    $("save-note").textContent = `Saved as version ${brief.version}.`;
    return brief;
  }

  $("save-brief").addEventListener("click", async () => {
    try { await save(); } catch (error) { $("save-note").textContent = error.message; }
  });

  // -- the editor: a gutter of line numbers, marked where a problem is ------------------------------

  function setText(text) {
    $("brief-text").value = text;
    changed();
  }

  function drawGutter(marks) {
    const lines = $("brief-text").value.split("\n").length;
    const numbers = [];
    for (let line = 1; line <= lines; line += 1) {
      const span = cb.element("span", marks.has(line) ? `mark severity-${marks.get(line)}` : "", String(line));
      span.dataset.line = String(line);
      numbers.push(span, document.createTextNode("\n"));
    }
    $("gutter").replaceChildren(...numbers);
    $("gutter").scrollTop = $("brief-text").scrollTop;
  }

  $("brief-text").addEventListener("scroll", () => { $("gutter").scrollTop = $("brief-text").scrollTop; });

  function changed() {
    drawGutter(new Map());
    $("save-note").textContent = state.savedText !== null && $("brief-text").value !== state.savedText
      ? "Unsaved changes." : "";
    clearTimeout(state.timer);
    state.timer = setTimeout(check, LINT_DELAY_MS);
  }

  $("brief-text").addEventListener("input", changed);
  document.addEventListener("cinebrief:lint-preview", check);

  function goToLine(line, column) {
    const area = $("brief-text");
    const lines = area.value.split("\n");
    let offset = 0;
    for (let i = 0; i < line - 1 && i < lines.length; i += 1) offset += lines[i].length + 1;
    offset += Math.max(0, (column || 1) - 1);
    area.focus();
    area.setSelectionRange(offset, offset);
    const height = area.scrollHeight / Math.max(1, lines.length);
    area.scrollTop = Math.max(0, (line - 4) * height);
  }

  // -- lint as you type --------------------------------------------------------------------------------

  async function check() {
    const sequence = ++state.sequence;
    const text = $("brief-text").value;
    try {
      const result = await cb.json("/studio/v1/lint", { method: "POST", json: { text, preview: cb.lintPreview() } });
      if (sequence !== state.sequence) return;
      showFindings(result);
      if (result.loaded) {
        state.shotData = Object.fromEntries(result.shots.map((shot) => [shot.id, shot]));
        setShots(result.shots.map((shot) => shot.id));
        fillForm();
        preview();
        plan();
      }
    } catch (error) {
      if (sequence === state.sequence) $("brief-summary").textContent = error.message;
    }
  }

  const RANK = { error: 3, warning: 2, info: 1 };

  function showFindings({ diagnostics, summary, loaded }) {
    const marks = new Map();
    const items = diagnostics.map((d) => {
      const where = d.location || {};
      if (where.line && (RANK[d.severity] > (RANK[marks.get(where.line)] || 0))) marks.set(where.line, d.severity);
      const item = cb.element("li", `finding severity-${d.severity}`);
      item.dataset.code = d.code;
      if (where.line) item.dataset.line = String(where.line);
      const head = cb.element("div", "finding-head");
      const jump = cb.element("button", "finding-where quiet", where.line ? `${where.line}:${where.column || 1}` : "brief");
      jump.type = "button";
      jump.setAttribute("aria-label", `Go to line ${where.line || 1}`);
      jump.addEventListener("click", () => goToLine(where.line || 1, where.column));
      head.append(jump, cb.element("span", "finding-code", d.code), cb.element("span", "finding-name", d.name));
      item.append(head, cb.element("p", "finding-message", d.message));
      if (d.help) item.append(cb.element("p", "finding-help", d.help));
      return item;
    });
    drawGutter(marks);
    $("brief-findings").replaceChildren(...items);
    $("brief-summary").textContent = !loaded
      ? "The brief does not load yet: fix the schema errors first."
      : diagnostics.length
        ? `${cb.plural(summary.error, "error")}, ${cb.plural(summary.warning, "warning")}, ${summary.info} info`
        : "Clean: no findings.";
  }

  // -- shots: the form, the prompt and the run's choice -------------------------------------------------

  function setShots(shots) {
    if (shots.join("\n") === state.shots.join("\n")) return;
    state.shots = shots;
    for (const id of ["form-shot", "run-shots"]) {
      const select = $(id);
      const previous = select.value;
      const first = id === "run-shots" ? [new Option("every shot", "")] : [];
      select.replaceChildren(...first, ...shots.map((shot) => new Option(shot, shot)));
      if ([...select.options].some((o) => o.value === previous)) select.value = previous;
    }
  }

  // The form shows the selected shot as the server read it from the text in the editor.
  function fillForm() {
    const shot = state.shotData[$("form-shot").value];
    if (!shot || $("shot-form").contains(document.activeElement)) return; // never under the user's hands
    $("form-scene").value = shot.scene || "";
    for (const key of ["framing", "angle", "move", "lens", "focus"]) $(`form-${key}`).value = (shot.camera || {})[key] || "";
    for (const key of ["lighting", "mood", "sound"]) $(`form-${key}`).value = shot[key] || "";
    $("form-actions").value = (shot.actions || []).join("\n");
    $("form-dialogue").value = (shot.dialogue || []).map((d) => (d.speaker ? `${d.speaker}: ${d.line}` : d.line)).join("\n");
  }

  $("form-shot").addEventListener("change", () => { fillForm(); preview(); });

  $("shot-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = $("form-error");
    error.hidden = true;
    const lines = (id) => $(id).value.split("\n").map((line) => line.trim()).filter(Boolean);
    const camera = Object.fromEntries(["framing", "angle", "move", "lens", "focus"].map((k) => [k, $(`form-${k}`).value]));
    const dialogue = lines("form-dialogue").map((line) => {
      const match = line.match(/^([^:]{1,60}):\s*(.+)$/);
      return match ? { speaker: match[1].trim(), line: match[2].trim() } : { line };
    });
    const body = {
      text: $("brief-text").value,
      shot_id: $("form-shot").value,
      scene: $("form-scene").value,
      camera,
      lighting: $("form-lighting").value,
      mood: $("form-mood").value,
      actions: lines("form-actions"),
      dialogue,
      sound: $("form-sound").value,
    };
    try {
      const result = await cb.json("/studio/v1/form", { method: "POST", json: body });
      setText(result.text);
    } catch (failure) {
      error.textContent = failure.message;
      error.hidden = false;
    }
  });

  async function preview() {
    const shotId = $("form-shot").value;
    if (!shotId) return;
    try {
      const result = await cb.json("/studio/v1/prompts", {
        method: "POST", json: { text: $("brief-text").value, shot_id: shotId },
      });
      $("prompt-preview").textContent = result.prompts[$("prompt-style").value];
      $("prompt-title").textContent = `Prompt · ${shotId} (a run sends ${result.style})`;
    } catch (error) {
      $("prompt-preview").textContent = error.message;
    }
  }

  $("prompt-style").addEventListener("change", preview);

  // -- plan and run ----------------------------------------------------------------------------------

  function runChoices() {
    const variants = Number($("run-variants").value) || 1;
    const budgetText = $("run-budget").value.trim();
    return { variants, budget: budgetText === "" ? null : Number(budgetText) };
  }

  const money = (value) => (value === null || value === undefined ? "unknown" : `$${value.toFixed(2)}`);

  async function plan() {
    const { variants, budget } = runChoices();
    try {
      const result = await cb.json("/studio/v1/plan", {
        method: "POST", json: { text: $("brief-text").value, variants, budget },
      });
      const table = cb.element("table", "plan-table");
      const head = table.createTHead().insertRow();
      for (const label of ["clip", "seconds", "model", "seed", "cost"]) head.append(cb.element("th", "", label));
      const body = table.createTBody();
      for (const clip of result.clips) {
        const row = body.insertRow();
        for (const value of [clip.clip_id, clip.seconds, clip.model, clip.seed, money(clip.cost_usd)]) {
          row.insertCell().textContent = String(value);
        }
      }
      const times = Object.entries(result.time_seconds)
        .map(([backend, seconds]) => `${backend} ${seconds === null ? "unknown" : `~${Math.round(seconds)} s`}`).join(", ");
      const verdict = cb.element("p", result.budget.allowed ? "verdict ok" : "verdict over", `Budget: ${result.budget.verdict}`);
      $("plan").replaceChildren(
        table,
        cb.element("p", "", `Cut ${result.seconds} s · ${result.clips.length} clips · ${money(result.cost_usd)} at Sora 2 list prices`),
        cb.element("p", "muted", `Estimated time: ${times}`),
        verdict,
      );
      $("start-run").disabled = !result.budget.allowed;
    } catch (error) {
      $("plan").replaceChildren(cb.element("p", "error", error.message));
    }
  }

  $("run-variants").addEventListener("input", plan);
  $("run-budget").addEventListener("input", plan);

  $("start-run").addEventListener("click", async () => {
    const error = $("run-error");
    error.hidden = true;
    $("start-run").disabled = true;
    try {
      const brief = await save();
      const { variants, budget } = runChoices();
      const shots = $("run-shots").value ? [$("run-shots").value] : null;
      const run = await cb.json("/studio/v1/runs", {
        method: "POST", json: { brief_id: brief.id, version: brief.version, variants, budget, shots },
      });
      location.hash = `run=${run.id}`;
    } catch (failure) {
      error.textContent = failure.message;
      error.hidden = false;
    } finally {
      $("start-run").disabled = false;
    }
  });

  // -- entering the view -----------------------------------------------------------------------------

  document.addEventListener("cinebrief:view", async ({ detail }) => {
    if (detail.view !== "brief") return;
    // A new brief starts from the example at once, and only in an empty editor: typing is never overwritten.
    if (!detail.argument && !state.briefId && !$("brief-text").value) setText(STARTER);
    try {
      await loadList(detail.argument || state.briefId);
      if (detail.argument && detail.argument !== state.briefId) await open(detail.argument);
    } catch (error) {
      $("brief-summary").textContent = error.message;
    }
  });
})();
