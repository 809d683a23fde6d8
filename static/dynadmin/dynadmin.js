/* dynadmin: small page behaviours. Loaded with defer; no inline scripts anywhere (CSP).
   - "/" focuses the global lookup box (#global-lookup) unless typing in a field.
   - <button type="button" data-copy-target="ID"> copies the textContent of #ID.
   - A form[data-selection-form] sends its ticked rows as one field, rows="0,3,17": a
     1,000-row page would otherwise exceed Django's 1,000-field limit. Without JavaScript
     the checkboxes themselves are sent.
   - Follow mode ([data-follow], polled by htmx "every 5s") pauses while the tab is hidden
     and polls once as soon as it is shown again. A condition in hx-trigger ("[!document.hidden]")
     would need htmx's eval, which base.html's htmx-config turns off, so the pause is here:
     a hidden tab's poll is cancelled before it is sent. */
(function () {
  "use strict";

  function isTypingTarget(el) {
    if (!el) return false;
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (isTypingTarget(event.target) || isTypingTarget(document.activeElement)) return;
    var box = document.getElementById("global-lookup");
    if (!box) return;
    event.preventDefault();
    box.focus();
    box.select();
  });

  // Fallback for plain-HTTP intranet hosts, where navigator.clipboard does not exist.
  function copyBySelection(el) {
    var selection = window.getSelection();
    var range = document.createRange();
    range.selectNodeContents(el);
    selection.removeAllRanges();
    selection.addRange(range);
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    selection.removeAllRanges();
    return ok ? Promise.resolve() : Promise.reject(new Error("copy failed"));
  }

  function copyText(el) {
    var text = el.textContent;
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return copyBySelection(el); });
    }
    return copyBySelection(el);
  }

  function flash(button, label) {
    if (!button.hasAttribute("data-copy-label")) {
      button.setAttribute("data-copy-label", button.textContent);
    }
    button.textContent = label;
    clearTimeout(button._dynadminCopyTimer);
    button._dynadminCopyTimer = setTimeout(function () {
      button.textContent = button.getAttribute("data-copy-label");
      button.removeAttribute("data-copy-label");
    }, 1500);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[data-copy-target]") : null;
    if (!button) return;
    var target = document.getElementById(button.getAttribute("data-copy-target"));
    if (!target) return;
    event.preventDefault();
    copyText(target).then(
      function () { flash(button, "Copied"); },
      function () { flash(button, "Copy failed"); }
    );
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-selection-form")) return;
    var boxes = form.querySelectorAll('input[type="checkbox"][name="item"]');
    var rows = [];
    for (var i = 0; i < boxes.length; i++) {
      if (boxes[i].checked) rows.push(boxes[i].value);
      // Disabled inputs are left out of what the browser sends; re-enabled on return.
      boxes[i].disabled = true;
    }
    form.elements.namedItem("rows").value = rows.join(",");
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var poller = event.target;
    if (poller && poller.hasAttribute && poller.hasAttribute("data-follow") &&
        (document.hidden || poller.hasAttribute("data-paused"))) {
      event.preventDefault();
    }
  });

  document.addEventListener("visibilitychange", function () {
    var pollers = document.querySelectorAll("[data-follow]");
    for (var i = 0; i < pollers.length; i++) {
      if (document.hidden) {
        pollers[i].setAttribute("data-paused", "");
      } else {
        pollers[i].removeAttribute("data-paused");
        if (window.htmx) window.htmx.trigger(pollers[i], "dynadmin:resume");
      }
    }
  });

  window.addEventListener("pageshow", function () {
    var boxes = document.querySelectorAll('form[data-selection-form] input[name="item"]');
    for (var i = 0; i < boxes.length; i++) boxes[i].disabled = false;
  });
})();
