// cinebrief studio, shared by every view: the API key, calls to this server, events streams, media URLs.
"use strict";

window.cinebrief = (() => {
  const KEY_STORAGE = "cinebrief.apiKey";
  const shared = {
    key: sessionStorage.getItem(KEY_STORAGE) || "",
    onUnauthorized: null, // set by the page: shows the key panel with the server's message
  };

  class ApiError extends Error {
    constructor(status, message, code, param) {
      super(message);
      this.status = status;
      this.code = code;
      this.param = param;
    }
  }

  function setKey(key) {
    shared.key = key;
    if (key) sessionStorage.setItem(KEY_STORAGE, key);
    else sessionStorage.removeItem(KEY_STORAGE);
  }

  function headers(extra = {}) {
    return shared.key ? { ...extra, Authorization: `Bearer ${shared.key}` } : extra;
  }

  // OpenAI's envelope {"error": {"message", ...}} becomes an ApiError carrying the server's own words.
  async function failure(response) {
    let message = `${response.status} ${response.statusText}`;
    let code = null;
    let param = null;
    try {
      const body = await response.json();
      if (body && body.error && body.error.message) ({ message, code, param } = body.error);
    } catch (_) { /* not JSON: keep the status line */ }
    if (response.status === 401 && shared.onUnauthorized) shared.onUnauthorized(message);
    return new ApiError(response.status, message, code, param);
  }

  async function api(path, { method = "GET", json, form, signal } = {}) {
    const options = { method, headers: headers(), signal };
    if (json !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(json);
    } else if (form !== undefined) {
      options.body = form; // the browser writes the multipart boundary
    }
    let response;
    try {
      response = await fetch(path, options);
    } catch (error) {
      if (error.name === "AbortError") throw error;
      throw new ApiError(0, `The server did not answer (${error.message}).`, null, null);
    }
    if (!response.ok) throw await failure(response);
    return response;
  }

  const json = async (path, options) => (await api(path, options)).json();

  // Server-sent events read with fetch, so that they can carry the Authorization header.
  async function readEvents(path, signal, onData) {
    const response = await api(path, { signal });
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      const blocks = buffer.split(/\r?\n\r?\n/);
      buffer = blocks.pop();
      for (const block of blocks) {
        const data = block.split(/\r?\n/).filter((line) => line.startsWith("data:"))
          .map((line) => line.slice(5).trimStart()).join("\n");
        if (data) onData(JSON.parse(data));
      }
    }
  }

  // Without a key a URL plays with Range requests; with one, the file is fetched with it into a blob.
  async function mediaUrl(path, owned) {
    if (!shared.key) return path;
    const url = URL.createObjectURL(await (await api(path)).blob());
    if (owned) owned.push(url);
    return url;
  }

  async function download(path, filename) {
    const url = URL.createObjectURL(await (await api(path)).blob());
    const anchor = element("a");
    anchor.href = url;
    anchor.download = filename;
    anchor.click();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  // The linter's preview rules, on or off for every lint call of the page; kept across visits.
  const PREVIEW_STORAGE = "cinebrief.lintPreview";
  const previewBox = document.getElementById("lint-preview");
  previewBox.checked = localStorage.getItem(PREVIEW_STORAGE) === "1";
  previewBox.addEventListener("change", () => {
    localStorage.setItem(PREVIEW_STORAGE, previewBox.checked ? "1" : "0");
    document.dispatchEvent(new CustomEvent("cinebrief:lint-preview"));
  });
  const lintPreview = () => previewBox.checked;

  const contentPath = (id, variant) => `/v1/videos/${encodeURIComponent(id)}/content?variant=${variant}`;
  const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

  // Views by the URL's hash: #brief[=ID], #run[=ID], #clips. Each view's script listens for "cinebrief:view".
  const VIEWS = { brief: "brief-view", run: "run-view", clips: "studio" };
  const self = { connected: false };

  function route() {
    if (!self.connected) return;
    const [name, argument] = decodeURIComponent(location.hash.slice(1)).split("=");
    const view = VIEWS[name] ? name : "brief";
    for (const [key, id] of Object.entries(VIEWS)) document.getElementById(id).hidden = key !== view;
    for (const link of document.querySelectorAll(".views a")) {
      if (link.dataset.view === view) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
    document.querySelector(".views").hidden = false;
    document.dispatchEvent(new CustomEvent("cinebrief:view", { detail: { view, argument: argument || null } }));
  }
  window.addEventListener("hashchange", route);

  return Object.assign(self, { route, shared, ApiError, setKey, api, json, readEvents, mediaUrl, download, element, contentPath, plural, lintPreview });
})();
