/* Vouch live notifications: keeps the bell's unread count current over /ws/notifications/.
   Frames (API-CONTRACT): {"type":"unread","count":N} and {"type":"notification","notification":{id,kind,payload,createdAt}}.
   After a reconnect it sends {"type":"resume","after":<last id seen>} so nothing is missed while offline. */
(function () {
  "use strict";
  var body = document.body;
  var path = body && body.getAttribute("data-live-socket");
  if (!path || !("WebSocket" in window)) return;

  var lastId = null;          // the newest notification id this page has seen
  var attempts = 0;
  var everConnected = false;
  var socket = null;
  var list = document.querySelector("[data-notification-list]");
  if (list) {
    var first = list.querySelector("[data-global-id]");
    if (first) lastId = first.getAttribute("data-global-id");
  }

  function setUnread(count) {
    document.querySelectorAll("[data-unread-count]").forEach(function (el) {
      var previous = parseInt(el.getAttribute("data-count") || el.textContent || "0", 10) || 0;
      el.textContent = "";
      if (count > 0) {
        el.appendChild(document.createTextNode(String(count)));
        var hidden = document.createElement("span");
        hidden.className = "visually-hidden";
        hidden.textContent = " unread";
        el.appendChild(hidden);
      }
      el.setAttribute("data-count", String(count));
      el.classList.toggle("is-empty", count <= 0);
      var bell = el.closest(".bell");
      if (bell && count > previous) {
        bell.classList.remove("is-bumped");
        void bell.offsetWidth; // restart the animation
        bell.classList.add("is-bumped");
      }
    });
    var markAll = document.querySelector("[data-mark-all]");
    if (markAll) markAll.disabled = count <= 0;
    document.title = document.title.replace(/^\(\d+\) /, "");
    if (count > 0) document.title = "(" + count + ") " + document.title;
  }

  function name(ref) { return ref && (ref.displayName || ref.username) || "Someone"; }
  function describe(n) {
    var p = n.payload || {};
    var skill = p.skill && p.skill.name || "a skill";
    var badge = p.badge || {};
    var review = p.awaitingReview === true ? " It awaits your review: show or hide it." : "";
    switch (n.kind) {
      case "endorsement.received": return name(p.endorser) + " endorsed you for " + skill + "." + review;
      case "endorsement_request.received":
        return (p.reminder === true ? "Reminder: " : "") + name(p.requester) + " asked you to endorse their " + skill + ".";
      case "endorsement_request.answered":
        return name(p.recipient) + (p.status === "ACCEPTED" ? " accepted" : " declined") + " your request for " + skill + "." + review;
      case "badge.verified": return "Your badge “" + (badge.name || "badge") + "” is verified.";
      case "badge.failed": return "Your badge “" + (badge.name || "badge") + "” could not be verified.";
      case "badge.revoked": return "Your badge “" + (badge.name || "badge") + "” is no longer valid.";
      default: return "New notification.";
    }
  }
  function linkOf(n) {
    var p = n.payload || {};
    var url = p.url || (p.badge && p.badge.url) || "";
    return (typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/") ? url : "";
  }

  var toastRegion = null;
  function toast(text, url) {
    if (!toastRegion) {
      toastRegion = document.createElement("div");
      toastRegion.className = "toasts";
      toastRegion.setAttribute("role", "status");
      toastRegion.setAttribute("aria-live", "polite");
      document.body.appendChild(toastRegion);
    }
    var item = document.createElement(url ? "a" : "p");
    item.className = "toast";
    if (url) item.href = url;
    item.textContent = text;
    toastRegion.appendChild(item);
    setTimeout(function () { item.classList.add("is-leaving"); }, 6000);
    setTimeout(function () { if (item.parentNode) item.parentNode.removeChild(item); }, 6600);
  }

  function prepend(n) {
    if (!list || list.querySelector('[data-global-id="' + n.id + '"]')) return;
    var empty = list.querySelector("[data-empty]");
    if (empty) empty.parentNode.removeChild(empty);
    var li = document.createElement("li");
    li.className = "notification is-unread";
    li.setAttribute("data-global-id", n.id);
    var dot = document.createElement("span");
    dot.className = "notification__dot";
    dot.setAttribute("aria-hidden", "true");
    var bodyEl = document.createElement("div");
    bodyEl.className = "notification__body";
    var p = document.createElement("p");
    var url = linkOf(n);
    var text = document.createElement(url ? "a" : "span");
    if (url) text.href = url;
    text.textContent = describe(n);
    p.appendChild(text);
    var time = document.createElement("time");
    time.textContent = "just now";
    if (n.createdAt) time.setAttribute("datetime", n.createdAt);
    bodyEl.appendChild(p);
    bodyEl.appendChild(time);
    li.appendChild(dot);
    li.appendChild(bodyEl);
    var form = markReadForm(n);
    if (form) li.appendChild(form);
    list.insertBefore(li, list.firstChild);
  }

  function refreshSkill(slug) {
    var item = slug && document.getElementById("skill-" + slug);
    if (!item) return;
    fetch(location.pathname, { credentials: "same-origin" }).then(function (r) { return r.text(); }).then(function (text) {
      var fresh = new DOMParser().parseFromString(text, "text/html").getElementById("skill-" + slug);
      if (fresh) item.replaceWith(fresh);
    }).catch(function () { /* the next reload shows it */ });
  }

  function markReadForm(n) {
    // The stored notification's number is in its global id (base64 of "Notification:<pk>").
    var pk = "";
    try { pk = atob(n.id).split(":")[1] || ""; } catch (e) { pk = ""; }
    var token = document.querySelector('meta[name="csrf-token"]');
    if (!/^\d+$/.test(pk) || !token) return null;
    var form = document.createElement("form");
    form.className = "inline-form";
    form.method = "post";
    form.action = "/notifications/read/";
    [["csrfmiddlewaretoken", token.content], ["id", pk], ["next", location.pathname + location.search]].forEach(function (pair) {
      var input = document.createElement("input");
      input.type = "hidden"; input.name = pair[0]; input.value = pair[1];
      form.appendChild(input);
    });
    var button = document.createElement("button");
    button.className = "button button--ghost button--small";
    button.type = "submit";
    button.textContent = "Mark read";
    form.appendChild(button);
    return form;
  }

  function onFrame(frame) {
    if (!frame || typeof frame.type !== "string") return;
    if (frame.type === "unread" && typeof frame.count === "number") {
      setUnread(frame.count);
    } else if (frame.type === "notification" && frame.notification) {
      var n = frame.notification;
      lastId = n.id;
      prepend(n);
      toast(describe(n), linkOf(n));
      // A badge check ended while its "Checking…" card is on screen: show the result.
      if (/^badge\./.test(n.kind) && document.querySelector("[data-badge-pending]")) {
        setTimeout(function () { location.reload(); }, 800);
      }
      // An endorsement arrived while its member looks at their own profile: refresh the counts.
      var arrived = n.kind === "endorsement.received" ||
        (n.kind === "endorsement_request.answered" && n.payload && n.payload.status === "ACCEPTED");
      if (arrived && n.payload && n.payload.url === location.pathname) {
        refreshSkill(n.payload.skill && n.payload.skill.slug);
      }
    }
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + path);
    socket.addEventListener("open", function () {
      attempts = 0;
      body.setAttribute("data-live", "open");
      if (everConnected && lastId) socket.send(JSON.stringify({ type: "resume", after: lastId }));
      everConnected = true;
    });
    socket.addEventListener("message", function (ev) {
      try { onFrame(JSON.parse(ev.data)); } catch (e) { /* ignore a malformed frame */ }
    });
    socket.addEventListener("close", function (ev) {
      body.setAttribute("data-live", "closed");
      if (ev.code === 4401) return; // signed out: nothing to listen for
      attempts += 1;
      var delay = Math.min(30000, 500 * Math.pow(2, Math.min(attempts, 6))) + Math.random() * 500;
      setTimeout(connect, delay);
    });
  }
  window.vouchLive = { onFrame: onFrame, socket: function () { return socket; } };
  connect();
})();
