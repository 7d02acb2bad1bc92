// tlsgate live view: connection events from GET /events (server-sent
// events), fault switches from GET /faults. Plain script, no build step, no
// third-party code. Event data comes from the network (SNI, Host headers,
// first bytes), so it only ever reaches the page as text nodes, never as HTML.
"use strict";

(function () {
  const MAX_ROWS = 500; // older rows are dropped so a long class does not slow the page

  // TLS alert descriptions (RFC 8446 section 6, RFC 5246 section 7.2).
  const ALERTS = {
    0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac", 21: "decryption_failed",
    22: "record_overflow", 30: "decompression_failure", 40: "handshake_failure", 41: "no_certificate",
    42: "bad_certificate", 43: "unsupported_certificate", 44: "certificate_revoked",
    45: "certificate_expired", 46: "certificate_unknown", 47: "illegal_parameter", 48: "unknown_ca",
    49: "access_denied", 50: "decode_error", 51: "decrypt_error", 60: "export_restriction",
    70: "protocol_version", 71: "insufficient_security", 80: "internal_error",
    86: "inappropriate_fallback", 90: "user_canceled", 100: "no_renegotiation",
    109: "missing_extension", 110: "unsupported_extension", 111: "certificate_unobtainable",
    112: "unrecognized_name", 113: "bad_certificate_status_response",
    114: "bad_certificate_hash_value", 115: "unknown_psk_identity", 116: "certificate_required",
    120: "no_application_protocol", 121: "ech_required",
  };

  const CLASS_LABEL = { ok: "✓ OK", warn: "! WARN", fail: "✕ FAIL", fault: "⚡ FAULT" };

  // ---- pure helpers (also checked by the browser test through window.tlsgateView) ----

  // firings normalises the event's "faults": one object per rule that fired
  // ({rule, action, stage, direction, draw, probability, symptom}); older
  // events list only the rule names.
  function firings(c) {
    return (c.faults || []).map((f) => (typeof f === "string" ? { rule: f } : f || {})).filter((f) => f.rule);
  }

  function firingText(f) {
    if (!f.action) return "";
    let s = f.action + (f.stage ? " at " + f.stage : "") + (f.direction ? " (" + f.direction + ")" : "");
    // A rule without a probability fires whatever its draw: show the draw
    // only where it decided the firing.
    if (typeof f.draw === "number" && f.probability > 0) s += " · draw " + f.draw.toFixed(2);
    return s;
  }

  function alertName(n) {
    return n + " " + (ALERTS[n] || "unassigned");
  }

  // classify picks the row colour. A fired fault wins: the class should see
  // at a glance that the failure was staged, whatever the diagnosis says.
  function classify(c) {
    if (firings(c).length) return "fault";
    if (!c.ok) return "fail";
    if (c.warnings && c.warnings.length) return "warn";
    return "ok";
  }

  // listenerView words a listener event (a refuse rule taking a listener
  // down or bringing it up; the event's "listener_event"), which has no
  // connection: the row's class, badge and title, and what ends it. "until"
  // is set only while every rule holding it has a duration.
  const LISTENER_KINDS = {
    listener_down: { cls: "down", badge: "⏻ DOWN", title: "Listener down" },
    listener_still_down: { cls: "down", badge: "⏻ STILL DOWN", title: "Listener stays down" },
    listener_also_held: { cls: "down", badge: "⏻ HELD TOO", title: "Listener held by another rule too" },
    listener_up: { cls: "up", badge: "▲ UP", title: "Listener up" },
    // A refuse rule that could not act: the listener is in the state it
    // was (accepting, or still down), and tlsgate tries again.
    listener_down_failed: { cls: "fail", badge: "⚠ NOT DOWN", title: "Refuse rule could not take the listener down" },
    listener_up_failed: { cls: "fail", badge: "⚠ NOT UP", title: "Listener could not listen again" },
  };
  function listenerView(le) {
    const k = LISTENER_KINDS[le.event] || { cls: "down", badge: "⏻ LISTENER", title: "Listener event" };
    const holding = (le.holding || []).map((h) => h.rule + (h.until ? " (ends by itself at " + clock(h.until) + ")" : " (until removed or disabled)"));
    let ends = "";
    if (k.cls === "down") {
      ends = le.until ? "by itself at " + clock(le.until) + ", when every rule holding it has ended"
        : "when every rule holding it is removed or disabled";
    }
    return Object.assign({}, k, { holding, ends });
  }

  function hexBytes(hex) {
    const out = [];
    if (typeof hex !== "string") return out;
    for (let i = 0; i + 1 < hex.length; i += 2) {
      const b = parseInt(hex.substr(i, 2), 16);
      if (Number.isNaN(b)) break;
      out.push(b);
    }
    return out;
  }

  // hexdump renders bytes as offset, 16 hex pairs and their ASCII, the way
  // xxd and Wireshark show them.
  function hexdump(hex) {
    const bytes = hexBytes(hex);
    const lines = [];
    for (let off = 0; off < bytes.length; off += 16) {
      const row = bytes.slice(off, off + 16);
      let h = "";
      let a = "";
      for (let i = 0; i < 16; i++) {
        if (i === 8) h += " ";
        if (i < row.length) {
          h += row[i].toString(16).padStart(2, "0") + " ";
          a += row[i] >= 0x20 && row[i] < 0x7f ? String.fromCharCode(row[i]) : ".";
        } else {
          h += "   ";
        }
      }
      lines.push(off.toString(16).padStart(4, "0") + "  " + h + " |" + a + "|");
    }
    return lines.join("\n");
  }

  // firstLine is the printable start of the first bytes, for plaintext
  // protocols (an HTTP request line, an SSH banner).
  function firstLine(hex) {
    let s = "";
    for (const b of hexBytes(hex)) {
      if (b === 0x0d || b === 0x0a) break;
      s += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".";
    }
    return s;
  }

  function joinList(xs) {
    return xs && xs.length ? xs.join(", ") : "";
  }

  function legSummary(l) {
    return [l.version, l.cipher, l.group, l.alpn && "ALPN " + l.alpn].filter(Boolean).join(" · ");
  }

  // timeline turns one event into the messages seen in each direction. It
  // shows only what the event records: the protocol and the listener's mode
  // fix the order of the steps, but no times are logged, so none are shown.
  // lane: "ct" client<->tlsgate, "tb" tlsgate<->backend, "t" a note at tlsgate.
  // dir: "right" (towards the backend side), "left", "both" or "none".
  //
  // A fault that ended the connection goes where it acted, not where it
  // was planned: its firing's "acted" stage says so (a reset at the
  // response comes after the handshake and the request, an MTU rule of
  // server_flight that stalled the response too). An event without it (an
  // older one, a version or cipher refusal) acted on the first message.
  function timeline(c) {
    const fired = firings(c);
    const route = c.route || "";
    const step = (lane, dir, label, detail, cls) => ({ lane, dir, label, detail: detail || "", cls: cls || "" });
    const note = (fs, fallback) => step("t", "none", "Fault fired: " + fs.map((f) => f.rule).join(", "),
      fs.map(firingText).filter(Boolean).join("; ") || fallback, "fault-note");
    const stopped = route.startsWith("fault_") && fired.length > 0;
    const acted = fired.filter((f) => f.acted);
    const atStop = stopped ? (acted.length ? acted : fired) : [];
    const others = fired.filter((f) => !atStop.includes(f));
    const phase = atStop.length ? actedPhase(acted.length ? acted[0].acted : "") : "";
    const stopNote = atStop.length ? [note(atStop, "action " + route.slice(6))] : [];

    const steps = [step("ct", "right", "TCP connect", [c.client, c.virtual].filter(Boolean).join(" → "))];
    if (phase === "accept") steps.push(...stopNote);
    steps.push(...firstMessage(c));
    if (phase === "hello") steps.push(...stopNote);
    const late = phase === "before_http" || phase === "after_http";
    // How tlsgate ended the client's side follows the fault that made it.
    const ending = endSteps(c, step);
    const client = late ? clientLeg(c, step) : [...clientLeg(c, step), ...ending];
    const backend = backendLeg(c, step);
    // An inspecting listener reaches the real server before it answers the
    // client (it copies the server's names into its own certificate); every
    // other mode finishes with the client first, then dials the backend.
    if (c.mode === "inspect") steps.push(...backend, ...client);
    else steps.push(...client, ...backend);
    if (phase === "before_http") steps.push(...stopNote, ...ending);

    for (const x of c.http || []) {
      const req = [x.method, x.target].filter(Boolean).join(" ") || "HTTP request";
      steps.push(step("ct", "right", req, [x.host && "Host " + x.host, x.proto].filter(Boolean).join(" · ")));
      if (c.backend && c.backend.remote) steps.push(step("tb", "right", req, "relayed"));
      if (x.status) {
        if (c.backend && c.backend.remote) steps.push(step("tb", "left", String(x.status), x.resp_bytes + " B body"));
        if (x.undelivered) {
          // The backend answered, but a fault cut the client's side first
          // (a reset or an alert at the response, a stall): the client
          // never saw this status, only what the fault note says.
          steps.push(step("t", "none", "Not delivered", "the backend's " + x.status + " never reached the client", "fail-note"));
        } else {
          steps.push(step("ct", "left", String(x.status), x.resp_bytes + " B body" + (x.upgraded ? " · upgraded" : ""),
            x.status >= 400 ? "fail-msg" : ""));
        }
      } else {
        steps.push(step("t", "none", "No response seen", "", "fail-note"));
      }
    }
    if (phase === "after_http") steps.push(...stopNote, ...ending);
    if (others.length) steps.push(note(others, "during the connection"));
    steps.push(step("t", "none", "Closed", [
      c.duration_ms != null ? c.duration_ms + " ms" : "",
      "↑ " + (c.bytes_up || 0) + " B from client",
      "↓ " + (c.bytes_down || 0) + " B to client",
    ].filter(Boolean).join(" · ")));
    return steps;
  }

  // actedPhase places a stop by the stage it acted at: before the client
  // spoke, on its first message (the handshake's start), after the
  // handshake but before any request went through, or once the request
  // was relayed (a response, or an idle connection after its exchanges).
  function actedPhase(acted) {
    switch (acted) {
      case "accept":
        return "accept";
      case "handshake_done":
      case "request":
        return "before_http";
      case "response":
      case "idle":
        return "after_http";
      default:
        return "hello";
    }
  }

  // firstMessage is what the client sent first, as the peek classified it.
  function firstMessage(c) {
    const m = (label, detail, cls) => ({ lane: "ct", dir: "right", label, detail: detail || "", cls: cls || "" });
    switch (c.kind) {
      case "tls":
        if (c.ja4 || c.sni || (c.versions_offered && c.versions_offered.length)) {
          return [m("ClientHello", [
            "SNI " + (c.sni || "(none)"),
            c.versions_offered && c.versions_offered.length ? "offers " + c.versions_offered.join(", ") : "",
            c.alpn && c.alpn.length ? "ALPN " + c.alpn.join(", ") : "",
          ].filter(Boolean).join(" · "))];
        }
        return [m("TLS handshake record", "the ClientHello could not be read in full")];
      case "sslv2":
        return [m("SSLv2-format ClientHello", "an old client's hello")];
      case "tls_record":
        return [m("TLS record that is not a handshake", "first bytes " + (c.first_bytes || "").slice(0, 10))];
      case "http":
        // Red only when it was the mistake: mode "auto" and non_ssl = "allow" relay it.
        return [m("Plaintext HTTP", firstLine(c.first_bytes), c.ok ? "" : "fail-msg")];
      case "http2":
        return [m("Cleartext HTTP/2 preface", firstLine(c.first_bytes))];
      case "proxy_v1":
        return [m("PROXY protocol header", firstLine(c.first_bytes))];
      case "proxy_v2":
        return [m("PROXY protocol header", "binary v2 header")];
      case "ssh":
        return [m("SSH banner", firstLine(c.first_bytes))];
      case "empty":
        return [{ lane: "ct", dir: "none", label: "Client sent nothing", detail: "no bytes before it closed or the wait ran out", cls: "" }];
      default:
        return c.first_bytes ? [m("Unrecognised bytes", c.first_bytes.slice(0, 16) + "…")] : [];
    }
  }

  // clientLeg is tlsgate's answer to the client: its handshake flight,
  // alerts either way and the handshake's end.
  function clientLeg(c, step) {
    const out = [];
    const cl = c.client_tls || {};
    const route = c.route || "";
    if (cl.attempted && (cl.done || cl.server_flight_sent)) {
      out.push(step("ct", "left", "ServerHello, certificate", "tlsgate's handshake flight"));
    }
    if (cl.alert_sent >= 0) out.push(step("ct", "left", "Alert " + alertName(cl.alert_sent), "sent by tlsgate", "fail-msg"));
    if (cl.alert_recv >= 0) out.push(step("ct", "right", "Alert " + alertName(cl.alert_recv), "sent by the client", "fail-msg"));
    if (cl.done) out.push(step("ct", "both", "Handshake done", legSummary(cl), "ok-msg"));
    else if (cl.err) out.push(step("t", "none", "Client handshake failed", cl.err, "fail-note"));
    if (route === "passthrough") out.push(step("t", "none", "Passthrough", "TLS relayed to the backend without decryption"));
    return out;
  }

  // endSteps is how tlsgate ended or answered the client's side on its own:
  // a reset, a close, a readable 400 or a redirect.
  function endSteps(c, step) {
    const out = [];
    const route = c.route || "";
    if (route.endsWith("_reset")) {
      out.push(step("ct", "left", "TCP reset (RST)", "tlsgate closed the connection", "fail-msg"));
    } else if (route === "fault_close") {
      out.push(step("ct", "left", "TCP close (FIN)", "tlsgate closed the connection", "fail-msg"));
    } else if (route === "non_ssl_http400") {
      out.push(step("ct", "left", "HTTP 400 answer", "plaintext refused on a TLS port", "fail-msg"));
    } else if (route === "non_ssl_redirect") {
      out.push(step("ct", "left", "HTTP redirect to https://", "plaintext redirected"));
    }
    return out;
  }

  // backendLeg is tlsgate's connection to the backend and its server-ssl handshake.
  function backendLeg(c, step) {
    const out = [];
    const be = c.backend || {};
    const bt = be.tls || {};
    if (be.addr && (be.remote || be.err)) {
      out.push(step("tb", "right", "TCP connect", be.remote || be.addr));
      if (be.err) out.push(step("t", "none", "Backend connect failed", be.err, "fail-note"));
    }
    if (bt.attempted) {
      out.push(step("tb", "right", "ClientHello", "server-ssl leg"));
      // Here tlsgate is the client: a chain it read or checked proves the flight arrived.
      if (bt.done || (bt.peer_cert && bt.peer_cert.length) || bt.verify) {
        out.push(step("tb", "left", "ServerHello, certificate", "the backend's flight"));
      }
      if (bt.alert_sent >= 0) out.push(step("tb", "right", "Alert " + alertName(bt.alert_sent), "sent by tlsgate", "fail-msg"));
      if (bt.alert_recv >= 0) out.push(step("tb", "left", "Alert " + alertName(bt.alert_recv), "sent by the backend", "fail-msg"));
      if (bt.done) out.push(step("tb", "both", "Handshake done", legSummary(bt), "ok-msg"));
      else if (bt.err) out.push(step("t", "none", "Backend handshake failed", bt.err, "fail-note"));
    }
    return out;
  }

  // ---- DOM helpers ----

  function el(tag, attrs, ...kids) {
    const n = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") n.className = v;
      else if (k === "text") n.textContent = v;
      else if (k.startsWith("on")) n.addEventListener(k.slice(2), v);
      else n.setAttribute(k, v === true ? "" : v);
    }
    for (const kid of kids.flat()) {
      if (kid === null || kid === undefined || kid === false) continue;
      n.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
    }
    return n;
  }

  // breakable lets a long protocol name (TLS_ECDHE_RSA_WITH_…) wrap after
  // its underscores instead of in the middle of a word.
  function breakable(text) {
    const parts = String(text).split("_");
    const out = [];
    parts.forEach((p, i) => {
      out.push(document.createTextNode(p + (i < parts.length - 1 ? "_" : "")));
      if (i < parts.length - 1) out.push(document.createElement("wbr"));
    });
    return el("span", {}, out);
  }

  function dl(pairs) {
    const d = el("dl", { class: "facts" });
    for (const [k, v] of pairs) {
      if (v === "" || v === undefined || v === null || (Array.isArray(v) && !v.length)) continue;
      d.append(el("dt", { text: k }), el("dd", {}, v instanceof Node ? v : String(v)));
    }
    return d;
  }

  function card(title, cls, ...body) {
    return el("section", { class: "card " + (cls || "") }, el("h3", { text: title }), ...body);
  }

  function clock(ts) {
    const d = new Date(ts);
    if (Number.isNaN(d.getTime())) return "";
    return d.toLocaleTimeString([], { hour12: false });
  }

  // ---- the page ----

  const $ = (id) => document.getElementById(id);
  const state = {
    token: "",
    rows: new Map(), // conn key -> {li, c, cls}
    seen: new Set(), // SSE ids already shown
    paused: false,
    queue: [],
    counts: { ok: 0, warn: 0, fail: 0, fault: 0 },
    faults: new Map(), // rule name -> RuleStatus
    faultsTimer: 0,
    toggling: 0, // switches waiting for the API: a refresh now would flip them back
  };

  // readToken takes ?token= from the page's address, keeps it for this tab
  // and removes it from the address bar: a projector shows the address bar.
  function readToken() {
    const params = new URLSearchParams(location.search);
    let tok = params.get("token") || "";
    try {
      if (tok) {
        sessionStorage.setItem("tlsgate-token", tok);
        params.delete("token");
        const q = params.toString();
        history.replaceState(null, "", location.pathname + (q ? "?" + q : "") + location.hash);
      } else {
        tok = sessionStorage.getItem("tlsgate-token") || "";
      }
    } catch (e) {
      // Storage can be disabled; the token from the address still works for this load.
    }
    return tok;
  }

  function api(path, opts) {
    const o = Object.assign({ headers: {} }, opts || {});
    if (state.token) o.headers.Authorization = "Bearer " + state.token;
    return fetch(path, o).then(async (r) => {
      const text = await r.text();
      let body = null;
      try { body = text ? JSON.parse(text) : null; } catch (e) { body = text; }
      if (!r.ok) {
        const msg = body && body.error ? body.error : r.status + " " + r.statusText;
        const err = new Error(msg);
        err.status = r.status;
        throw err;
      }
      return body;
    });
  }

  function banner(msg, kind) {
    const b = $("banner");
    if (!msg) { b.hidden = true; b.textContent = ""; return; }
    b.hidden = false;
    b.dataset.kind = kind || "error";
    b.textContent = msg;
  }

  function setStreamState(s, text) {
    const n = $("stream-state");
    n.dataset.state = s;
    n.textContent = text;
  }

  function renderCounts() {
    const k = state.counts;
    const total = k.ok + k.warn + k.fail + k.fault;
    const parts = [total + " connection" + (total === 1 ? "" : "s")];
    if (k.ok) parts.push(k.ok + " ok");
    if (k.warn) parts.push(k.warn + " with warnings");
    if (k.fail) parts.push(k.fail + " failed");
    if (k.fault) parts.push(k.fault + " faulted");
    $("counts").textContent = parts.join(" · ");
    // A listener event is a row too: the page is not waiting then.
    $("empty").hidden = total > 0 || state.rows.size > 0;
  }

  function rowHead(c, cls, ts) {
    return el("button", { type: "button", class: "conn-head", "aria-expanded": "false" },
      el("span", { class: "badge", text: CLASS_LABEL[cls] }),
      el("span", { class: "cid", text: "#" + c.id }),
      el("span", { class: "time", text: clock(ts) }),
      el("span", { class: "diag", text: c.diagnosis || "?" }),
      el("span", { class: "where" },
        el("span", { class: "listener", text: c.listener }),
        el("span", { class: "addr", text: (c.client || "?") + " → " + (c.virtual || "?") })),
      el("span", { class: "summary", text: c.summary || "" }));
  }

  // renderTimeline draws a sequence diagram: three lifelines (client,
  // tlsgate, backend) and one row per step, messages as arrows between them.
  function renderTimeline(c) {
    const grid = el("div", { class: "timeline", role: "list" },
      el("div", { class: "lane-head", text: "Client" }), el("div"),
      el("div", { class: "lane-head gate", text: "tlsgate" }), el("div"),
      el("div", { class: "lane-head", text: "Backend" }));
    for (const s of timeline(c)) {
      const msg = el("div", { class: "msg dir-" + s.dir + " " + s.cls, role: "listitem" },
        el("span", { class: "label", text: s.label }),
        s.dir === "none" ? null : el("span", { class: "line", "aria-hidden": "true" }),
        s.detail ? el("span", { class: "detail", text: s.detail }) : null);
      const life = (extra) => el("div", { class: "life " + (extra || "") });
      if (s.lane === "t") {
        msg.classList.add("note");
        grid.append(life(), msg, life());
      } else if (s.lane === "ct") {
        grid.append(life(), msg, life("gate"), el("div", { class: "gap" }), life());
      } else {
        grid.append(life(), el("div", { class: "gap" }), life("gate"), msg, life());
      }
    }
    return card("Timeline", "wide timeline-card", grid,
      el("p", { class: "note", text: "Built from what tlsgate logged for this connection, in protocol order; times are not recorded." }));
  }

  function renderHello(c) {
    const helloSeen = c.kind === "tls" || c.kind === "sslv2";
    if (!helloSeen) return card("ClientHello", "", el("p", { class: "muted", text: "No ClientHello: the client sent " + (c.kind || "nothing") + "." }));
    const ciphers = c.ciphers_offered || [];
    return card("ClientHello", "", dl([
      ["SNI", c.sni || "(none)"],
      ["versions", joinList(c.versions_offered)],
      ["ALPN", joinList(c.alpn)],
      ["ciphers", ciphers.length ? el("details", { class: "ciphers" },
        el("summary", {}, ciphers.length + " offered, first ", breakable(ciphers[0])),
        el("ol", {}, ciphers.map((s) => el("li", {}, breakable(s))))) : ""],
      ["JA3", c.ja3],
      ["JA4", c.ja4 ? breakable(c.ja4) : ""],
    ]), el("p", { class: "note", text: "Key-exchange groups: the event records the negotiated group (see the legs), not the offered list." }));
  }

  function legFacts(l) {
    if (!l || !l.attempted) return null;
    return [
      ["handshake", l.done ? "done" : "not completed"],
      ["version", l.version],
      ["cipher", l.cipher],
      ["group", l.group],
      ["ALPN", l.alpn],
      ["alert sent", l.alert_sent >= 0 ? alertName(l.alert_sent) : ""],
      ["alert received", l.alert_recv >= 0 ? alertName(l.alert_recv) : ""],
      ["error", l.err],
      ["verify", l.verify || (l.verify_skipped ? "skipped (verify = false)" : "")],
      ["mutual TLS", l.mutual ? "client certificate accepted" : ""],
      ["peer chain", (l.peer_cert || []).length ? el("ol", { class: "chain" }, l.peer_cert.map((x) => el("li", { text: x }))) : ""],
    ];
  }

  function renderLegs(c) {
    const cl = legFacts(c.client_tls);
    const be = c.backend || {};
    const bt = legFacts(be.tls);
    return [
      card("Client leg (client-ssl)", "", cl ? dl(cl) : el("p", { class: "muted", text: "No TLS handshake with tlsgate on this connection." })),
      card("Backend leg (server-ssl)", "", be.addr || be.err ? dl([
        ["backend", be.addr],
        ["connected", be.local && be.remote ? be.local + " → " + be.remote : ""],
        ["dial error", be.err],
        ["TLS", bt ? "" : "plain TCP (no server-ssl)"],
      ]) : el("p", { class: "muted", text: "No backend connection was made." }), bt ? dl(bt) : null),
    ];
  }

  function renderExplanation(c) {
    const ev = c.evidence || {};
    return card("What happened", "wide explain " + (c.ok ? "" : "bad"),
      el("p", { class: "summary-line", text: c.summary }),
      c.cause ? el("p", { class: "cause" }, el("b", { text: "Cause: " }), c.cause) : null,
      (c.checks || []).length ? el("div", {}, el("b", { text: "Check first:" }), el("ol", { class: "checks" }, c.checks.map((x) => el("li", { text: x })))) : null,
      c.client_saw ? el("p", { class: "client-saw" }, el("b", { text: "The client saw: " }), c.client_saw) : null,
      (c.warnings || []).length ? el("div", { class: "warnings" }, el("b", { text: "Warnings:" }), el("ul", {}, c.warnings.map((x) => el("li", { text: x })))) : null,
      Object.keys(ev).length ? el("details", { class: "evidence" }, el("summary", { text: "Evidence (" + Object.keys(ev).length + ")" }),
        dl(Object.entries(ev))) : null);
  }

  function renderBody(c, raw) {
    const body = el("div", { class: "conn-body" });
    body.append(renderTimeline(c));
    const fired = firings(c);
    if (fired.length) {
      body.append(card("Faults fired", "wide fault-card", el("ul", { class: "firings" }, fired.map((f) => {
        const st = state.faults.get(f.rule);
        // Older events carry only the name: the rule as configured now fills in.
        const how = firingText(f) || (st ? st.rule.action + (st.rule.stage ? " at " + st.rule.stage : "") + " (rule as configured now)" : "");
        return el("li", {}, el("b", { text: f.rule }), how ? " — " + how : "",
          f.symptom ? el("div", { class: "symptom", text: "the client should see: " + f.symptom }) : null);
      }))));
    }
    body.append(card("BIG-IP /var/log/ltm", "wide bigip-card",
      (c.bigip || []).length ? el("pre", { class: "bigip" }, c.bigip.join("\n"))
        : el("p", { class: "muted", text: "BIG-IP logs nothing for this connection." })));
    body.append(renderExplanation(c));
    const fb = hexBytes(c.first_bytes);
    body.append(card("First bytes", "hex-card", fb.length
      ? el("pre", { class: "hexdump" }, hexdump(c.first_bytes))
      : el("p", { class: "muted", text: "No bytes arrived." }),
    fb.length ? el("p", { class: "note", text: "The first " + fb.length + " bytes as tlsgate peeked them (kind: " + c.kind + ")." }) : null));
    body.append(renderHello(c));
    body.append(...renderLegs(c));
    if ((c.http || []).length) {
      body.append(card("HTTP requests", "", el("ul", { class: "http" }, c.http.map((x) =>
        el("li", { text: `${x.method} ${x.target} (Host ${x.host || "-"}) ${x.proto} → ${x.status || "no response"}${x.status && x.undelivered ? " (not delivered to the client)" : ""}` })))));
    }
    body.append(el("details", { class: "raw wide" }, el("summary", { text: "Raw event (JSON)" }),
      el("pre", {}, JSON.stringify(raw, null, 2))));
    return body;
  }

  function toggleRow(row) {
    const head = row.li.querySelector(".conn-head");
    const open = head.getAttribute("aria-expanded") !== "true";
    head.setAttribute("aria-expanded", String(open));
    row.li.classList.toggle("open", open);
    if (open && !row.body) {
      row.body = row.render ? row.render() : renderBody(row.c, row.raw);
      row.li.append(row.body);
    }
    if (row.body) row.body.hidden = !open;
  }

  // addListenerEvent shows a listener event as a row among the connections,
  // at the time it happened: while a listener is down no connection arrives
  // to show it, so this row is the only sign on the page.
  function addListenerEvent(raw, seq) {
    const le = raw.listener_event;
    const key = (seq || "") + "|" + le.event + "|" + le.listener + "|" + (raw.ts || "");
    if (state.seen.has(key)) return;
    state.seen.add(key);
    const v = listenerView(le);
    const li = el("li", { class: "conn lev cls-" + v.cls, "data-event": le.event, "data-listener": le.listener, "data-rule": le.rule });
    const head = el("button", { type: "button", class: "conn-head", "aria-expanded": "false" },
      el("span", { class: "badge", text: v.badge }),
      el("span", { class: "cid", text: "⏻" }),
      el("span", { class: "time", text: clock(raw.ts) }),
      el("span", { class: "diag", text: le.event }),
      el("span", { class: "where" },
        el("span", { class: "listener", text: le.listener }),
        el("span", { class: "addr", text: le.listen || "?" })),
      el("span", { class: "summary", text: le.reason || raw.msg || "" }));
    li.append(head);
    const render = () => el("div", { class: "conn-body" },
      card(v.title, "wide lev-card lev-" + v.cls, dl([
        ["listener", le.listener],
        ["address", le.listen],
        [le.event === "listener_up" ? "last held by" : "rule", le.rule],
        ["ended", le.ended],
        ["held by", le.held_by],
        ["holding it", v.holding.length ? el("ul", {}, v.holding.map((x) => el("li", { text: x }))) : ""],
        ["ends", v.ends],
        ["down since", le.since ? clock(le.since) : ""],
        ["down for", le.down_for],
        ["times down", le.downs],
        ["the client sees", le.symptom],
        ["to listen again", le.check],
        ["error", le.error],
      ])),
      el("details", { class: "raw wide" }, el("summary", { text: "Raw event (JSON)" }),
        el("pre", {}, JSON.stringify(raw, null, 2))));
    const row = { li, raw, cls: v.cls, body: null, render };
    head.addEventListener("click", () => toggleRow(row));
    prependRow(key, row);
    // The fault switches show which rule holds which listener down.
    refreshFaultsSoon();
  }

  // prependRow puts a row at the top and drops the oldest beyond MAX_ROWS.
  function prependRow(key, row) {
    const list = $("conn-list");
    list.prepend(row.li);
    state.rows.set(key, row);
    if (row.cls in state.counts) state.counts[row.cls]++;
    while (list.children.length > MAX_ROWS) {
      const last = list.lastElementChild;
      for (const [k, r] of state.rows) {
        if (r.li !== last) continue;
        state.rows.delete(k);
        if (r.cls in state.counts) state.counts[r.cls]--;
        state.seen.delete(k);
      }
      last.remove();
    }
    renderCounts();
  }

  function addEvent(raw, seq) {
    if (raw && typeof raw === "object" && raw.listener_event && typeof raw.listener_event === "object") {
      addListenerEvent(raw, seq);
      return;
    }
    const c = raw && typeof raw === "object" ? (raw.conn || raw) : null;
    if (!c || c.id === undefined) return;
    // The stream's ids restart with tlsgate, so the timestamp is part of
    // the key: a resumed stream may repeat an event, a restarted one may not.
    const key = (seq || "") + "|" + c.id + "|" + (raw.ts || "");
    if (state.seen.has(key)) return;
    state.seen.add(key);
    const cls = classify(c);
    const li = el("li", {
      class: "conn cls-" + cls, "data-id": c.id, "data-diagnosis": c.diagnosis, "data-class": cls,
      "data-client": c.client, "data-listener": c.listener,
    });
    const row = { li, c, raw, cls, body: null };
    li.append(rowHead(c, cls, raw.ts));
    li.querySelector(".conn-head").addEventListener("click", () => toggleRow(row));
    prependRow(key, row);
    if (cls === "fault") refreshFaultsSoon();
  }

  function onEvent(data, seq) {
    let raw;
    try { raw = JSON.parse(data); } catch (e) { return; }
    if (state.paused) {
      state.queue.push([raw, seq]);
      $("pause").textContent = "Resume (" + state.queue.length + " new)";
      return;
    }
    addEvent(raw, seq);
  }

  function connectStream() {
    let url = "/events?sse=1&recent=1";
    if (state.token) url += "&token=" + encodeURIComponent(state.token);
    const es = new EventSource(url);
    es.onopen = () => { setStreamState("live", "● live"); banner(""); };
    es.onmessage = (m) => onEvent(m.data, m.lastEventId);
    es.addEventListener("dropped", (m) => {
      let n = "";
      try { n = JSON.parse(m.data).dropped; } catch (e) { /* keep the generic text */ }
      banner("This view fell behind and missed " + n + " events. /events/recent has the last ones.", "warn");
    });
    es.onerror = () => {
      if (es.readyState === EventSource.CLOSED) {
        setStreamState("down", "✕ stream closed");
        // EventSource hides the status; ask the API why (most often the token).
        api("/events/recent").then(() => setTimeout(connectStream, 2000)).catch((err) => {
          banner(err.status === 401
            ? "The admin API needs its token: open this page as /?token=YOUR_TOKEN ([admin] token in the config)."
            : "The event stream failed: " + err.message);
          if (err.status !== 401) setTimeout(connectStream, 5000);
        });
      } else {
        setStreamState("reconnecting", "… reconnecting");
      }
    };
  }

  // ---- fault switches ----

  function describeRule(r) {
    const sel = [];
    for (const k of ["listener", "sni", "client", "ja3", "ja4", "alpn", "max_offered_version", "hello_min_size",
      "conn_first", "conn_every", "conn_after", "probability"]) {
      if (r[k] !== undefined && r[k] !== "" && r[k] !== 0) sel.push(k + "=" + r[k]);
    }
    return sel.length ? sel.join(" · ") : "every connection";
  }

  // faultState is what an enabled rule is doing beyond firing: a refuse
  // rule holding listeners down (its work is a state; it fires once per
  // time it takes one down), or its schedule keeping it from acting.
  function faultState(st) {
    if (!st.enabled) return "";
    if (st.schedule === "waiting") return "waiting for its start_after";
    if (st.schedule === "ended") return "ended: its duration ran out";
    if (st.spent) return "spent: it fired its max_fires (" + st.rule.max_fires + ") times; fault reset refills it";
    const held = st.holding_down || [];
    return held.length ? "⏻ holding " + held.join(", ") + " down: new connections refused" : "";
  }

  function renderFaults() {
    const ul = $("fault-list");
    ul.replaceChildren();
    $("no-faults").hidden = state.faults.size > 0;
    for (const st of state.faults.values()) {
      const r = st.rule;
      const input = el("input", { type: "checkbox", role: "switch", "aria-label": "enable fault " + r.name });
      input.checked = st.enabled;
      input.addEventListener("change", () => setFault(r.name, input.checked, input));
      const last = st.last_fire ? " · last " + clock(st.last_fire) : "";
      const held = st.holding_down || [];
      ul.append(el("li", { class: "fault" + (st.enabled ? " on" : " off"), "data-name": r.name, "data-enabled": String(st.enabled),
        "data-holding": held.join(",") },
        el("label", { class: "switch" }, input, el("span", { class: "slider", "aria-hidden": "true" })),
        el("div", { class: "fault-info" },
          el("div", { class: "fault-name", text: r.name }),
          el("div", { class: "fault-action", text: r.action + (r.stage ? " at " + r.stage : "") + (r.direction ? " (" + r.direction + ")" : "") }),
          el("div", { class: "fault-sel", text: describeRule(r) }),
          faultState(st) ? el("div", { class: "fault-state" + (held.length ? " holding" : ""), text: faultState(st) }) : null,
          el("div", { class: "fault-fires", text: "fired " + st.fires + "×" + last }))));
    }
  }

  function loadFaults() {
    if (state.toggling) return Promise.resolve();
    return api("/faults").then((list) => {
      if (state.toggling) return;
      state.faults = new Map((list || []).map((st) => [st.rule.name, st]));
      renderFaults();
    }).catch((err) => {
      if (err.status === 401) banner("The admin API needs its token: open this page as /?token=YOUR_TOKEN ([admin] token in the config).");
      else banner("Could not read the fault rules: " + err.message);
    });
  }

  function refreshFaultsSoon() {
    if (state.faultsTimer) return;
    state.faultsTimer = setTimeout(() => { state.faultsTimer = 0; loadFaults(); }, 500);
  }

  function setFault(name, on, input) {
    input.disabled = true;
    state.toggling++;
    api("/faults/" + encodeURIComponent(name) + (on ? "/enable" : "/disable"), { method: "POST" })
      .then((st) => { state.toggling--; state.faults.set(name, st); renderFaults(); })
      .catch((err) => {
        state.toggling--;
        input.checked = !on;
        input.disabled = false;
        banner("Could not switch " + name + ": " + err.message);
      });
  }

  // ---- controls ----

  function wireControls() {
    $("pause").addEventListener("click", () => {
      state.paused = !state.paused;
      $("pause").setAttribute("aria-pressed", String(state.paused));
      if (!state.paused) {
        const q = state.queue;
        state.queue = [];
        for (const [raw, seq] of q) addEvent(raw, seq);
        $("pause").textContent = "Pause";
      } else {
        $("pause").textContent = "Resume";
      }
    });
    $("clear").addEventListener("click", () => {
      $("conn-list").replaceChildren();
      state.rows.clear();
      state.seen.clear(); // a resumed stream replays only newer events
      state.counts = { ok: 0, warn: 0, fail: 0, fault: 0 };
      renderCounts();
    });
    $("problems-only").addEventListener("change", (e) => {
      $("conn-list").classList.toggle("problems-only", e.target.checked);
    });
  }

  window.tlsgateView = { classify, hexdump, timeline, alertName, firings, listenerView, faultState };

  document.addEventListener("DOMContentLoaded", () => {
    state.token = readToken();
    wireControls();
    renderCounts();
    loadFaults();
    // Rules added with `tlsgate fault add` during the class show up too.
    setInterval(() => { if (!document.hidden) loadFaults(); }, 5000);
    connectStream();
  });
})();
