/* Alpine Air's web chat over the SkyDesk API (docs/api.md): sign in, trips, the streamed
 * answer with its tool steps, the approval card, rating, asking for a person and the desk's
 * messages live. Plain JS, no framework or build step.
 *
 * Safety: every text from the API (the model's, the passenger's, the desk's) goes into the page
 * with textContent or as a text node, never as HTML; nothing becomes a link or an image.
 * Tokens live in this script's memory only (not in storage another script could read).
 *
 * Embedding: <div id="skydesk-widget"></div> and <script src="https://API/widget/widget.js"
 * data-api="https://API" defer></script> (plus widget.css). The API address is the script's
 * data-api, else the script's own origin; deliberately not a page parameter, which a link
 * could set to send a passenger's password elsewhere. */
(() => {
  "use strict";

  const script = document.currentScript;
  const API = apiBase(script);
  const TOOL_NAMES = {
    get_passenger_trips: "Trip lookup",
    search_flights: "Flight search",
    quote_flight_change: "Price of the change",
    change_flight: "Flight change",
    cancel_ticket: "Cancellation",
    book_flight: "Booking",
    escalate_to_human: "Call for a person",
  };
  const HANDOFF_ACTIVE = new Set(["waiting", "held"]);

  const state = {
    access: null,
    refresh: null,
    refreshTimer: 0,
    conversationId: null,
    lastEventId: 0,
    lastLiveId: 0,
    liveAbort: null,
    handoff: null,
    heldBy: null,
    busy: false,
    pendingMine: [], // my texts sent to a person, until the live stream echoes them
    mineIds: new Set(), // live message ids that are mine (already shown)
    paymentMethods: [],
  };
  let ui = null;

  function apiBase(tag) {
    const configured = tag && tag.dataset.api;
    const base = configured || (tag && tag.src ? new URL(tag.src).origin : location.origin);
    const url = new URL(base, location.href);
    if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error("bad data-api");
    return url.href.replace(/\/+$/, "");
  }

  // --- the DOM: elements built with text only ----------------------------------------------

  function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (key === "text") node.textContent = value;
      else if (key === "class") node.className = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else if (value === true) node.setAttribute(key, "");
      else if (value !== false && value != null) node.setAttribute(key, String(value));
    }
    node.append(...children.filter((c) => c != null && c !== false)); // strings: text nodes
    return node;
  }

  function addToLog(node) {
    ui.log.append(node);
    ui.log.scrollTop = ui.log.scrollHeight;
    return node;
  }

  const note = (text) => el("p", { class: "sd-note", text });
  const addUser = (text) => addToLog(el("p", { class: "sd-msg sd-user", text }));

  function addAgent(username, text) {
    addToLog(
      el(
        "div",
        { class: "sd-msg sd-agent" },
        el("span", { class: "sd-author", text: `${username || "Support desk"} (support desk)` }),
        el("span", { text })
      )
    );
  }

  // --- talking to the API --------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, detail) {
      super(detail);
      this.status = status;
    }
  }

  async function problemOf(response) {
    let detail = `The support service answered ${response.status}.`;
    try {
      const doc = await response.json();
      if (typeof doc.detail === "string") detail = doc.detail;
    } catch (_) {
      /* not a problem document */
    }
    const after = response.headers.get("Retry-After");
    if (response.status === 429 && after) detail += ` Try again in ${after} s.`;
    return new ApiError(response.status, detail);
  }

  function request(method, path, body, signal) {
    const headers = {};
    if (state.access) headers.Authorization = `Bearer ${state.access}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    return fetch(API + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
      mode: "cors",
      credentials: "omit",
      cache: "no-store",
      referrerPolicy: "no-referrer",
    }).catch((err) => {
      if (err.name === "AbortError") throw err;
      throw new ApiError(0, "The support service cannot be reached right now.");
    });
  }

  async function call(method, path, body, signal) {
    let response = await request(method, path, body, signal);
    if (response.status === 401 && state.refresh && (await refreshTokens())) {
      response = await request(method, path, body, signal);
    }
    if (!response.ok) throw await problemOf(response);
    return response;
  }

  function keepTokens(tokens) {
    state.access = tokens.access_token;
    state.refresh = tokens.refresh_token;
    clearTimeout(state.refreshTimer);
    // Renew at 80% of the lifetime: a request never waits for an expired token's 401.
    state.refreshTimer = setTimeout(refreshTokens, Math.max(5, tokens.expires_in * 0.8) * 1000);
  }

  let refreshing = null;
  function refreshTokens() {
    refreshing ||= (async () => {
      try {
        const response = await request("POST", "/api/v1/auth/refresh", {
          refresh_token: state.refresh,
        });
        if (!response.ok) {
          signOut("Your session ended; please sign in again.");
          return false;
        }
        keepTokens(await response.json());
        return true;
      } catch (_) {
        state.refreshTimer = setTimeout(refreshTokens, 10_000); // offline: try again soon
        return false;
      } finally {
        refreshing = null;
      }
    })();
    return refreshing;
  }

  /* Server-sent events over fetch (EventSource cannot send the Authorization header): each
   * frame's data line is JSON {id, type, data}; comments (keep-alives) are skipped. */
  async function readEvents(response, onEvent) {
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = frame
          .split("\n")
          .filter((line) => line.startsWith("data:"))
          .map((line) => line.slice(5).trim())
          .join("\n");
        if (data) onEvent(JSON.parse(data));
      }
    }
  }

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  // --- one answer: its text, tool steps, card ------------------------------------------------

  function stepLine(step) {
    const name = TOOL_NAMES[step.name] || String(step.name || "step").replace(/_/g, " ");
    if (step.status === "started") return `${name}…`;
    if (step.status === "ok") return `${name} ✓`;
    return `${name}: ${String(step.status).replace(/_/g, " ")}`;
  }

  function startTurn(sentText) {
    const box = addToLog(el("div", { class: "sd-turn" }));
    const steps = box.appendChild(el("ul", { class: "sd-steps", "aria-label": "Steps" }));
    const text = box.appendChild(el("p", { class: "sd-msg sd-assistant sd-typing" }));
    const calls = new Map();
    return (event) => {
      const data = event.data || {};
      if (event.id) state.lastEventId = Math.max(state.lastEventId, event.id);
      if (event.type === "text_delta") {
        text.classList.remove("sd-typing");
        text.textContent += data.text || "";
      } else if (event.type === "tool_step") {
        if (!calls.has(data.call_id)) calls.set(data.call_id, steps.appendChild(el("li")));
        calls.get(data.call_id).textContent = stepLine(data);
      } else if (event.type === "message") {
        text.textContent = data.text || ""; // the whole answer: it replaces the deltas
      } else if (event.type === "approval_requested") {
        const step = calls.get(data.tool_call_id);
        if (step) step.textContent = stepLine({ name: data.tool, status: "waiting for your confirmation" });
        box.append(approvalCard(data));
      } else if (event.type === "error") {
        box.append(el("p", { class: "sd-error", role: "alert", text: data.message || "Error." }));
      } else if (event.type === "passed_to_person") {
        state.mineIds.add(data.message_id);
        forget(sentText);
        box.append(note(`Passed to ${data.held_by || "the support desk"}.`));
      } else if (event.type === "done") {
        forget(sentText); // answered by the assistant: the desk will not echo it
        text.classList.remove("sd-typing");
        if (!text.textContent) text.remove();
      }
      ui.log.scrollTop = ui.log.scrollHeight;
    };
  }

  function forget(text) {
    const at = state.pendingMine.indexOf(text);
    if (at >= 0) state.pendingMine.splice(at, 1);
  }

  const money = (amount, currency) => `${currency || "CHF"} ${Number(amount).toFixed(2)}`;

  function approvalCard(card) {
    const node = el("section", { class: "sd-card", "aria-label": "Confirm this change" });
    node.append(el("h3", { text: card.summary || "Confirm this change" }));
    const changes = card.changes || [];
    if (changes.length) {
      const rows = changes.map((c) =>
        el("tr", {}, el("th", { scope: "row", text: c.label }), el("td", { text: c.before ?? "–" }),
          el("td", { text: c.after ?? "–" }))
      );
      const head = el("tr", {}, el("th", { text: "" }), el("th", { text: "Now" }),
        el("th", { text: "After" }));
      node.append(el("table", { class: "sd-changes" }, el("thead", {}, head),
        el("tbody", {}, ...rows)));
    }
    const details = card.details || [];
    const cardLines = details.filter((d) => /^(charged|refunded) to /i.test(d));
    const facts = el("dl", { class: "sd-facts" });
    const fact = (term, value) => facts.append(el("dt", { text: term }), el("dd", { text: value }));
    if (Number(card.charge) > 0) fact("You pay", money(card.charge, card.currency));
    if (Number(card.refund) > 0) fact("Refund", money(card.refund, card.currency));
    if (!(Number(card.charge) > 0) && !(Number(card.refund) > 0)) fact("Cost", "No charge");
    const method = state.paymentMethods.find((m) => m.id === (card.args || {}).payment_method_id);
    if (cardLines.length) fact("Card", cardLines.join("; "));
    else if (method) fact("Card", `${method.brand} ending ${method.last4}`);
    node.append(facts);
    const other = details.filter((d) => !cardLines.includes(d));
    if (other.length) node.append(el("ul", { class: "sd-details" }, ...other.map((d) => el("li", { text: d }))));
    if (card.rule) node.append(el("p", { class: "sd-rule", text: card.rule }));
    const status = el("p", { class: "sd-card-status", role: "status" });
    const confirm = el("button", { type: "button", class: "sd-primary", text: "Confirm" });
    const decline = el("button", { type: "button", text: "Decline" });
    confirm.addEventListener("click", () => decide(card, node, "approve", [confirm, decline], status));
    decline.addEventListener("click", () => decide(card, node, "deny", [confirm, decline], status));
    node.append(el("div", { class: "sd-card-actions" }, confirm, decline), status);
    return node;
  }

  async function decide(card, node, decision, buttons, status) {
    buttons.forEach((b) => (b.disabled = true));
    status.textContent = decision === "approve" ? "Confirming…" : "Declining…";
    try {
      const response = await call("POST", `/api/v1/approvals/${encodeURIComponent(card.approval_id)}`,
        { decision });
      const out = await response.json();
      node.classList.add("sd-settled");
      status.textContent = decision === "approve" ? "You confirmed this change." : "You declined this change.";
      if ((out.events || []).length) {
        const turn = startTurn(null);
        out.events.forEach(turn);
      }
      loadTrips();
    } catch (err) {
      if (err.status === 409) node.classList.add("sd-settled");
      else buttons.forEach((b) => (b.disabled = false));
      status.textContent = err.message;
    }
  }

  // --- conversation, messages, the desk ------------------------------------------------------

  async function ensureConversation() {
    if (!state.conversationId) {
      const response = await call("POST", "/api/v1/conversations", {});
      state.conversationId = (await response.json()).id;
      ui.after.hidden = false;
      followDesk(state.conversationId);
    }
    return state.conversationId;
  }

  async function streamTurn(response, turn) {
    let ended = false;
    try {
      await readEvents(response, (event) => {
        turn(event);
        if (event.type === "done") ended = true;
      });
    } catch (_) {
      /* the connection broke: resumed from lastEventId */
    }
    return ended;
  }

  async function sendMessage(text) {
    state.busy = true;
    ui.send.disabled = true;
    addUser(text);
    if (state.handoff) state.pendingMine.push(text);
    const turn = startTurn(text);
    try {
      const cid = await ensureConversation();
      let ended = await streamTurn(await call("POST", `/api/v1/conversations/${cid}/messages`, { text }), turn);
      for (let tries = 0; !ended && tries < 3; tries++) {
        await sleep(500 * (tries + 1));
        const again = await call("GET", `/api/v1/conversations/${cid}/events?after=${state.lastEventId}`);
        ended = await streamTurn(again, turn);
      }
      if (!ended) throw new ApiError(0, "The answer was interrupted; please ask again.");
    } catch (err) {
      turn({ type: "error", data: { message: err.message } });
      turn({ type: "done", data: {} });
    } finally {
      state.busy = false;
      if (ui) {
        ui.send.disabled = false;
        loadTrips();
      }
    }
  }

  /* The desk's messages, live, for as long as this conversation is open: each stream ends after
   * a quiet while and is reopened after the last message seen (nothing lost or repeated). */
  async function followDesk(cid) {
    const control = new AbortController();
    state.liveAbort = control;
    let failures = 0;
    while (!control.signal.aborted && state.conversationId === cid) {
      const opened = Date.now();
      try {
        const response = await call("GET", `/api/v1/conversations/${cid}/live?after=${state.lastLiveId}`,
          undefined, control.signal);
        failures = 0;
        await readEvents(response, deskMessage);
      } catch (err) {
        if (control.signal.aborted || [401, 403, 404].includes(err.status)) return;
        failures += 1;
      }
      const backoff = failures ? Math.min(1000 * 2 ** failures, 15_000) : 0;
      await sleep(Math.max(backoff, 1000 - (Date.now() - opened)));
    }
  }

  function deskMessage(event) {
    if (event.type !== "desk_message" || event.id <= state.lastLiveId) return;
    state.lastLiveId = event.id;
    const data = event.data || {};
    const by = data.author === "passenger" ? state.heldBy : data.username;
    setHandoff(data.handoff_state, data.handoff_state === "held" ? by : null);
    if (data.author === "passenger") {
      if (state.mineIds.has(event.id)) return;
      const at = state.pendingMine.indexOf(data.text);
      if (at >= 0) state.pendingMine.splice(at, 1);
      else addUser(data.text); // written in another tab
    } else if (data.author === "agent") {
      addAgent(data.username, data.text);
    } else {
      addToLog(note(data.text));
    }
  }

  function setHandoff(handoffState, heldBy) {
    state.handoff = HANDOFF_ACTIVE.has(handoffState) ? handoffState : null;
    if (handoffState === "held" && heldBy) state.heldBy = heldBy;
    ui.person.disabled = state.handoff !== null;
    ui.notice.hidden = state.handoff === null;
    if (state.handoff === "waiting") {
      ui.notice.textContent = "Waiting for a person at the support desk. The assistant still answers meanwhile.";
    } else if (state.handoff === "held") {
      ui.notice.textContent = `${state.heldBy || "A person"} from the support desk is with you; the assistant is paused.`;
    }
  }

  async function askForPerson() {
    ui.person.disabled = true;
    try {
      const cid = await ensureConversation();
      const response = await call("POST", `/api/v1/conversations/${cid}/handoff`, { reason: "customer_request" });
      const out = await response.json();
      setHandoff(out.state, out.taken_by);
    } catch (err) {
      ui.person.disabled = false;
      addToLog(el("p", { class: "sd-error", role: "alert", text: err.message }));
    }
  }

  async function rate(rating) {
    try {
      await call("POST", `/api/v1/conversations/${state.conversationId}/feedback`, { rating });
      ui.stars.forEach((b, i) => b.setAttribute("aria-pressed", String(i + 1 === rating)));
      ui.rated.textContent = `Thank you: you rated this conversation ${rating} of 5.`;
    } catch (err) {
      ui.rated.textContent = err.message;
    }
  }

  // --- trips ---------------------------------------------------------------------------------

  const when = (iso) => (iso ? String(iso).replace("T", " ").slice(0, 16) : "");

  function tripLines(snapshot) {
    const lines = [];
    for (const t of snapshot.tickets || []) {
      const legs = (t.legs || []).map((l) => `${l.flight_no} ${l.origin}-${l.destination} ${when(l.departure_local)}`);
      const seat = (t.legs || []).map((l) => l.seat).filter(Boolean).join(", ");
      const extra = [t.status !== "active" ? t.status : null, seat ? `seat ${seat}` : null, t.fare];
      lines.push([legs.join(" · ") || t.route, extra.filter(Boolean).join(" · ")]);
    }
    for (const h of snapshot.hotel_bookings || []) lines.push([`${h.hotel}, ${h.city}`, `${h.checkin} to ${h.checkout} · ${h.status}`]);
    for (const c of snapshot.car_rentals || []) lines.push([`${c.company} ${c.car}, ${c.city}`, `${c.start} to ${c.end} · ${c.status}`]);
    for (const x of snapshot.excursions || []) lines.push([`${x.name}, ${x.city}`, `${x.date} · ${x.status}`]);
    return lines;
  }

  async function loadTrips() {
    try {
      const snapshot = await (await call("GET", "/api/v1/me/trips")).json();
      if (!ui) return; // signed out meanwhile
      state.paymentMethods = (snapshot.passenger || {}).payment_methods || [];
      ui.who.textContent = (snapshot.passenger || {}).name || "";
      const lines = tripLines(snapshot);
      ui.trips.replaceChildren(
        ...(lines.length
          ? lines.map(([main, sub]) => el("li", {}, el("span", { class: "sd-trip", text: main }), el("span", { class: "sd-sub", text: sub })))
          : [el("li", { text: "No trips booked." })])
      );
    } catch (err) {
      if (state.access) ui.trips.replaceChildren(el("li", { class: "sd-error", text: err.message }));
    }
  }

  // --- views ---------------------------------------------------------------------------------

  function signInView(message) {
    const username = el("input", { id: "sd-username", name: "username", autocomplete: "username", required: true, maxlength: 200 });
    const password = el("input", { id: "sd-password", name: "password", type: "password", autocomplete: "current-password", required: true, maxlength: 1000 });
    const error = el("p", { class: "sd-error", role: "alert", text: message || "" });
    const button = el("button", { type: "submit", class: "sd-primary", text: "Sign in" });
    const form = el("form", { class: "sd-signin", "aria-label": "Sign in" },
      el("h2", { text: "Sign in to chat with Alpine Air" }),
      el("label", { for: "sd-username", text: "Username" }), username,
      el("label", { for: "sd-password", text: "Password" }), password, button, error);
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      button.disabled = true;
      error.textContent = "";
      try {
        const response = await call("POST", "/api/v1/auth/token", { username: username.value, password: password.value });
        const tokens = await response.json();
        if (tokens.role !== "customer") throw new ApiError(403, "This chat is for passengers; staff use the desk.");
        keepTokens(tokens);
        chatView();
      } catch (err) {
        error.textContent = err.message;
        button.disabled = false;
        password.value = "";
        password.focus();
      }
    });
    ui = null;
    root.replaceChildren(el("div", { class: "sd-widget" }, el("header", { class: "sd-bar" }, el("span", { class: "sd-brand", text: "Alpine Air support" })), form));
    username.focus({ preventScroll: true });
  }

  function chatView() {
    const input = el("input", { id: "sd-input", name: "message", autocomplete: "off", maxlength: 1000, placeholder: "Ask about your trip…" });
    const send = el("button", { type: "submit", class: "sd-primary", text: "Send" });
    const compose = el("form", { class: "sd-compose", "aria-label": "Write a message" },
      el("label", { for: "sd-input", class: "sd-hidden", text: "Your message" }), input, send);
    compose.addEventListener("submit", (e) => {
      e.preventDefault();
      const text = input.value.trim();
      if (!text || state.busy) return;
      input.value = "";
      sendMessage(text);
    });
    const stars = [1, 2, 3, 4, 5].map((n) =>
      el("button", { type: "button", class: "sd-star", "aria-pressed": "false", "aria-label": `${n} of 5`, text: String(n), onclick: () => rate(n) }));
    const person = el("button", { type: "button", text: "Talk to a person", onclick: askForPerson });
    const signOutButton = el("button", { type: "button", class: "sd-link", text: "Sign out", onclick: () => signOut("") });
    ui = {
      log: el("div", { class: "sd-log", role: "log", "aria-live": "polite", "aria-label": "Conversation", tabindex: "0" }),
      notice: el("p", { class: "sd-notice", role: "status", hidden: true }),
      trips: el("ul", { class: "sd-trips-list" }, el("li", { text: "Loading…" })),
      who: el("span", { class: "sd-who" }),
      rated: el("span", { class: "sd-rated", role: "status" }),
      after: el("div", { class: "sd-after", hidden: true }),
      send, person, stars,
    };
    ui.after.append(el("div", { class: "sd-rate", role: "group", "aria-label": "Rate this conversation" },
      el("span", { text: "Rate this conversation:" }), ...stars, ui.rated));
    root.replaceChildren(el("div", { class: "sd-widget" },
      el("header", { class: "sd-bar" }, el("span", { class: "sd-brand", text: "Alpine Air support" }), ui.who, signOutButton),
      el("div", { class: "sd-main" },
        el("section", { class: "sd-trips", "aria-label": "Your trips" }, el("h2", { text: "Your trips" }), ui.trips),
        el("section", { class: "sd-chat", "aria-label": "Chat" }, ui.notice, ui.log, compose,
          el("div", { class: "sd-actions" }, person), ui.after))));
    addToLog(note("Ask about your trips, or to change a flight. Changes wait for your confirmation."));
    loadTrips();
    input.focus({ preventScroll: true });
  }

  function signOut(message) {
    clearTimeout(state.refreshTimer);
    if (state.liveAbort) state.liveAbort.abort();
    Object.assign(state, {
      access: null, refresh: null, conversationId: null, lastEventId: 0, lastLiveId: 0, liveAbort: null,
      handoff: null, heldBy: null, busy: false, pendingMine: [], mineIds: new Set(), paymentMethods: [],
    });
    signInView(message);
  }

  let root = null;
  function mount() {
    root = document.getElementById("skydesk-widget");
    if (!root) root = document.body.appendChild(el("div", { id: "skydesk-widget" }));
    signInView("");
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mount);
  else mount();
})();
