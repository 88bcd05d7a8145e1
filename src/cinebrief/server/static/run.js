// cinebrief studio, the run view: a timeline row per shot with each take's progress (from the run's events
// stream, picked up again after a reload), takes side by side on one transport, pick, remix with the one-change
// check, the lineage tree of the shot, and the cut with its shot boundaries and downloads.
"use strict";

(() => {
  const cb = window.cinebrief;
  const $ = (id) => document.getElementById(id);
  const RETRY_MS = 1000;
  const REMIX_CHECK_DELAY_MS = 250;
  const state = {
    runId: null,
    run: null,
    stream: null, // AbortController of the events stream
    media: [], // blob: URLs to revoke when the run changes
    keys: {}, // what each part was last drawn from, so that playing videos are not rebuilt
    prompts: new Map(), // video id -> prompt, for the one-change check
    checkSequence: 0,
    checkTimer: 0,
  };

  const runPath = (suffix = "") => `/studio/v1/runs/${encodeURIComponent(state.runId)}${suffix}`;
  const takeLabel = (take) => (take.parts > 1 ? `take ${take.variant} · part ${take.part}` : `take ${take.variant}`);

  // -- choosing and following a run -------------------------------------------------------------------

  async function loadList() {
    const list = await cb.json("/studio/v1/runs");
    const select = $("run-select");
    select.replaceChildren(...list.data.map((run) => {
      const when = new Date(run.created_at * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
      return new Option(`${run.brief_id} v${run.brief_version} · ${when} · ${run.status}`, run.id);
    }));
    return list.data;
  }

  $("run-select").addEventListener("change", () => { location.hash = `run=${$("run-select").value}`; });

  function follow(runId) {
    if (state.stream) state.stream.abort();
    if (runId !== state.runId) {
      for (const url of state.media) URL.revokeObjectURL(url);
      state.media = [];
      state.keys = {};
    }
    state.runId = runId;
    const controller = new AbortController();
    state.stream = controller;
    cb.readEvents(runPath("/events"), controller.signal, render)
      .catch((error) => {
        if (error.name === "AbortError") return;
        $("run-note").textContent = error.message;
        if (error.status === 404 || error.status === 401) controller.abort();
      })
      .finally(() => {
        // The stream broke (a server restart, a proxy): connect again while this run is still the one shown.
        if (!controller.signal.aborted && state.stream === controller) setTimeout(() => {
          if (state.stream === controller && !$("run-view").hidden) follow(runId);
        }, RETRY_MS);
      });
  }

  // -- drawing the run ---------------------------------------------------------------------------------

  function render(run) {
    state.run = run;
    $("run-select").value = run.id;
    $("run-title").textContent = run.title ? `Run · ${run.title}` : "Run";
    const status = $("run-status");
    status.className = `status ${run.status}`;
    status.textContent = run.status;
    const takes = run.shots.flatMap((shot) => shot.takes);
    const done = takes.filter((take) => take.status === "completed").length;
    $("run-note").textContent =
      `${run.id} · brief ${run.brief_id} v${run.brief_version} · ${run.variants} take(s) per shot · ${done}/${takes.length} clips done`;
    $("run-message").hidden = !run.message;
    $("run-message").textContent = run.message || "";
    drawTimeline(run);
    drawShotChoice(run);
    drawTakes(run);
    drawLineage(run);
    drawCut(run);
  }

  function changedKey(part, value) {
    const key = JSON.stringify(value);
    if (state.keys[part] === key) return false;
    state.keys[part] = key;
    return true;
  }

  function drawTimeline(run) {
    const rows = run.shots.map((shot) => {
      const row = cb.element("li", "shot-row");
      row.dataset.shot = shot.id;
      row.append(cb.element("span", "shot-name", shot.id));
      const bars = cb.element("div", "take-bars");
      for (const take of shot.takes) {
        const progress = take.status === "completed" ? 100 : take.progress;
        const bar = cb.element("div", `take-bar ${take.status}${take.picked ? " picked" : ""}`);
        bar.dataset.clip = take.clip_id;
        bar.setAttribute("role", "progressbar");
        bar.setAttribute("aria-valuemin", "0");
        bar.setAttribute("aria-valuemax", "100");
        bar.setAttribute("aria-valuenow", String(progress));
        bar.setAttribute("aria-label", `${shot.id} ${takeLabel(take)}: ${take.status}`);
        const fill = cb.element("div", "take-fill");
        fill.style.width = `${progress}%`;
        bar.append(fill, cb.element("span", "take-text", `${takeLabel(take)} · ${take.status.replace("_", " ")} ${progress}%`));
        bars.append(bar);
      }
      row.append(bars);
      return row;
    });
    $("timeline").replaceChildren(...rows);
  }

  function drawShotChoice(run) {
    const select = $("takes-shot");
    const ids = run.shots.map((shot) => shot.id);
    if (changedKey("shots", ids)) {
      const previous = select.value;
      select.replaceChildren(...ids.map((id) => new Option(id, id)));
      if (ids.includes(previous)) select.value = previous;
    }
  }

  const selectedShot = () => (state.run ? state.run.shots.find((shot) => shot.id === $("takes-shot").value) : null);

  $("takes-shot").addEventListener("change", () => { state.keys = { shots: state.keys.shots }; render(state.run); });

  // -- takes side by side, one transport ----------------------------------------------------------------

  function drawTakes(run) {
    const shot = selectedShot();
    if (!shot) return;
    const key = shot.takes.map((t) => [t.job_id, t.status === "completed", t.picked]);
    if (!changedKey("takes", [shot.id, key, run.status])) return;
    const items = shot.takes.map((take) => {
      const item = cb.element("li", `take${take.picked ? " picked" : ""}`);
      item.dataset.variant = String(take.variant);
      item.dataset.clip = take.clip_id;
      if (take.job_id) item.dataset.job = take.job_id;
      const video = cb.element("video");
      video.muted = take.variant !== 1; // one soundtrack: the first take's
      video.playsInline = true;
      video.preload = "auto";
      video.setAttribute("aria-label", `${shot.id} ${takeLabel(take)}`);
      if (take.status === "completed" && take.job_id) {
        cb.mediaUrl(cb.contentPath(take.job_id, "video"), state.media).then((url) => { video.src = url; });
      }
      const caption = cb.element("p", "take-caption");
      caption.append(cb.element("strong", "", takeLabel(take)), ` · seed ${take.seed} · ${take.status.replace("_", " ")}`);
      const pick = cb.element("button", "pick", take.picked ? "In the cut" : "Pick for the cut");
      pick.type = "button";
      pick.setAttribute("aria-pressed", String(take.picked));
      pick.disabled = take.picked || run.status === "refused";
      pick.addEventListener("click", () => choose(shot.id, take.variant, pick));
      item.append(video, caption, pick);
      return item;
    });
    $("takes").replaceChildren(...items);
    $("takes-play").textContent = "Play";
    const findings = shot.findings.map((d) => {
      const item = cb.element("li", `finding severity-${d.severity}`);
      item.dataset.code = d.code;
      const head = cb.element("div", "finding-head");
      head.append(cb.element("span", "finding-code", d.code), cb.element("span", "finding-name", d.name));
      item.append(head, cb.element("p", "finding-message", d.message));
      return item;
    });
    if (!findings.length) findings.push(cb.element("li", "clean", "No lint findings for this shot."));
    $("shot-findings").replaceChildren(...findings);
  }

  const takeVideos = () => [...$("takes").querySelectorAll("video")].filter((video) => video.src);

  $("takes-play").addEventListener("click", () => {
    const videos = takeVideos();
    if (!videos.length) return;
    const playing = !videos[0].paused;
    const start = videos[0].ended ? 0 : videos[0].currentTime;
    for (const video of videos) {
      if (playing) video.pause();
      else { video.currentTime = start; video.play().catch(() => {}); }
    }
    $("takes-play").textContent = playing ? "Play" : "Pause";
  });

  $("takes-seek").addEventListener("input", () => {
    const videos = takeVideos();
    if (!videos.length || !videos[0].duration) return;
    const time = (Number($("takes-seek").value) / 1000) * videos[0].duration;
    for (const video of videos) video.currentTime = Math.min(time, video.duration || time);
  });

  // The first take leads: the others follow it within a tenth of a second.
  $("takes").addEventListener("timeupdate", (event) => {
    const [leader, ...others] = takeVideos();
    if (event.target !== leader || !leader.duration) return;
    $("takes-seek").value = String(Math.round((leader.currentTime / leader.duration) * 1000));
    for (const video of others) {
      if (Math.abs(video.currentTime - leader.currentTime) > 0.1 && leader.currentTime < (video.duration || 0)) {
        video.currentTime = leader.currentTime;
      }
    }
    if (leader.ended) $("takes-play").textContent = "Play";
  }, true);

  async function choose(shotId, variant, button) {
    button.disabled = true;
    try {
      render(await cb.json(runPath("/picks"), { method: "POST", json: { shot_id: shotId, variant } }));
    } catch (error) {
      $("run-message").textContent = error.message;
      $("run-message").hidden = false;
      button.disabled = false;
    }
  }

  // -- remix and lineage -----------------------------------------------------------------------------------

  function drawLineage(run) {
    const shot = selectedShot();
    if (!shot) return;
    const nodes = shot.lineage;
    if (!changedKey("lineage", [shot.id, nodes.map((n) => [n.id, n.status, n.parent])])) return;
    const byParent = new Map();
    for (const node of nodes) {
      if (!byParent.has(node.parent)) byParent.set(node.parent, []);
      byParent.get(node.parent).push(node);
    }
    const takeOf = new Map(shot.takes.map((take) => [take.job_id, take]));
    const branch = (parent) => (byParent.get(parent) || []).map((node) => {
      const item = cb.element("li", "lineage-node");
      item.dataset.id = node.id;
      if (node.change) item.append(cb.element("span", "edge", `“${node.change}”${node.changed ? ` (${node.changed})` : ""}`));
      const button = cb.element("button", `node ${node.status}`);
      button.type = "button";
      const take = takeOf.get(node.id);
      const label = take ? takeLabel(take) : "remix";
      button.setAttribute("aria-label", `Open ${label} ${node.id} (${node.status})`);
      const image = cb.element("img");
      image.alt = "";
      image.width = 96;
      image.height = 54;
      if (node.status === "completed") {
        cb.mediaUrl(cb.contentPath(node.id, "thumbnail"), state.media).then((url) => { image.src = url; });
      }
      const progress = node.status === "completed" ? "" : ` ${node.progress}%`;
      button.append(image, cb.element("span", "node-label", `${label} · ${node.status.replace("_", " ")}${progress}`));
      button.addEventListener("click", () => openNode(node, label));
      item.append(button);
      const children = branch(node.id);
      if (children.length) {
        const list = cb.element("ul");
        list.append(...children);
        item.append(list);
      }
      return item;
    });
    $("lineage").replaceChildren(...branch(null));
    const source = $("remix-source");
    const previous = source.value;
    const usable = nodes.filter((node) => node.status === "completed");
    source.replaceChildren(...usable.map((node) => {
      const take = takeOf.get(node.id);
      return new Option(take ? takeLabel(take) : `remix “${node.change}”`, node.id);
    }));
    if (usable.some((node) => node.id === previous)) source.value = previous;
    for (const take of shot.takes) if (take.job_id && take.prompt) state.prompts.set(take.job_id, take.prompt);
  }

  async function openNode(node, label) {
    if (node.status !== "completed") return;
    $("node-view").hidden = false;
    $("node-caption").textContent = `${label} · ${node.id}${node.change ? ` · change: ${node.change}` : ""}`;
    $("node-player").src = await cb.mediaUrl(cb.contentPath(node.id, "video"), state.media);
  }

  async function sourcePrompt(videoId) {
    if (!state.prompts.has(videoId)) {
      const video = await cb.json(`/v1/videos/${encodeURIComponent(videoId)}`);
      state.prompts.set(videoId, video.prompt);
    }
    return state.prompts.get(videoId);
  }

  // The linter's one-change rule, on the change as it is typed, before anything is sent.
  async function checkChange() {
    const sequence = ++state.checkSequence;
    const change = $("remix-change").value.trim();
    const source = $("remix-source").value;
    const note = $("remix-check");
    if (!change || !source) {
      note.textContent = "One change at a time: the linter checks it before it is sent.";
      note.className = "muted";
      $("remix-send").disabled = !change;
      return;
    }
    try {
      const remixOf = await sourcePrompt(source);
      const result = await cb.json("/v1/lint", {
        method: "POST",
        json: { prompt: change, remix_of: remixOf, select: ["remix-changes-more-than-one-thing"] },
      });
      if (sequence !== state.checkSequence) return;
      const [finding] = result.diagnostics;
      note.className = finding ? "check-refused" : "check-ok";
      note.textContent = finding ? `${finding.code} ${finding.name}: ${finding.message}` : "One change: ready to send.";
      $("remix-send").disabled = Boolean(finding);
    } catch (error) {
      if (sequence === state.checkSequence) note.textContent = error.message;
    }
  }

  const scheduleCheck = () => { clearTimeout(state.checkTimer); state.checkTimer = setTimeout(checkChange, REMIX_CHECK_DELAY_MS); };
  $("remix-change").addEventListener("input", scheduleCheck);
  $("remix-source").addEventListener("change", scheduleCheck);

  $("remix-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = $("remix-error");
    error.hidden = true;
    $("remix-send").disabled = true;
    try {
      await cb.json(runPath("/remixes"), {
        method: "POST", json: { video_id: $("remix-source").value, change: $("remix-change").value },
      });
      $("remix-change").value = "";
      $("remix-check").textContent = "Sent: the remix appears in the lineage below.";
    } catch (failure) {
      error.textContent = failure.message;
      error.hidden = false;
    } finally {
      $("remix-send").disabled = false;
    }
  });

  // -- the cut -------------------------------------------------------------------------------------------

  function drawCut(run) {
    const ready = run.status === "completed" && run.downloads.includes("final.mp4");
    $("cut").hidden = !ready;
    $("cut-note").textContent = ready
      ? `${run.cut.length} clips, ${run.cut.reduce((sum, clip) => sum + clip.seconds, 0)} s`
      : run.status === "running" ? "The cut is stitched when every picked take is done." : "No cut: see the run's message.";
    if (!ready || !changedKey("cut", [run.id, run.finished_at, run.cut])) return;
    const file = (name) => `${runPath(`/files/${name}`)}?at=${run.finished_at}`;
    cb.mediaUrl(file("final.mp4"), state.media).then((url) => { $("cut-player").src = url; });
    const total = run.cut.reduce((sum, clip) => sum + clip.seconds, 0) || 1;
    $("cut-timeline").replaceChildren(...run.cut.map((clip) => {
      const item = cb.element("li", "cut-segment");
      item.style.flexGrow = String(clip.seconds / total);
      item.dataset.shot = clip.shot_id;
      const button = cb.element("button", "quiet", `${clip.shot_id} · take ${clip.variant} · ${clip.start}–${clip.start + clip.seconds} s`);
      button.type = "button";
      button.addEventListener("click", () => { $("cut-player").currentTime = clip.start; });
      item.append(button);
      return item;
    }));
    const links = run.downloads.map((name) => {
      const link = cb.element("a", "", name);
      link.dataset.file = name;
      link.download = name;
      if (!cb.shared.key) {
        link.href = file(name);
      } else {
        link.href = "#";
        link.addEventListener("click", (event) => { event.preventDefault(); cb.download(file(name), name); });
      }
      return link;
    });
    $("downloads").replaceChildren("Download ", ...links);
  }

  // -- entering and leaving the view -----------------------------------------------------------------------

  document.addEventListener("cinebrief:view", async ({ detail }) => {
    if (detail.view !== "run") {
      if (state.stream) state.stream.abort();
      state.stream = null;
      return;
    }
    try {
      const runs = await loadList();
      const runId = detail.argument || (runs[0] && runs[0].id);
      if (!runId) {
        $("run-note").textContent = "No runs yet: write a brief and press Save and run.";
        return;
      }
      follow(runId);
    } catch (error) {
      $("run-note").textContent = error.message;
    }
  });
})();
