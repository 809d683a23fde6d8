/* dynadmin: small page behaviours. Loaded with defer; no inline scripts anywhere (CSP).
   - "/" focuses the global lookup box (#global-lookup) unless typing in a field.
   - <button type="button" data-copy-target="ID"> copies the textContent of #ID.
   - A form[data-selection-form] sends the rows it acts on as one field, rows="1-3, 17":
     one field per row would exceed Django's 1,000-field limit on a 1,000-row page. Its
     checkboxes (input[data-row], not form fields) are shown here, and ticking one writes
     the ticked rows into that field; without JavaScript the person types them there.
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

  function rangesOf(numbers) {
    var parts = [];
    for (var i = 0; i < numbers.length; i++) {
      var start = numbers[i];
      while (i + 1 < numbers.length && numbers[i + 1] === numbers[i] + 1) i++;
      parts.push(start === numbers[i] ? String(start) : start + "-" + numbers[i]);
    }
    return parts.join(", ");
  }

  function showSelectBoxes(root) {
    var boxes = root.querySelectorAll("form[data-selection-form] input[data-row]");
    for (var i = 0; i < boxes.length; i++) boxes[i].hidden = false;
  }

  showSelectBoxes(document);
  document.addEventListener("htmx:afterSwap", function () { showSelectBoxes(document); });

  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.hasAttribute || !box.hasAttribute("data-row") || !box.form) return;
    var boxes = box.form.querySelectorAll("input[data-row]");
    var ticked = [];
    for (var i = 0; i < boxes.length; i++) {
      if (boxes[i].checked) ticked.push(parseInt(boxes[i].getAttribute("data-row"), 10));
    }
    var field = box.form.querySelector("[data-selection-rows]");
    if (field) field.value = rangesOf(ticked);
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
})();
