/* Vouch: progressive enhancement only. Every page works without this file.
   - autocomplete for inputs marked data-autocomplete="skills" | "members" (GraphQL, CSRF header)
   - confirmation for forms marked data-confirm
   - drag-and-drop reordering for lists marked data-sortable
   - copy-to-clipboard buttons marked data-copy (hidden until this file shows them) */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta && meta.content) return meta.content;
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function graphql(query, variables) {
    var headers = { "Content-Type": "application/json", Accept: "application/json" };
    var token = csrfToken();
    if (token) headers["X-CSRFToken"] = token;
    return fetch("/graphql/", {
      method: "POST", credentials: "same-origin", headers: headers,
      body: JSON.stringify({ query: query, variables: variables })
    }).then(function (r) { return r.json(); });
  }
  window.vouchGraphql = graphql;

  var SOURCES = {
    skills: {
      query: "query SkillSuggest($search: String!) { skills(search: $search, first: 8) { name slug } }",
      items: function (data) { return (data && data.skills || []).map(function (s) { return { value: s.name, label: s.name, hint: "" }; }); }
    },
    members: {
      query: "query MemberSuggest($search: String!) { members(search: $search, first: 8) { edges { node { username displayName headline } } } }",
      items: function (data) {
        var edges = data && data.members ? data.members.edges : [];
        return edges.map(function (e) { return { value: e.node.username, label: e.node.displayName, hint: "@" + e.node.username }; });
      }
    }
  };

  var uid = 0;
  function setupAutocomplete(input) {
    var source = SOURCES[input.getAttribute("data-autocomplete")];
    if (!source) return;
    var wrapper = input.parentElement;
    if (!wrapper.classList.contains("autocomplete")) {
      wrapper = document.createElement("div");
      wrapper.className = "autocomplete";
      input.parentNode.insertBefore(wrapper, input);
      wrapper.appendChild(input);
    }
    var listId = "ac-list-" + (++uid);
    var list = document.createElement("ul");
    list.className = "autocomplete__list";
    list.id = listId;
    list.setAttribute("role", "listbox");
    list.hidden = true;
    wrapper.appendChild(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    input.setAttribute("autocomplete", "off");

    var items = [], active = -1, timer = null, seq = 0;

    function close() {
      list.hidden = true; active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }
    function highlight(i) {
      var options = list.querySelectorAll("[role=option]");
      options.forEach(function (o, j) { o.setAttribute("aria-selected", j === i ? "true" : "false"); });
      active = i;
      if (i >= 0 && options[i]) { input.setAttribute("aria-activedescendant", options[i].id); options[i].scrollIntoView({ block: "nearest" }); }
    }
    function choose(i) {
      if (i < 0 || i >= items.length) return;
      input.value = items[i].value;
      close();
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }
    function render() {
      list.textContent = "";
      if (!items.length) { close(); return; }
      items.forEach(function (item, i) {
        var li = document.createElement("li");
        li.className = "autocomplete__option";
        li.id = listId + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        var label = document.createElement("span");
        label.textContent = item.label;
        li.appendChild(label);
        if (item.hint) {
          var hint = document.createElement("span");
          hint.className = "autocomplete__hint";
          hint.textContent = item.hint;
          li.appendChild(hint);
        }
        li.addEventListener("mousedown", function (ev) { ev.preventDefault(); choose(i); });
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = -1;
    }
    function lookup() {
      var term = input.value.trim();
      if (!term) { items = []; render(); return; }
      var mine = ++seq;
      graphql(source.query, { search: term }).then(function (body) {
        if (mine !== seq) return; // a newer keystroke won
        items = source.items(body.data);
        render();
      }).catch(function () { /* suggestions are optional: typing still works */ });
    }
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(lookup, 150); });
    input.addEventListener("keydown", function (ev) {
      if (list.hidden) return;
      if (ev.key === "ArrowDown") { ev.preventDefault(); highlight(Math.min(active + 1, items.length - 1)); }
      else if (ev.key === "ArrowUp") { ev.preventDefault(); highlight(Math.max(active - 1, 0)); }
      else if (ev.key === "Enter" && active >= 0) { ev.preventDefault(); choose(active); }
      else if (ev.key === "Escape") { close(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
  }

  function setupConfirm(form) {
    form.addEventListener("submit", function (ev) {
      if (!window.confirm(form.getAttribute("data-confirm"))) ev.preventDefault();
    });
  }

  function setupCopy(button) {
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = button.getAttribute("data-copy");
      var done = function (ok) {
        button.textContent = ok ? "Copied" : "Copy failed: select the text instead";
        button.setAttribute("aria-live", "polite");
        setTimeout(function () { button.textContent = label; }, 2000);
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(false); });
      } else {
        done(false);
      }
    });
  }

  function setupSortable(list) {
    var form = document.getElementById(list.getAttribute("data-reorder-form"));
    if (!form) return;
    var dragging = null;
    list.querySelectorAll("li[data-id]").forEach(function (li) {
      li.setAttribute("draggable", "true");
      var handle = li.querySelector("[data-drag-handle]");
      if (handle) handle.hidden = false;
      li.addEventListener("dragstart", function (ev) {
        dragging = li; li.classList.add("is-dragging");
        ev.dataTransfer.effectAllowed = "move";
        ev.dataTransfer.setData("text/plain", li.getAttribute("data-id"));
      });
      li.addEventListener("dragend", function () {
        li.classList.remove("is-dragging");
        if (!dragging) return;
        dragging = null;
        var ids = Array.prototype.map.call(list.querySelectorAll("li[data-id]"), function (x) { return x.getAttribute("data-id"); });
        form.querySelector("input[name=order]").value = ids.join(",");
        form.submit();
      });
      li.addEventListener("dragover", function (ev) {
        if (!dragging || dragging === li) return;
        ev.preventDefault();
        var rect = li.getBoundingClientRect();
        var after = ev.clientY > rect.top + rect.height / 2;
        list.insertBefore(dragging, after ? li.nextSibling : li);
      });
    });
    var help = document.querySelector("[data-drag-help]");
    if (help) help.hidden = false;
  }

  // Flash messages after a redirect: focused so screen readers read them, and kept in view (sticky) when the
  // redirect went to an anchor further down the page.
  function setupFlash(region) {
    if (!region.children.length) return;
    if (location.hash) region.classList.add("messages--sticky");
    region.focus({ preventScroll: !!location.hash });
  }

  // The requests page has shown these requests to their recipient: their notifications are read (the requester's
  // outbox then says "Seen"). A POST, as every write; the page's GET wrote nothing.
  function markSeen(section) {
    var token = csrfToken();
    var ids = (section.getAttribute("data-mark-seen") || "").split(",").filter(function (v) { return /^\d+$/.test(v); });
    if (!ids.length || !token) return;
    var body = new URLSearchParams();
    ids.forEach(function (id) { body.append("id", id); });
    body.append("next", location.pathname);
    fetch("/notifications/read/", {
      method: "POST", credentials: "same-origin", body: body,
      headers: { "X-CSRFToken": token }, redirect: "manual",
    }).catch(function () { /* seen next time */ });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-mark-seen]").forEach(markSeen);
    document.querySelectorAll("[data-flash]").forEach(setupFlash);
    document.querySelectorAll("input[data-autocomplete]").forEach(setupAutocomplete);
    document.querySelectorAll("form[data-confirm]").forEach(setupConfirm);
    document.querySelectorAll("[data-sortable]").forEach(setupSortable);
    document.querySelectorAll("button[data-copy]").forEach(setupCopy);
  });
})();
