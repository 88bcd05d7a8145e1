// cinebrief studio: a client of this server's /v1 API, nothing more. No dependencies, no network beyond /v1.
"use strict";

(() => {
  const TERMINAL = new Set(["completed", "failed"]);
  const LINT_DELAY_MS = 350;
  const STREAM_RETRY_MS = 2000;

  const $ = (id) => document.getElementById(id);
  const state = {
    keyRequired: false,
    contract: null,
    models: [],
    cards: new Map(), // video id -> {element, video, stream: AbortController | null, media: string[]}
    lintSequence: 0,
    lintTimer: 0,
  };

  const { api, contentPath, readEvents } = window.cinebrief;
  const shared = window.cinebrief.shared;
  shared.onUnauthorized = (message) => showKeyPanel(message);

  // -- key ------------------------------------------------------------------------------------------

  function showKeyPanel(message) {
    state.keyRequired = true;
    window.cinebrief.connected = false;
    for (const view of document.querySelectorAll(".view")) view.hidden = true;
    $("key-panel").hidden = false;
    $("server-note").textContent = "This server needs an API key.";
    const error = $("key-error");
    error.hidden = !shared.key;
    error.textContent = shared.key ? message : "";
    $("key-input").focus();
  }

  $("key-form").addEventListener("submit", (event) => {
    event.preventDefault();
    window.cinebrief.setKey($("key-input").value.trim());
    connect();
  });

  $("forget-key").addEventListener("click", () => {
    window.cinebrief.setKey("");
    for (const card of state.cards.values()) dropCard(card);
    showKeyPanel("");
  });

  // -- start ----------------------------------------------------------------------------------------

  async function connect() {
    try {
      // Both at once: the page is usable one round trip sooner.
      const contract = state.contract ? Promise.resolve(state.contract) : fetch("/studio/contract.json").then((r) => r.json());
      const [loaded, models] = await Promise.all([contract, api("/v1/models").then((r) => r.json())]);
      state.contract = loaded;
      state.models = models.data;
    } catch (error) {
      if (error.status !== 401) $("server-note").textContent = error.message;
      return;
    }
    $("key-panel").hidden = true;
    window.cinebrief.connected = true;
    window.cinebrief.route();
    $("forget-key").hidden = !state.keyRequired;
    const count = state.models.length;
    $("server-note").textContent =
      `${location.host} · ${count} model${count === 1 ? "" : "s"} · contract profile ${state.contract.profile}`;
    fillModels();
    loadVideos();
  }

  // -- model, size and seconds ----------------------------------------------------------------------

  function options(select, values, preferred) {
    const previous = select.value;
    select.replaceChildren(...values.map(([value, label]) => new Option(label, value)));
    const keep = [previous, preferred].find((value) => values.some(([v]) => v === value));
    select.value = keep !== undefined ? keep : values.length ? values[0][0] : "";
  }

  function fillModels() {
    const usable = state.models.map((model) => [model.id, model.error ? `${model.id} (unavailable)` : model.id]);
    options($("model"), usable, state.contract.defaults.model);
    fillParameters();
  }

  const selectedModel = () => state.models.find((model) => model.id === $("model").value);

  // Official model names take the contract's sizes and seconds; any other model its backend's capabilities.
  function choices(model) {
    const spec = state.contract.models[model.id];
    const capabilities = model.capabilities;
    if (spec) return { sizes: spec.sizes, seconds: spec.seconds, anySize: false };
    if (!capabilities) return { sizes: [], seconds: [], anySize: false };
    if (capabilities.sizes.length) return { sizes: capabilities.sizes, seconds: capabilities.seconds, anySize: false };
    const multiple = capabilities.size_multiple;
    const fits = (size) => size.split("x").every((side) => Number(side) % multiple === 0);
    return { sizes: state.contract.all_sizes.filter(fits), seconds: capabilities.seconds, anySize: true };
  }

  function describe(model) {
    if (!model.capabilities) return `Unavailable: ${model.error || "the backend did not load"}`;
    const c = model.capabilities;
    const parts = [`${c.backend} backend`, `${c.fps} fps`, `up to ${c.max_seconds} s`];
    if (c.image_to_video) parts.push("image to video");
    if (c.audio) parts.push("audio");
    if (!c.sizes.length) parts.push(`any size, sides multiple of ${c.size_multiple}`);
    return parts.join(" · ") + (c.notes ? `. ${c.notes}` : "");
  }

  function fillParameters() {
    const model = selectedModel();
    if (!model) return;
    const { sizes, seconds, anySize } = choices(model);
    const sizeChoices = sizes.map((size) => [size, size.replace("x", " × ")]);
    if (anySize) sizeChoices.push(["custom", "Custom…"]);
    options($("size"), sizeChoices, state.contract.defaults.size);
    options($("seconds"), seconds.map((s) => [s, `${s} s`]), state.contract.defaults.seconds);
    $("capabilities").textContent = describe(model);
    $("generate").disabled = !model.capabilities;
    showCustomSize();
  }

  function showCustomSize() {
    $("custom-size-field").hidden = $("size").value !== "custom";
  }

  function chosenSize() {
    return $("size").value === "custom" ? $("custom-size").value.trim() : $("size").value;
  }

  $("model").addEventListener("change", () => { fillParameters(); scheduleLint(); });
  $("size").addEventListener("change", () => { showCustomSize(); scheduleLint(); });
  $("seconds").addEventListener("change", scheduleLint);
  $("custom-size").addEventListener("input", scheduleLint);
  document.addEventListener("cinebrief:lint-preview", scheduleLint);

  // -- lint as you type -----------------------------------------------------------------------------

  function scheduleLint() {
    clearTimeout(state.lintTimer);
    state.lintTimer = setTimeout(lint, LINT_DELAY_MS);
  }

  async function lint() {
    const prompt = $("prompt").value;
    const sequence = ++state.lintSequence;
    if (!prompt.trim()) {
      $("lint-summary").textContent = "type a prompt to lint it";
      $("findings").replaceChildren();
      return;
    }
    // The server's linter knows the models it routes: the parameters are checked with the prose.
    const body = {
      prompt, profile: state.contract.profile, model: $("model").value, seconds: $("seconds").value,
      preview: window.cinebrief.lintPreview(),
    };
    if (chosenSize()) body.size = chosenSize();
    try {
      const result = await (await api("/v1/lint", { method: "POST", json: body })).json();
      if (sequence === state.lintSequence) showFindings(result);
    } catch (error) {
      if (sequence === state.lintSequence) $("lint-summary").textContent = error.message;
    }
  }

  const { element } = window.cinebrief;

  function showFindings({ diagnostics }) {
    const counts = { error: 0, warning: 0, info: 0 };
    const items = diagnostics.map((d) => {
      counts[d.severity] += 1;
      const item = element("li", `finding severity-${d.severity}`); // not `.error`: that is the alert style
      item.dataset.code = d.code;
      const head = element("div", "finding-head");
      head.append(element("span", "finding-code", d.code), element("span", "finding-name", d.name));
      const where = d.location || {};
      if (where.line) head.append(element("span", "finding-where", `${where.line}:${where.column || 1}`));
      item.append(head, element("p", "finding-message", d.message));
      const help = d.help || (d.fix && d.fix.message);
      if (help) item.append(element("p", "finding-help", help));
      return item;
    });
    const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
    $("lint-summary").textContent = diagnostics.length
      ? `${plural(counts.error, "error")}, ${plural(counts.warning, "warning")}, ${counts.info} info`
      : "clean";
    if (!items.length) items.push(element("li", "clean", "No findings: the prompt reads as a brief."));
    $("findings").replaceChildren(...items);
  }

  $("prompt").addEventListener("input", scheduleLint);

  // -- create ---------------------------------------------------------------------------------------

  $("create-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = $("create-error");
    error.hidden = true;
    const form = new FormData();
    form.append("prompt", $("prompt").value);
    form.append("model", $("model").value);
    form.append("size", chosenSize());
    form.append("seconds", $("seconds").value);
    const reference = $("input-reference").files[0];
    if (reference) form.append("input_reference", reference, reference.name);
    $("generate").disabled = true;
    $("create-note").textContent = "Submitting…";
    try {
      const video = await (await api("/v1/videos", { method: "POST", form })).json();
      showVideo(video, { first: true });
      $("create-note").textContent = "Queued: follow it in the list.";
    } catch (refusal) {
      error.textContent = refusal.message;
      error.hidden = false;
      $("create-note").textContent = "";
    } finally {
      $("generate").disabled = !(selectedModel() || {}).capabilities;
    }
  });

  // -- the list -------------------------------------------------------------------------------------

  async function loadVideos() {
    $("list-error").hidden = true;
    try {
      const page = await (await api("/v1/videos?limit=50&order=desc")).json();
      const seen = new Set(page.data.map((video) => video.id));
      for (const [id, card] of state.cards) if (!seen.has(id)) dropCard(card);
      for (const video of page.data.slice().reverse()) showVideo(video, { first: true });
    } catch (error) {
      if (error.status === 401) return;
      $("list-error").textContent = error.message;
      $("list-error").hidden = false;
    }
    updateEmpty();
  }

  $("refresh").addEventListener("click", loadVideos);

  function updateEmpty() {
    $("empty").hidden = state.cards.size > 0;
  }

  function showVideo(video, { first = false } = {}) {
    let card = state.cards.get(video.id);
    if (!card) {
      card = newCard(video);
      state.cards.set(video.id, card);
    }
    const list = $("video-list");
    if (first && list.firstElementChild !== card.element) list.prepend(card.element);
    updateCard(card, video);
    if (!TERMINAL.has(video.status) && !card.stream) follow(card);
    updateEmpty();
    return card;
  }

  function newCard(video) {
    const element_ = $("video-template").content.firstElementChild.cloneNode(true);
    element_.dataset.id = video.id;
    const card = { element: element_, video, stream: null, media: [], mediaShown: false };
    const part = (selector) => element_.querySelector(selector);
    part(".video-id").textContent = video.id;
    part(".video-id").title = video.id;
    part(".remix").addEventListener("submit", (event) => { event.preventDefault(); remix(card); });
    part(".delete").addEventListener("click", () => remove(card));
    part("video").addEventListener("error", () => cardError(card, "The video file could not be loaded."));
    return card;
  }

  function updateCard(card, video) {
    card.video = video;
    const part = (selector) => card.element.querySelector(selector);
    card.element.className = `video card ${video.status}`;
    part(".status").className = `status ${video.status}`;
    part(".status").textContent = video.status.replace("_", " ");
    const created = new Date(video.created_at * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    part(".meta").textContent = `${video.model} · ${video.size} · ${video.seconds} s · ${created}`;
    part(".video-prompt").textContent = video.prompt;
    part(".video-prompt").title = video.prompt;
    const lineage = part(".lineage");
    lineage.hidden = !video.remixed_from_video_id;
    lineage.textContent = video.remixed_from_video_id ? `remix of ${video.remixed_from_video_id}` : "";
    const progress = video.status === "completed" ? 100 : video.progress;
    part(".progress").setAttribute("aria-valuenow", String(progress));
    part(".progress-fill").style.width = `${progress}%`;
    part(".progress").hidden = video.status === "completed" && card.mediaShown;
    if (video.status === "failed") cardError(card, (video.error && video.error.message) || "The job failed.");
    if (video.status === "completed" && !card.mediaShown) showMedia(card);
  }

  function cardError(card, message) {
    const error = card.element.querySelector(".video-error");
    error.textContent = message;
    error.hidden = !message;
  }

  function dropCard(card) {
    if (card.stream) card.stream.abort();
    for (const url of card.media) URL.revokeObjectURL(url);
    card.element.remove();
    state.cards.delete(card.video.id);
    updateEmpty();
  }

  // -- live progress: the SSE stream read with fetch, so that it can carry the Authorization header ------

  async function follow(card) {
    const controller = new AbortController();
    card.stream = controller;
    const id = card.video.id;
    try {
      await readEvents(`/v1/videos/${encodeURIComponent(id)}/events`, controller.signal, (video) => updateCard(card, video));
    } catch (error) {
      if (error.name === "AbortError") return;
      if (error.status === 404) { dropCard(card); return; }
      if (error.status === 401) return; // the key panel is up; connecting again follows the list anew
    } finally {
      if (card.stream === controller) card.stream = null;
    }
    // The stream ended or broke before a terminal status (server restart, proxy timeout): read again shortly.
    if (!TERMINAL.has(card.video.status) && state.cards.get(id) === card) {
      setTimeout(() => { if (!card.stream && state.cards.get(id) === card) follow(card); }, STREAM_RETRY_MS);
    }
  }

  // -- finished media: direct URLs without a key (Range requests); with a key, blobs fetched with it ----

  async function mediaUrl(card, variant) {
    if (!shared.key) return contentPath(card.video.id, variant);
    const blob = await (await api(contentPath(card.video.id, variant))).blob();
    const url = URL.createObjectURL(blob);
    card.media.push(url);
    return url;
  }

  async function showMedia(card) {
    card.mediaShown = true;
    const part = (selector) => card.element.querySelector(selector);
    const video = part("video");
    const [width, height] = card.video.size.split("x");
    video.style.aspectRatio = `${width} / ${height}`; // holds the frame's shape before the metadata arrives
    try {
      video.poster = await mediaUrl(card, "thumbnail");
      video.src = await mediaUrl(card, "video");
    } catch (error) {
      cardError(card, error.message);
    }
    part(".player").hidden = false;
    part(".progress").hidden = true;
    part(".remix").hidden = false;
    part(".downloads").hidden = false;
    for (const link of part(".downloads").querySelectorAll("a")) {
      const variant = link.dataset.variant;
      const suffix = { video: "mp4", thumbnail: "webp", spritesheet: "jpg" }[variant];
      link.download = `${card.video.id}.${suffix}`;
      if (!shared.key) {
        link.href = contentPath(card.video.id, variant);
      } else {
        link.href = "#";
        link.addEventListener("click", (event) => { event.preventDefault(); download(card, variant, link.download); });
      }
    }
  }

  async function download(card, variant, filename) {
    try {
      const blob = await (await api(contentPath(card.video.id, variant))).blob();
      const url = URL.createObjectURL(blob);
      const anchor = element("a");
      anchor.href = url;
      anchor.download = filename;
      anchor.click();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (error) {
      cardError(card, error.message);
    }
  }

  // -- remix and delete -----------------------------------------------------------------------------

  async function remix(card) {
    const input = card.element.querySelector(".remix input");
    const button = card.element.querySelector(".remix button");
    cardError(card, "");
    button.disabled = true;
    try {
      const path = `/v1/videos/${encodeURIComponent(card.video.id)}/remix`;
      const video = await (await api(path, { method: "POST", json: { prompt: input.value } })).json();
      input.value = "";
      showVideo(video, { first: true });
    } catch (error) {
      cardError(card, error.message);
    } finally {
      button.disabled = false;
    }
  }

  // Two clicks: the first arms the button for a few seconds, the second deletes.
  async function remove(card) {
    const button = card.element.querySelector(".delete");
    if (!button.classList.contains("danger")) {
      button.classList.add("danger");
      button.textContent = "Delete? Click again";
      setTimeout(() => { button.classList.remove("danger"); button.textContent = "Delete"; }, 4000);
      return;
    }
    cardError(card, "");
    try {
      await api(`/v1/videos/${encodeURIComponent(card.video.id)}`, { method: "DELETE" });
      dropCard(card);
    } catch (error) {
      cardError(card, error.message);
    }
  }

  connect();
})();
